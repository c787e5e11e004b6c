import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openStore } from '../../server/store';
import type { StatusRecord, Store } from '../../server/store/contract';
import { backendName, freshTestStoreUrl, openTestStore, sharesUrl, type TestStore } from '../helpers/store';
import { makeIndicator, toNewVersion } from '../helpers/stix';
import { add, labels, newApiRoot, newCollection, queryAll, suite, uniq, ALL } from './fixture';

describe(suite('lifecycle'), function () {
  let t: TestStore;
  beforeEach(async function () {
    t = await openTestStore();
  });
  afterEach(async function () {
    await t.cleanup();
  });

  it('names its backend', function () {
    assert.equal(t.store.backend, backendName());
  });

  it('ping resolves', async function () {
    await t.store.ping();
  });

  it('init is idempotent: running it twice more keeps the data', async function () {
    const root = await newApiRoot(t.store);
    const col = await newCollection(t.store, root);
    const obj = makeIndicator();
    await add(t.store, col.id, [toNewVersion(obj)]);
    await t.store.init();
    await t.store.init();
    assert.equal((await t.store.getApiRoot(root))?.name, root);
    assert.equal((await t.store.findCollection({ apiRoot: root, idOrAlias: col.id }))?.id, col.id);
    assert.deepEqual(labels(await queryAll(t.store, col.id)), [`${obj.id}@${obj.modified}`]);
  });

  it('sharedSecret is a non-empty Buffer, stable across calls, distinct per name', async function () {
    const a1 = await t.store.sharedSecret('cursor');
    const a2 = await t.store.sharedSecret('cursor');
    const b = await t.store.sharedSecret('other');
    assert.ok(Buffer.isBuffer(a1), 'a Buffer');
    assert.ok(a1.length > 0, 'non-empty');
    assert.ok(a1.equals(a2), 'same secret on the second call');
    assert.ok(!a1.equals(b), 'another name has another secret');
  });

  describe('several instances on the same URL', function () {
    const opened: Store[] = [];
    beforeEach(function () {
      if (!sharesUrl(t.url)) this.skip();
    });
    afterEach(async function () {
      for (const s of opened.splice(0)) await s.close();
    });
    async function another(url: string): Promise<Store> {
      const s = await openStore(url);
      opened.push(s);
      return s;
    }

    it('sharedSecret is the same from a second instance', async function () {
      const first = await t.store.sharedSecret('cursor');
      const second = await (await another(t.url)).sharedSecret('cursor');
      assert.ok(first.equals(second));
    });

    it('sharedSecret first used by two instances at once yields one secret', async function () {
      const other = await another(t.url);
      const [a, b] = await Promise.all([t.store.sharedSecret('race'), other.sharedSecret('race')]);
      assert.ok(a.equals(b));
      assert.ok(a.equals(await t.store.sharedSecret('race')));
    });

    it('data survives close and reopen of the same URL', async function () {
      const s = t.store;
      const root = await newApiRoot(s);
      const group = uniq('group');
      await s.createGroup(group);
      const col = await newCollection(s, root, {
        alias: 'persist',
        grants: [{ group, read: true, write: false }],
      });
      const member = uniq('member');
      await s.createMember({ name: member, secretHash: 'hash-1' });
      await s.joinGroup({ group, member });
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
        successes: objs.map((o) => ({ id: o.id, version: o.modified as string })),
        failures: [],
        pendings: [],
        expiresAt: 1_750_086_400_000_000,
      };
      await s.putStatus(status);
      const secret = await s.sharedSecret('cursor');
      const before = await queryAll(s, col.id, { versions: ALL }, true);
      const rootBefore = await s.getApiRoot(root);
      assert.equal(rootBefore?.name, root);
      await s.close();

      const reopened = await another(t.url);
      assert.deepEqual(await reopened.getApiRoot(root), rootBefore);
      const found = await reopened.findCollection({ apiRoot: root, idOrAlias: 'persist' });
      assert.equal(found?.id, col.id);
      assert.deepEqual(found?.grants, [{ group, read: true, write: false }]);
      const m = await reopened.getMember(member);
      assert.equal(m?.secretHash, 'hash-1');
      assert.deepEqual(m?.groups, [group]);
      const after = await queryAll(reopened, col.id, { versions: ALL }, true);
      assert.deepEqual(after, before);
      assert.deepEqual(
        after.map((v) => v.dateAdded),
        outcomes.map((o) => o.dateAdded),
      );
      assert.deepEqual(await reopened.getStatus({ apiRoot: root, id: status.id }), status);
      assert.ok(secret.equals(await reopened.sharedSecret('cursor')), 'shared secret persisted');
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
        await a.createApiRoot({ name: 'shared', title: 'Shared' });
        assert.equal((await b.getApiRoot('shared'))?.title, 'Shared');
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await fresh.dispose();
    }
  });
});
