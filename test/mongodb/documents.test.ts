/**
 * The documents the MongoDB backend writes and the older documents it still reads (fields added by
 * later versions are absent from them), checked in the database itself with a client of its own
 * (./fixture.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { StoreError } from '../../server/errors';
import type { Stores } from '../../server/store/contract';
import { rejectsWith } from '../contract/fixture';
import { makeIndicator, toNewVersion } from '../helpers/stix';
import { emptyStatus } from '../helpers/store';
import { freshDatabase, type MongoTestDatabase } from './fixture';

describe('MongoDB backend: stored documents', function () {
  this.timeout(60_000);
  let fresh: MongoTestDatabase | undefined;
  let db: Db;
  let s: Stores;

  before(async function () {
    fresh = await freshDatabase(this);
    db = fresh.db;
    s = await fresh.open();
  });

  after(async function () {
    await fresh?.dispose();
  });

  describe('statuses', function () {
    /** A status document written directly (as an older version did); its id. */
    async function storedStatus(fields: Record<string, unknown>): Promise<string> {
      const id = randomUUID();
      const common = { _id: id, apiRoot: 'r', collectionId: 'c', member: 'm', requestTimestamp: 5 };
      await db.collection('statuses').insertOne({ ...common, ...fields } as never);
      return id;
    }

    it('stores the expiry also as a Date (millisecond, rounded down) for the TTL index', async function () {
      const expiresAt = Date.UTC(2030, 0, 2, 3, 4, 5, 678) * 1000 + 999;
      const id = randomUUID();
      await s.statuses.putStatus(
        emptyStatus({
          id,
          apiRoot: 'r',
          collectionId: 'c',
          member: 'm',
          requestTimestamp: expiresAt - 1,
          expiresAt,
        }),
      );
      const doc = await db.collection('statuses').findOne({ _id: id } as never);
      assert.ok(doc);
      assert.ok(doc.expiresAtDate instanceof Date);
      assert.equal((doc.expiresAtDate as Date).toISOString(), '2030-01-02T03:04:05.678Z');
      assert.equal(doc.expiresAt, expiresAt);
    });

    it("reads a status stored without counts (the lists' lengths), null and absent messages as none", async function () {
      const id = await storedStatus({
        status: 'complete',
        totalCount: 3,
        successes: [
          { id: 'indicator--1', version: 'v1', message: null },
          { id: 'indicator--2', version: 'v2', message: 'kept' },
        ],
        failures: [{ id: 'indicator--3', version: 'v3', message: 'bad' }],
        pendings: [{ id: 'indicator--4', version: 'v4' }],
        expiresAt: 10,
        expiresAtDate: new Date(0),
      });
      assert.deepEqual(await s.statuses.getStatus({ apiRoot: 'r', id }), {
        id,
        apiRoot: 'r',
        collectionId: 'c',
        member: 'm',
        requestTimestamp: 5,
        status: 'complete',
        totalCount: 3,
        successCount: 2,
        failureCount: 1,
        pendingCount: 1,
        successes: [
          { id: 'indicator--1', version: 'v1' },
          { id: 'indicator--2', version: 'v2', message: 'kept' },
        ],
        failures: [{ id: 'indicator--3', version: 'v3', message: 'bad' }],
        pendings: [{ id: 'indicator--4', version: 'v4' }],
        expiresAt: 10,
      });
    });

    it('reads a status stored without its lists as one with empty lists', async function () {
      const id = await storedStatus({
        status: 'pending',
        totalCount: 2,
        successCount: 1,
        failureCount: 0,
        pendingCount: 1,
        expiresAt: 10,
        expiresAtDate: new Date(0),
      });
      const got = await s.statuses.getStatus({ apiRoot: 'r', id });
      assert.deepEqual(
        [got?.status, got?.successCount, got?.pendingCount, got?.successes, got?.failures, got?.pendings],
        ['pending', 1, 1, [], [], []],
      );
    });
  });
  describe('registry', function () {
    it('reads a collection stored before grants, TLP defaults, alias and description (nulls as absent)', async function () {
      const root = `root-${randomUUID().slice(0, 8)}`;
      await s.registry.createApiRoot({ name: root, title: 'T' });
      const id = randomUUID();
      await db.collection('collections').insertOne({
        _id: id,
        apiRoot: root,
        title: 'old',
        description: null,
        alias: null,
        ak: JSON.stringify([root, 'id', id]),
        mediaTypes: ['application/stix+json;version=2.1'],
        createdAt: 7,
      } as never);
      const expected = {
        id,
        apiRoot: root,
        title: 'old',
        mediaTypes: ['application/stix+json;version=2.1'],
        grants: [],
        defaultTlp: 'amber',
        createdAt: 7,
      };
      assert.deepEqual(await s.registry.findCollection({ apiRoot: root, idOrAlias: id }), expected);
      assert.deepEqual(await s.registry.listCollections({ apiRoot: root, visibleTo: 'all' }), [expected]);
      // Its grants are changed like any other collection's.
      const after = await s.registry.putGrant({
        collectionId: id,
        grant: { group: 'g', read: true, write: false },
      });
      assert.deepEqual(after.grants, [{ group: 'g', read: true, write: false, maxTlp: 'amber' }]);
    });

    it('stores roots and collections as designed: the alias/id key, absent fields left out (not null)', async function () {
      const root = `root-${randomUUID().slice(0, 8)}`;
      const r = await s.registry.createApiRoot({ name: root, title: 'T' });
      assert.deepEqual(await db.collection('apiroots').findOne({ _id: root } as never), {
        _id: root,
        title: 'T',
        createdAt: r.createdAt,
      });
      const [plain, aliased] = [randomUUID(), randomUUID()];
      const a = await s.registry.createCollection({
        id: plain,
        apiRoot: root,
        title: 'p',
        mediaTypes: [],
        grants: [],
      });
      const b = await s.registry.createCollection({
        id: aliased,
        apiRoot: root,
        title: 'a',
        alias: 'intel',
        description: 'd',
        mediaTypes: ['application/stix+json;version=2.1'],
        grants: [{ group: 'g', read: true, write: false }],
        defaultTlp: 'green',
      });
      assert.deepEqual(await db.collection('collections').findOne({ _id: plain } as never), {
        _id: plain,
        apiRoot: root,
        title: 'p',
        ak: JSON.stringify([root, 'id', plain]),
        mediaTypes: [],
        grants: [],
        defaultTlp: 'amber',
        createdAt: a.createdAt,
      });
      assert.deepEqual(await db.collection('collections').findOne({ _id: aliased } as never), {
        _id: aliased,
        apiRoot: root,
        title: 'a',
        ak: JSON.stringify([root, 'alias', 'intel']),
        mediaTypes: ['application/stix+json;version=2.1'],
        grants: [{ group: 'g', read: true, write: false, maxTlp: 'amber' }],
        defaultTlp: 'green',
        createdAt: b.createdAt,
        description: 'd',
        alias: 'intel',
      });
    });

    it('reads an API root stored with a null description as one without', async function () {
      const name = `root-${randomUUID().slice(0, 8)}`;
      await db
        .collection('apiroots')
        .insertOne({ _id: name, title: 'T', description: null, createdAt: 3 } as never);
      assert.deepEqual(await s.registry.getApiRoot(name), { name, title: 'T', createdAt: 3 });
    });
  });

  describe('state', function () {
    it('stores a shared secret as 32 random bytes under secret:<name>; a non-binary value is refused', async function () {
      const secret = await s.state.sharedSecret('cursor');
      const stored = await db
        .collection('meta')
        .findOne({ _id: 'secret:cursor' } as never, { promoteBuffers: true });
      assert.deepEqual(Object.keys(stored ?? {}).sort(), ['_id', 'value']);
      assert.ok(Buffer.isBuffer(stored?.value) && stored.value.length === 32);
      assert.ok(secret.equals(stored.value as Buffer));
      await db.collection('meta').insertOne({ _id: 'secret:odd', value: 'text' } as never);
      await rejectsWith(s.state.sharedSecret('odd'), StoreError, 'shared secret odd: no binary value stored');
    });

    it("keeps a key's current and previous versions, each its own document", async function () {
      const key = `k-${randomUUID().slice(0, 8)}`;
      for (const n of [0, 1, 2])
        assert.equal(await s.state.putState({ key, value: `v${n + 1}`, expectedVersion: n }), true);
      const docs = await db.collection('state').find({ k: key }).sort({ v: 1 }).toArray();
      assert.deepEqual(docs, [
        { _id: JSON.stringify([key, 2]), k: key, v: 2, value: 'v2' },
        { _id: JSON.stringify([key, 3]), k: key, v: 3, value: 'v3' },
      ]);
    });

    it('a put that then finds a later version (a writer stalled past a deletion) reports false', async function () {
      const key = `k-${randomUUID().slice(0, 8)}`;
      await s.state.putState({ key, value: 'a', expectedVersion: 0 });
      await db
        .collection('state')
        .insertOne({ _id: JSON.stringify([key, 5]), k: key, v: 5, value: 'later' } as never);
      assert.equal(await s.state.putState({ key, value: 'b', expectedVersion: 1 }), false);
      assert.deepEqual(await s.state.getState(key), { key, value: 'later', version: 5 });
    });
  });

  describe('audit', function () {
    it('reads a record stored without its optional fields as nulls', async function () {
      await db
        .collection('audit')
        .insertOne({ at: 11, kind: 'read', endpoint: '/taxii2/', status: 200 } as never);
      assert.deepEqual(await s.audit.queryAudit({ since: 11, limit: 1 }), [
        {
          at: 11,
          kind: 'read',
          member: null,
          address: null,
          endpoint: '/taxii2/',
          apiRoot: null,
          collection: null,
          count: null,
          status: 200,
          detail: null,
        },
      ]);
    });
  });

  describe('principals', function () {
    it('records when a removed member was removed, once', async function () {
      const name = `m-${randomUUID().slice(0, 8)}`;
      await s.principals.createMember({ name, secretHash: 'h' });
      const t0 = Date.now() * 1000;
      await s.principals.removeMember(name);
      const doc = await db.collection('removedmembers').findOne({ _id: name } as never);
      assert.ok(doc && typeof doc.removedAt === 'number' && doc.removedAt >= t0, JSON.stringify(doc));
    });

    it('stores members, groups and memberships as designed', async function () {
      const [m, g] = [`m-${randomUUID().slice(0, 8)}`, `g-${randomUUID().slice(0, 8)}`];
      const member = await s.principals.createMember({ name: m, secretHash: 'h' });
      const group = await s.principals.createGroup(g);
      await s.principals.joinGroup({ member: m, group: g });
      assert.deepEqual(await db.collection('members').findOne({ _id: m } as never), {
        _id: m,
        secretHash: 'h',
        disabled: false,
        createdAt: member.createdAt,
      });
      assert.deepEqual(await db.collection('groups').findOne({ _id: g } as never), {
        _id: g,
        createdAt: group.createdAt,
      });
      assert.deepEqual(
        await db
          .collection('memberships')
          .find({ m } as never)
          .toArray(),
        [{ _id: JSON.stringify([g, m]), g, m }],
      );
    });

    it('reads a member stored without the disabled flag as enabled', async function () {
      const name = `m-${randomUUID().slice(0, 8)}`;
      await db.collection('members').insertOne({ _id: name, secretHash: 'h', createdAt: 4 } as never);
      assert.deepEqual(await s.principals.getMember(name), {
        name,
        secretHash: 'h',
        disabled: false,
        createdAt: 4,
        groups: [],
      });
      const listed = (await s.principals.listMembers()).find((m) => m.name === name);
      assert.deepEqual(listed, { name, secretHash: 'h', disabled: false, createdAt: 4, groups: [] });
    });

    it('lists API keys by member, then creation time, then id; certificates by member, then fingerprint', async function () {
      const u = randomUUID().slice(0, 8);
      const [ma, mb] = [`a-${u}`, `b-${u}`];
      for (const name of [mb, ma]) await s.principals.createMember({ name, secretHash: 'h' });
      const keys = [
        { _id: `k3-${u}`, member: mb, createdAt: 1 },
        { _id: `k2-${u}`, member: ma, createdAt: 5 },
        { _id: `k1-${u}`, member: ma, createdAt: 5 },
        { _id: `k0-${u}`, member: ma, createdAt: 9 },
        { _id: `k4-${u}`, member: ma, createdAt: 2 },
      ];
      await db.collection('apikeys').insertMany(keys.map((k) => ({ ...k, hash: 'x' })) as never[]);
      const listed = (await s.principals.listApiKeys({})).filter((k) => k.id.endsWith(u)).map((k) => k.id);
      assert.deepEqual(listed, [`k4-${u}`, `k1-${u}`, `k2-${u}`, `k0-${u}`, `k3-${u}`]);
      const certs = [
        { _id: `f2-${u}`, member: mb },
        { _id: `f3-${u}`, member: ma },
        { _id: `f1-${u}`, member: ma },
      ];
      await db.collection('certificates').insertMany(certs.map((c) => ({ ...c, createdAt: 1 })) as never[]);
      const bound = (await s.principals.listCertificates({})).filter((c) => c.fingerprint.endsWith(u));
      assert.deepEqual(
        bound.map((c) => c.fingerprint),
        [`f1-${u}`, `f3-${u}`, `f2-${u}`],
      );
    });

    it('reads API keys and certificates stored without their optional fields as null', async function () {
      const member = `m-${randomUUID().slice(0, 8)}`;
      await s.principals.createMember({ name: member, secretHash: 'h' });
      const keyId = `k-${randomUUID().slice(0, 8)}`;
      await db.collection('apikeys').insertOne({ _id: keyId, member, hash: 'kh', createdAt: 9 } as never);
      const key = {
        id: keyId,
        member,
        name: null,
        hash: 'kh',
        createdAt: 9,
        expiresAt: null,
        revokedAt: null,
      };
      assert.deepEqual(await s.principals.getApiKey(keyId), key);
      assert.deepEqual(await s.principals.listApiKeys({ member }), [key]);
      const fp = randomBytes(32).toString('hex');
      await db.collection('certificates').insertOne({ _id: fp, member, createdAt: 11 } as never);
      const cert = { fingerprint: fp, member, subject: null, createdAt: 11 };
      assert.deepEqual(await s.principals.getCertificate(fp), cert);
      assert.deepEqual(await s.principals.listCertificates({ member }), [cert]);
    });
  });
  describe('objects', function () {
    it('pages in dateAdded order, not in the order the documents were written', async function () {
      const root = `root-${randomUUID().slice(0, 8)}`;
      await s.registry.createApiRoot({ name: root, title: 'T' });
      const c = randomUUID();
      await s.registry.createCollection({ id: c, apiRoot: root, title: 't', mediaTypes: [], grants: [] });
      const objs = [makeIndicator(), makeIndicator(), makeIndicator()];
      const added = await s.objects.addObjects({
        collectionId: c,
        addedBy: 'm',
        objects: objs.map(toNewVersion),
      });
      // The second document written now has the lowest dateAdded.
      const da = (added[0]?.dateAdded ?? 0) - 1;
      await db.collection('objects').updateOne({ c, oid: objs[1]?.id }, { $set: { da } });
      const page = await s.objects.queryObjects({
        visibleTo: 'all',
        collectionId: c,
        filter: {},
        limit: 10,
        withBody: false,
      });
      assert.deepEqual(
        page.items.map((v) => v.id),
        [1, 0, 2].map((i) => objs[i]?.id),
      );
      assert.equal(page.items[0]?.dateAdded, da);
    });
  });
});
