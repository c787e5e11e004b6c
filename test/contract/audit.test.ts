/**
 * The audit concern: records are stored exactly, queried by member, collection and time in time
 * order with a limit, and purged by age.
 */
import assert from 'node:assert/strict';
import type { AuditRecord } from '../../server/store/contract';
import { suite, uniq, useStores } from './fixture';

const T0 = Date.UTC(2025, 6, 1) * 1000 + 250;
const SECOND = 1_000_000;

describe(suite('audit'), function () {
  const stores = useStores();

  function rec(extra: Partial<AuditRecord> = {}): AuditRecord {
    return {
      at: T0,
      kind: 'read',
      member: 'alice',
      address: '192.0.2.1',
      endpoint: 'GET objects',
      apiRoot: 'api1',
      collection: 'c-1',
      count: 100,
      status: 200,
      detail: null,
      ...extra,
    };
  }

  it('appendAudit stores every field exactly, nulls included', async function () {
    const member = uniq('member');
    const full = rec({ member, detail: 'object indicator--x', count: 0, status: 404, kind: 'delete' });
    const sparse = rec({
      member,
      at: T0 + 1,
      kind: 'admin',
      address: null,
      apiRoot: null,
      collection: null,
      count: null,
      endpoint: 'tessera member disable',
    });
    await stores().audit.appendAudit([full, sparse]);
    await stores().audit.appendAudit([]); // nothing to do, no failure
    assert.deepEqual(await stores().audit.queryAudit({ member, limit: 10 }), [full, sparse]);
  });

  it('queryAudit filters by member, collection and since; ascending time, ties in insertion order', async function () {
    const [m1, m2] = [uniq('member'), uniq('member')];
    const [c1, c2] = [uniq('col'), uniq('col')];
    const batch = [
      rec({ member: m1, collection: c1, at: T0 + 3 * SECOND, detail: 'd' }),
      rec({ member: m2, collection: c1, at: T0 + 1 * SECOND, detail: 'a' }),
      rec({ member: m1, collection: c2, at: T0 + 2 * SECOND, detail: 'b' }),
      rec({ member: m1, collection: c1, at: T0 + 2 * SECOND, detail: 'c' }),
    ];
    await stores().audit.appendAudit(batch.slice(0, 2));
    await stores().audit.appendAudit(batch.slice(2));
    const details = (rs: AuditRecord[]) => rs.map((r) => r.detail);
    assert.deepEqual(details(await stores().audit.queryAudit({ member: m1, limit: 10 })), ['b', 'c', 'd']);
    assert.deepEqual(details(await stores().audit.queryAudit({ collection: c1, limit: 10 })), [
      'a',
      'c',
      'd',
    ]);
    assert.deepEqual(details(await stores().audit.queryAudit({ member: m1, collection: c1, limit: 10 })), [
      'c',
      'd',
    ]);
    assert.deepEqual(
      details(await stores().audit.queryAudit({ collection: c1, since: T0 + 2 * SECOND, limit: 10 })),
      ['c', 'd'],
      'since is inclusive',
    );
    assert.deepEqual(
      details(await stores().audit.queryAudit({ collection: c1, limit: 2 })),
      ['a', 'c'],
      'the oldest first',
    );
    assert.deepEqual(await stores().audit.queryAudit({ member: uniq('nobody'), limit: 10 }), []);
  });

  it('queryAudit without filters returns records of every member in time order', async function () {
    const m = uniq('member');
    const far = T0 + 400 * 86_400 * SECOND; // later than any other test's records
    await stores().audit.appendAudit([
      rec({ member: m, at: far + 1 }),
      rec({ member: null, at: far, kind: 'auth' }),
    ]);
    const rs = await stores().audit.queryAudit({ since: far, limit: 10 });
    assert.deepEqual(
      rs.map((r) => [r.member, r.kind]),
      [
        [null, 'auth'],
        [m, 'read'],
      ],
    );
  });

  it('purgeAudit deletes records older than the instant and says how many', async function () {
    const m = uniq('member');
    const base = T0 - 1000 * 86_400 * SECOND; // older than any other test's records
    await stores().audit.appendAudit([
      rec({ member: m, at: base }),
      rec({ member: m, at: base + SECOND }),
      rec({ member: m, at: base + 2 * SECOND }),
    ]);
    assert.equal(await stores().audit.purgeAudit({ before: base + SECOND }), 1);
    assert.deepEqual(
      (await stores().audit.queryAudit({ member: m, limit: 10 })).map((r) => r.at),
      [base + SECOND, base + 2 * SECOND],
    );
    assert.equal(await stores().audit.purgeAudit({ before: base + SECOND }), 0);
  });
});
