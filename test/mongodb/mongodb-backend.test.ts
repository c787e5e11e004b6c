/**
 * MongoDB-specific tests of server/store/mongodb (the shared contract suite in test/contract covers
 * the store semantics). The server and the fresh database: ./fixture.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Db } from 'mongodb';
import { StoreUnavailableError } from '../../server/errors';
import type { AddOutcome, NewObjectVersion, VersionSelector } from '../../server/store/contract';
import { LEASE_MICROS, hostKey, type ClockLink } from '../../server/store/mongodb/objects/clock';
import { INDEXES } from '../../server/store/mongodb/indexes';
import { createMongoStores } from '../../server/store/mongodb';
import { nowMicros } from '../../server/time';
import { makeIndicator, toNewVersion, withModified } from '../helpers/stix';
import { freshDatabase, newCollection, type MongoTestDatabase } from './fixture';

const LAST: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };

function indicators(n: number): NewObjectVersion[] {
  return Array.from({ length: n }, () => toNewVersion(makeIndicator()));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

describe('MongoDB backend', function () {
  this.timeout(120_000);
  let fresh: MongoTestDatabase | undefined;
  let db: Db;
  const open = () => (fresh as MongoTestDatabase).open();

  before(async function () {
    fresh = await freshDatabase(this);
    db = fresh.db;
  });

  after(async function () {
    await fresh?.dispose();
  });

  it('documents written before TLP ceilings are classified from their bodies when a store opens', async function () {
    const a = await open();
    const c = await newCollection(a);
    const red = makeIndicator({
      object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
    });
    const plain = makeIndicator();
    await a.objects.addObjects({ collectionId: c, addedBy: 'm', objects: [red, plain].map(toNewVersion) });
    // What an earlier Tessera left: no tlp, no migration marker, the old paging index.
    await db.collection('objects').updateMany({ c }, { $unset: { tlp: '' } });
    await db.collection('meta').deleteOne({ _id: 'migration:object-tlp' } as never);
    await db.collection('objects').createIndex({ c: 1, last: 1, da: 1 }, { name: 'objects_last' });
    const b = await open();
    const seen = async (ranks: (0 | 4)[], unmarked: boolean) =>
      (
        await b.objects.queryObjects({
          collectionId: c,
          visibleTo: { ranks, unmarked, publisher: null },
          filter: {},
          limit: 10,
          withBody: false,
        })
      ).items.map((v) => v.id);
    assert.deepEqual(await seen([4], false), [red.id]);
    assert.deepEqual(await seen([0], true), [plain.id]);
    assert.equal(await db.collection('objects').countDocuments({ c, tlp: { $exists: false } }), 0);
    const names = (await db.collection('objects').listIndexes().toArray()).map((ix) => String(ix.name));
    assert.ok(!names.includes('objects_last'), names.join(','));
    assert.ok(await db.collection('meta').findOne({ _id: 'migration:object-tlp' } as never));
  });

  it('creates its indexes at init, idempotently, also from a second instance', async function () {
    const a = await open();
    const names = async () => {
      const out: Record<string, string[]> = {};
      for (const coll of new Set(INDEXES.map((d) => d.collection))) {
        out[coll] = (await db.collection(coll).listIndexes().toArray()).map((ix) => String(ix.name)).sort();
      }
      return out;
    };
    const first = await names();
    for (const def of INDEXES) {
      if (def.optional) continue; // TTL: not on FerretDB 1.x
      assert.ok(first[def.collection]?.includes(def.name), `index ${def.name} exists`);
    }
    await a.init();
    const b = await open();
    await Promise.all([a.init(), b.init()]);
    assert.deepEqual(await names(), first);
  });

  it('gives unique, increasing dateAdded values to two instances writing interleaved batches', async function () {
    const [a, b] = await Promise.all([open(), open()]);
    const col = await newCollection(a);
    const results: AddOutcome[][] = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? a : b).objects.addObjects({
          collectionId: col,
          addedBy: `w${i % 2}`,
          objects: indicators(25),
        }),
      ),
    );
    const all = results.flat();
    assert.ok(all.every((o) => o.outcome === 'added'));
    assert.equal(new Set(all.map((o) => o.dateAdded)).size, all.length, 'dateAdded values are unique');
    for (const r of results) {
      for (let i = 1; i < r.length; i++)
        assert.ok((r[i] as AddOutcome).dateAdded > (r[i - 1] as AddOutcome).dateAdded);
    }
    // A client paging through either instance sees every object once, in dateAdded order.
    const seen: number[] = [];
    let after: number | undefined;
    for (let page = 0; ; page++) {
      const p = await (page % 2 === 0 ? a : b).objects.queryObjects({
        visibleTo: 'all',
        collectionId: col,
        filter: {},
        after,
        limit: 7,
        withBody: false,
      });
      seen.push(...p.items.map((v) => v.dateAdded));
      if (!p.more) break;
      after = seen[seen.length - 1];
    }
    assert.deepEqual(
      seen,
      all.map((o) => o.dateAdded).sort((x, y) => x - y),
    );
  });

  it('hides objects reserved after an unfinished reservation until it finishes or its lease ends', async function () {
    const s = await open();
    const col = await newCollection(s);
    const before = await s.objects.addObjects({ collectionId: col, addedBy: 'm', objects: indicators(2) });
    // A writer on another host that reserved a block and has not finished yet.
    const links = db.collection<ClockLink>('clock');
    const head = await links.find({}).sort({ _id: -1 }).limit(1).next();
    assert.ok(head);
    const stalled: ClockLink = {
      _id: head._id + 1,
      t: 'stalled',
      s: Math.max(head.e, nowMicros()),
      e: Math.max(head.e, nowMicros()) + 10,
      c: col,
      at: nowMicros(),
      done: false,
      i: 'elsewhere',
      h: 'another-host|',
      p: 1,
    };
    await links.insertOne(stalled);
    const later = await s.objects.addObjects({ collectionId: col, addedBy: 'm', objects: indicators(2) });
    assert.ok((later[0] as AddOutcome).dateAdded >= stalled.e, 'later batch is above the stalled block');
    const visible = async () =>
      (
        await s.objects.queryObjects({
          visibleTo: 'all',
          collectionId: col,
          filter: {},
          limit: 100,
          withBody: false,
        })
      ).items.map((v) => v.id);
    assert.deepEqual(
      await visible(),
      before.map((o) => o.id),
      'the later batch waits for the stalled one',
    );
    await links.updateOne({ _id: stalled._id }, { $set: { at: nowMicros() - 2 * LEASE_MICROS } });
    assert.deepEqual(
      await visible(),
      [...before, ...later].map((o) => o.id),
      'an expired lease no longer hides',
    );
  });

  it('repairs the first/last flags of a writer that died mid-batch, at the next start', async function () {
    const s = await open();
    const col = await newCollection(s);
    const v1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const v2 = withModified(v1, '2025-02-01T00:00:00.000Z');
    await s.objects.addObjects({ collectionId: col, addedBy: 'm', objects: [toNewVersion(v1)] });
    const [added] = await s.objects.addObjects({
      collectionId: col,
      addedBy: 'm',
      objects: [toNewVersion(v2)],
    });
    assert.ok(added);
    // Simulate a crash after the insert of v2 and before its flags settled: both versions "last",
    // and the writer's reservation left unfinished by a process that no longer exists.
    const objects = db.collection('objects');
    await objects.updateMany({ c: col, oid: v1.id }, { $set: { last: true, first: true } });
    const links = db.collection<ClockLink>('clock');
    const head = await links.find({}).sort({ _id: -1 }).limit(1).next();
    assert.ok(head);
    await links.insertOne({
      _id: head._id + 1,
      t: 'crashed',
      s: added.dateAdded,
      e: added.dateAdded + 1,
      c: col,
      at: nowMicros(),
      done: false,
      i: 'dead',
      h: hostKey(),
      p: 2 ** 22 + 12345, // above pid_max on default kernels: no such process
    });
    const restarted = await open();
    const last = await restarted.objects.queryObjects({
      visibleTo: 'all',
      collectionId: col,
      filter: { versions: LAST },
      limit: 10,
      withBody: false,
    });
    assert.deepEqual(
      last.items.map((v) => v.version),
      ['2025-02-01T00:00:00.000Z'],
    );
    const first = await objects.find({ c: col, oid: v1.id, first: true }).toArray();
    assert.equal(first.length, 1);
    assert.equal((await links.findOne({ t: 'crashed' }))?.done, true);
  });

  it('stores and serves bodies byte for byte', async function () {
    const s = await open();
    const col = await newCollection(s);
    const obj = toNewVersion(makeIndicator());
    obj.body = `{ "b": "caf\u00e9 \u{1F600} \\u0000",\n\t"id":"${obj.id}" ,"x":1.50 }`;
    await s.objects.addObjects({ collectionId: col, addedBy: 'm', objects: [obj] });
    const page = await s.objects.queryObjects({
      visibleTo: 'all',
      collectionId: col,
      filter: {},
      limit: 1,
      withBody: true,
    });
    assert.equal(page.items[0]?.body, obj.body);
    const bare = await s.objects.queryObjects({
      visibleTo: 'all',
      collectionId: col,
      filter: {},
      limit: 1,
      withBody: false,
    });
    assert.equal(bare.items[0]?.body, undefined);
  });

  it('translates an unreachable server into StoreUnavailableError', async function () {
    const port = await freePort();
    const s = createMongoStores(`mongodb://127.0.0.1:${port}/tessera_down?serverSelectionTimeoutMS=300`);
    await assert.rejects(s.init(), StoreUnavailableError);
    await s.close();
    const closed = await open();
    await closed.close();
    await assert.rejects(closed.ping(), StoreUnavailableError);
    await assert.rejects(closed.objects.countObjects('x'), StoreUnavailableError);
  });
});
