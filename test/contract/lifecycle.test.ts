import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { StoreUnavailableError } from '../../server/errors';
import { openStore } from '../../server/store';
import type { StatusRecord } from '../../server/store/contract';
import { backendName, freshTestStoreUrl, openTestStore, sharesUrl, type TestStores } from '../helpers/store';
import { makeIndicator, toNewVersion } from '../helpers/stix';
import {
  add,
  labels,
  newApiRoot,
  newCollection,
  queryAll,
  suite,
  uniq,
  useOtherInstances,
  ALL,
} from './fixture';

describe(suite('lifecycle'), function () {
  let t: TestStores;
  beforeEach(async function () {
    t = await openTestStore();
  });
  afterEach(async function () {
    await t.cleanup();
  });

  it('names its backend', function () {
    assert.equal(t.backend, backendName());
  });

  it('init is idempotent: running it twice more keeps the data', async function () {
    const root = await newApiRoot(t);
    const col = await newCollection(t, root);
    const obj = makeIndicator();
    await add(t, col.id, [toNewVersion(obj)]);
    await t.init();
    await t.init();
    assert.equal((await t.registry.getApiRoot(root))?.name, root);
    assert.equal((await t.registry.findCollection({ apiRoot: root, idOrAlias: col.id }))?.id, col.id);
    assert.deepEqual(labels(await queryAll(t, col.id)), [`${obj.id}@${obj.modified}`]);
  });

  describe('several instances on the same URL', function () {
    const another = useOtherInstances(() => t.url);

    it('ping answers while the store is open, and refuses with 503 once it is closed', async function () {
      const s = await another(t.url);
      assert.equal(await s.ping(), undefined);
      await s.close();
      await assert.rejects(
        s.ping(),
        (e: unknown) => e instanceof StoreUnavailableError && e.httpStatus === 503,
      );
      // The other instance on the same URL is not affected.
      await t.ping();
    });

    it('data survives close and reopen of the same URL', async function () {
      const s = t;
      const root = await newApiRoot(s);
      const group = uniq('group');
      await s.principals.createGroup(group);
      const col = await newCollection(s, root, {
        alias: 'persist',
        grants: [{ group, read: true, write: false, maxTlp: 'red' }],
        defaultTlp: 'green',
      });
      const member = uniq('member');
      await s.principals.createMember({ name: member, secretHash: 'hash-1' });
      await s.principals.joinGroup({ group, member });
      const objs = [makeIndicator(), makeIndicator()];
      const outcomes = await add(s, col.id, objs.map(toNewVersion));
      const status: StatusRecord = {
        id: randomUUID(),
        apiRoot: root,
        collectionId: col.id,
        member,
        requestTimestamp: 1_750_000_000_000_000,
        status: 'complete',
        totalCount: 2,
        successCount: 2,
        failureCount: 0,
        pendingCount: 0,
        successes: objs.map((o) => ({ id: o.id, version: o.modified as string })),
        failures: [],
        pendings: [],
        expiresAt: 1_750_086_400_000_000,
      };
      await s.statuses.putStatus(status);
      const secret = await s.state.sharedSecret('cursor');
      const before = await queryAll(s, col.id, { versions: ALL }, true);
      const rootBefore = await s.registry.getApiRoot(root);
      assert.equal(rootBefore?.name, root);
      await s.close();

      const reopened = await another(t.url);
      assert.deepEqual(await reopened.registry.getApiRoot(root), rootBefore);
      const found = await reopened.registry.findCollection({ apiRoot: root, idOrAlias: 'persist' });
      assert.equal(found?.id, col.id);
      assert.deepEqual(found?.grants, [{ group, read: true, write: false, maxTlp: 'red' }]);
      assert.equal(found?.defaultTlp, 'green');
      const m = await reopened.principals.getMember(member);
      assert.equal(m?.secretHash, 'hash-1');
      assert.deepEqual(m?.groups, [group]);
      const after = await queryAll(reopened, col.id, { versions: ALL }, true);
      assert.deepEqual(after, before);
      assert.deepEqual(
        after.map((v) => v.dateAdded),
        outcomes.map((o) => o.dateAdded),
      );
      assert.deepEqual(await reopened.statuses.getStatus({ apiRoot: root, id: status.id }), status);
      assert.ok(secret.equals(await reopened.state.sharedSecret('cursor')), 'shared secret persisted');
    });
  });
});

describe(suite('concurrent init'), function () {
  it('two instances can init the same fresh store at once', async function () {
    const fresh = freshTestStoreUrl();
    if (!sharesUrl(fresh.url)) this.skip();
    try {
      const [a, b] = await Promise.all([openStore(fresh.url), openStore(fresh.url)]);
      try {
        await Promise.all([a.init(), b.init()]);
        await a.registry.createApiRoot({ name: 'shared', title: 'Shared' });
        assert.equal((await b.registry.getApiRoot('shared'))?.title, 'Shared');
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await fresh.dispose();
    }
  });
});
