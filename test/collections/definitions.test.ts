import assert from 'node:assert/strict';
import path from 'node:path';
import {
  applyDefinitions,
  DefinitionError,
  loadDefinitions,
  parseDefinitions,
} from '../../collections/definitions';
import { openTestStore, type TestStores } from '../helpers/store';

describe('declarative collections', () => {
  let ts: TestStores;
  beforeEach(async () => {
    ts = await openTestStore();
  });
  afterEach(async () => {
    await ts.cleanup();
  });

  it('applies the example file once, then changes nothing', async () => {
    const defs = loadDefinitions(path.resolve(__dirname, '../../collections/example.json'));
    const first = await applyDefinitions(ts, defs);
    assert.ok(first.includes('created API root api1'));
    assert.ok(first.some((l) => l.startsWith('created collection api1/5d1c1a1e')));
    assert.equal((await ts.principals.listGroups()).length, 4);
    const c = await ts.registry.findCollection({ apiRoot: 'api1', idOrAlias: 'indicators' });
    assert.deepEqual(c?.grants, [
      { group: 'energy-isac', read: true, write: false, maxTlp: 'amber' },
      { group: 'finance-isac', read: true, write: false, maxTlp: 'green' },
      { group: 'national-csirts', read: true, write: true, maxTlp: 'amber+strict' },
      { group: 'siem-connectors', read: true, write: false, maxTlp: 'green' },
    ]);
    assert.equal(c?.defaultTlp, 'green');
    assert.deepEqual(await applyDefinitions(ts, defs), []);
  });

  it('updates grants to what the file says', async () => {
    const id = '0b5e2f8c-7a4d-4e3b-9c1f-6d2a8e4b3c57';
    const base = {
      apiRoots: [{ name: 'r', title: 'R' }],
      collections: [{ apiRoot: 'r', id, title: 'T', read: ['a'], write: [] }],
    };
    await applyDefinitions(ts, parseDefinitions(base));
    const changed = await applyDefinitions(
      ts,
      parseDefinitions({
        ...base,
        collections: [{ apiRoot: 'r', id, title: 'T', read: ['a', 'b'], write: ['b'] }],
      }),
    );
    assert.deepEqual(changed, ['created trust group b', `updated grants of r/${id}`]);
    const c = await ts.registry.findCollection({ apiRoot: 'r', idOrAlias: id });
    assert.deepEqual(c?.grants, [
      { group: 'a', read: true, write: false, maxTlp: 'amber' },
      { group: 'b', read: true, write: true, maxTlp: 'amber' },
    ]);
  });

  it('rejects a collection id that is not a UUIDv4, and unknown keys', () => {
    assert.throws(
      () =>
        parseDefinitions({
          collections: [{ apiRoot: 'r', id: 'not-a-uuid', title: 'T', read: [], write: [] }],
          extra: true,
        }),
      (e: unknown) => e instanceof DefinitionError && e.problems.length >= 2,
    );
  });
});
