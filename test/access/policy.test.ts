/**
 * The access model (server/access/policy.ts) as a table: rights are the union of a member's groups'
 * grants, a collection without either right is invisible, DELETE needs both rights (TAXII 2.1
 * §5.7), and the TLP ceiling is the highest among the grants that give read.
 */
import assert from 'node:assert/strict';
import {
  ceilingOn,
  decide,
  isVisible,
  objectScope,
  rightsOn,
  scopeOf,
  type Action,
  type CollectionRights,
  type Principal,
} from '../../server/access/policy';
import { rankOf, type TlpLevel } from '../../server/access/tlp';
import type { CollectionRecord, Grant } from '../../server/store/contract';

function collection(grants: Grant[], defaultTlp: TlpLevel = 'amber'): CollectionRecord {
  return {
    id: '8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    apiRoot: 'hub',
    title: 'c',
    mediaTypes: ['application/stix+json;version=2.1'],
    grants,
    defaultTlp,
    createdAt: 0 as CollectionRecord['createdAt'],
  };
}

const g = (group: string, read: boolean, write: boolean, maxTlp: TlpLevel = 'amber'): Grant => ({
  group,
  read,
  write,
  maxTlp,
});
const alice: Principal = { member: 'alice', groups: ['cert-a', 'soc'] };

describe('access: the policy', function () {
  it('rights are the union of the grants to the member’s groups, and only those', function () {
    const rights = (...grants: Grant[]) => rightsOn(alice, collection(grants));
    assert.deepEqual(rights(), { canRead: false, canWrite: false });
    assert.deepEqual(rights(g('other', true, true)), { canRead: false, canWrite: false }, 'not its group');
    assert.deepEqual(rights(g('soc', true, false)), { canRead: true, canWrite: false });
    assert.deepEqual(rights(g('soc', false, true)), { canRead: false, canWrite: true });
    assert.deepEqual(
      rights(g('cert-a', true, false), g('other', false, true), g('soc', false, true)),
      { canRead: true, canWrite: true },
      'read from one group, write from another',
    );
    assert.deepEqual(
      rights(g('cert-a', true, true), g('soc', false, false)),
      { canRead: true, canWrite: true },
      'a later grant without rights takes nothing away',
    );
    assert.deepEqual(rightsOn({ member: 'bob', groups: [] }, collection([g('soc', true, true)])), {
      canRead: false,
      canWrite: false,
    });
  });

  it('visible with either right; the store filter is the member’s groups', function () {
    const table: [CollectionRights, boolean][] = [
      [{ canRead: false, canWrite: false }, false],
      [{ canRead: true, canWrite: false }, true],
      [{ canRead: false, canWrite: true }, true],
      [{ canRead: true, canWrite: true }, true],
    ];
    for (const [r, visible] of table) assert.equal(isVisible(r), visible, JSON.stringify(r));
    assert.deepEqual(scopeOf(alice), ['cert-a', 'soc']);
  });

  it('decides every action for every pair of rights (DELETE: TAXII 2.1 §5.7)', function () {
    const expected: Record<string, Record<Action, 'ok' | 403 | 404>> = {
      'no rights': { read: 404, write: 404, delete: 404 },
      'read only': { read: 'ok', write: 403, delete: 403 },
      'write only': { read: 403, write: 'ok', delete: 403 },
      'read+write': { read: 'ok', write: 'ok', delete: 'ok' },
    };
    const rights: Record<string, CollectionRights> = {
      'no rights': { canRead: false, canWrite: false },
      'read only': { canRead: true, canWrite: false },
      'write only': { canRead: false, canWrite: true },
      'read+write': { canRead: true, canWrite: true },
    };
    for (const [name, r] of Object.entries(rights)) {
      for (const action of ['read', 'write', 'delete'] as const) {
        assert.equal(decide(r, action), expected[name]?.[action], `${name}, ${action}`);
      }
    }
  });

  it('the TLP ceiling is the highest among the grants that give the member read', function () {
    const ceiling = (...grants: Grant[]) => ceilingOn(alice, collection(grants));
    assert.equal(ceiling(), null);
    assert.equal(ceiling(g('soc', false, true, 'red')), null, 'write alone gives no ceiling');
    assert.equal(ceiling(g('other', true, false, 'red')), null, 'not its group');
    assert.equal(ceiling(g('soc', true, false, 'clear')), rankOf('clear'));
    assert.equal(
      ceiling(
        g('cert-a', true, false, 'green'),
        g('other', true, false, 'red'),
        g('soc', true, false, 'amber'),
      ),
      rankOf('amber'),
    );
    assert.equal(
      ceiling(g('cert-a', true, false, 'red'), g('soc', true, false, 'green')),
      rankOf('red'),
      'a lower ceiling later does not lower it',
    );
    assert.equal(
      ceiling(g('cert-a', true, false, 'clear'), g('soc', false, true, 'red')),
      rankOf('clear'),
      'a write-only grant does not raise it',
    );
  });

  it('the object scope: the ranks up to the ceiling, unmarked versions by the default TLP, own versions', function () {
    assert.deepEqual(objectScope(alice, collection([g('soc', false, true, 'red')], 'clear')), {
      ranks: [],
      unmarked: false,
      publisher: 'alice',
    });
    assert.deepEqual(objectScope(alice, collection([g('soc', true, false, 'green')], 'green')), {
      ranks: [rankOf('clear'), rankOf('green')],
      unmarked: true,
      publisher: 'alice',
    });
    assert.deepEqual(objectScope(alice, collection([g('soc', true, false, 'green')], 'amber')), {
      ranks: [rankOf('clear'), rankOf('green')],
      unmarked: false,
      publisher: 'alice',
    });
    assert.deepEqual(objectScope(alice, collection([g('soc', true, false, 'clear')], 'clear')), {
      ranks: [rankOf('clear')],
      unmarked: true,
      publisher: 'alice',
    });
    assert.deepEqual(objectScope(alice, collection([g('soc', true, true, 'red')], 'red')), {
      ranks: [0, 1, 2, 3, 4],
      unmarked: true,
      publisher: 'alice',
    });
  });
});
