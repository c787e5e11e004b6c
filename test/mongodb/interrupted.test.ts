/**
 * Writes of the MongoDB objects concern that the network or the server interrupts. The store under
 * test talks to the server through a loopback relay (./relay.ts) that breaks one chosen command's
 * connection (before the server gets it, or after the server executed it and before the reply),
 * delivers it twice, or answers for a server the way a replica set or an access-controlled server
 * would. What the store wrote is then read straight from the database. The promises under test:
 * a request that gets an error leaves nothing stored behind it (at once, or, when the store does
 * not answer, by the writer's next repair, with the block hidden until then); a failure never leaves
 * a reservation that hides later batches; and a command the server receives twice is recognised.
 */
import assert from 'node:assert/strict';
import type { Document } from 'mongodb';
import { StoreError, StoreUnavailableError } from '../../server/errors';
import type { Stores } from '../../server/store/contract';
import { createMongoStores } from '../../server/store/mongodb';
import type { ClockLink, IntentDoc } from '../../server/store/mongodb/objects/clock';
import type { ObjectDoc } from '../../server/store/mongodb/objects/documents';
import { versionKey } from '../../server/time';
import { makeIndicator, makeIpv4Addr, toNewVersion, withModified } from '../helpers/stix';
import { newCollection, useFreshDatabase, visible } from './fixture';
import { Relay } from './relay';

describe('MongoDB backend: writes the network or the server interrupts', function () {
  this.timeout(60_000);
  const fresh = useFreshDatabase();
  const opened: Stores[] = [];
  const objects = () => fresh().db.collection<ObjectDoc>('objects');
  const links = () => fresh().db.collection<ClockLink>('clock');
  const intents = () => fresh().db.collection<IntentDoc>('intents');

  afterEach(async function () {
    for (const s of opened.splice(0)) await s.close().catch(() => {});
  });

  /** A store on the fresh database through a relay (not yet initialised). */
  async function relayed(): Promise<{ s: Stores; relay: Relay }> {
    const direct = new URL(fresh().url);
    const relay = new Relay({ host: direct.hostname, port: Number(direct.port) });
    const url = new URL(fresh().url);
    url.port = String(await relay.listen());
    url.search = '?serverSelectionTimeoutMS=5000';
    const s = createMongoStores(url.href);
    opened.push(s);
    return { s, relay };
  }

  /** An initialised relayed store and a collection on it. */
  async function openRelayed(): Promise<{ s: Stores; relay: Relay; c: string }> {
    const { s, relay } = await relayed();
    await s.init();
    return { s, relay, c: await newCollection(s) };
  }

  const add = (s: Stores, c: string, objs: Document[]) =>
    s.objects.addObjects({
      collectionId: c,
      addedBy: 'publisher',
      objects: objs.map((o) => toNewVersion(o as Parameters<typeof toNewVersion>[0])),
    });

  /** What is stored in collection `c`: version keys by id, and the flags of each version. */
  async function stored(c: string): Promise<string[]> {
    const docs = await objects().find({ c }).sort({ oid: 1, vk: 1 }).toArray();
    return docs.map((d) => `${d.oid} ${d.ver}${d.first ? ' first' : ''}${d.last ? ' last' : ''}`);
  }

  /** The links of the clock not done. */
  const undone = () => links().find({ done: false }).toArray();

  /** An indicator with versions in January (created), February, March. */
  function versions(): [Document, Document, Document] {
    const v1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    return [v1, withModified(v1, '2025-02-01T00:00:00.000Z'), withModified(v1, '2025-03-01T00:00:00.000Z')];
  }

  it('a batch of new versions costs one read, one insert and one settling read; only the flags of stored versions are rewritten', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2, x3] = versions();
    const [y1, y2] = versions();
    const [z1, z2] = versions();
    const sco = makeIpv4Addr();
    await add(s, c, [x2, z1]);
    const from = relay.commands.length;
    const out = await add(s, c, [x3, x1, y2, y1, z2, sco]);
    assert.deepEqual(
      out.map((o) => o.outcome),
      ['added', 'added', 'added', 'added', 'added', 'added'],
    );
    // Stored before: x in February (first and last: now neither), z in January (now first only).
    // The new versions are written with their flags right: two updates, for those two alone.
    assert.deepEqual(relay.commandsOn('objects', from), [
      'find',
      'insert',
      'find',
      'update',
      'update',
      'find',
    ]);
    const updates = relay
      .sentOn('objects', from)
      .filter((cmd) => cmd.command === 'update')
      .flatMap((cmd) => (cmd.doc.updates as Document[]).map((u) => [u.q, u.u]));
    const docId = (o: Document) => `${c}|${o.id}|${versionKey(o.modified)}`;
    assert.deepEqual(updates, [
      [{ _id: { $in: [docId(z1)] } }, { $set: { first: true, last: false } }],
      [{ _id: { $in: [docId(x2)] } }, { $set: { first: false, last: false } }],
    ]);
    const [jan, feb, mar] = ['2025-01', '2025-02', '2025-03'].map((m) => `${m}-01T00:00:00.000Z`);
    const expected = [
      [`${x1.id} ${jan} first`, `${x1.id} ${feb}`, `${x1.id} ${mar} last`],
      [`${y1.id} ${jan} first`, `${y1.id} ${feb} last`],
      [`${z1.id} ${jan} first`, `${z1.id} ${feb} last`],
      [`${sco.id} ${out[5]?.version} first last`],
    ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1));
    assert.deepEqual(await stored(c), expected.flat());
  });

  it('a lost reply to the insert of a batch (the server stored it): the request fails, the batch is removed, later batches are seen at once', async function () {
    const { s, relay, c } = await openRelayed();
    const other = await newCollection(s);
    const [x1, x2] = versions();
    const kept = makeIndicator();
    await add(s, c, [x1]);
    await add(s, other, [kept]);
    const before = await stored(c);
    const cut = relay.fail('insert', 'objects', 'drop-reply');
    await assert.rejects(add(s, c, [x2, makeIndicator()]), StoreUnavailableError);
    await cut;
    assert.deepEqual(await stored(c), before);
    assert.equal((await stored(other)).length, 1);
    assert.deepEqual(await undone(), []);
    const later = makeIndicator();
    await add(s, c, [later]);
    assert.deepEqual(await visible(s, c), [x1.id, later.id]);
  });

  it('the store fails when the batch is stored and settled (finishing its reservation): the batch is removed, the older version is last again', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2] = versions();
    await add(s, c, [x1]);
    const before = await stored(c);
    assert.deepEqual(before, [`${x1.id} 2025-01-01T00:00:00.000Z first last`]);
    const cut = relay.fail('update', 'clock', 'drop-request');
    await assert.rejects(add(s, c, [x2, makeIndicator()]), StoreUnavailableError);
    await cut;
    assert.deepEqual(await stored(c), before);
    assert.deepEqual(await undone(), []);
    const later = makeIndicator();
    await add(s, c, [later]);
    assert.deepEqual(await visible(s, c), [x1.id, later.id]);
  });

  it('the store fails when removing the links the batch made history: the batch is added all the same, and the next batch removes them', async function () {
    const { s, relay, c } = await openRelayed();
    await add(s, c, [makeIndicator()]);
    const cut = relay.fail('delete', 'clock', 'drop-request');
    const obj = makeIndicator();
    const [out] = await add(s, c, [obj]);
    await cut;
    assert.equal(out?.outcome, 'added');
    assert.equal((await visible(s, c)).length, 2);
    assert.equal(await links().countDocuments(), 2, 'the previous link is left');
    await add(s, c, [makeIndicator()]);
    assert.deepEqual(
      (await links().find({}).toArray()).map((l) => l.done),
      [true],
    );
  });

  it('the store stops answering midway and the writer cannot remove its batch: the batch stays hidden, with every later one, until the writer’s repair removes it (at the latest when it closes)', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2] = versions();
    await add(s, c, [x1]);
    const cuts = [
      relay.fail('insert', 'objects', 'drop-reply'),
      relay.fail('delete', 'objects', 'drop-request'),
    ];
    await assert.rejects(add(s, c, [x2, makeIndicator()]), StoreUnavailableError);
    await Promise.all(cuts);
    // The server has the batch; nobody may see it, nor anything added after it.
    assert.equal((await stored(c)).length, 3);
    assert.equal((await undone()).length, 1);
    const later = makeIndicator();
    await add(s, c, [later]);
    assert.deepEqual(await visible(s, c), [x1.id]);
    const other = await fresh().open();
    assert.deepEqual(await visible(other, c), [x1.id]);
    await s.close();
    assert.deepEqual(await visible(other, c), [x1.id, later.id]);
    assert.deepEqual(
      (await stored(c)).filter((f) => !f.startsWith(later.id)),
      [`${x1.id} 2025-01-01T00:00:00.000Z first last`],
    );
    assert.deepEqual(await undone(), []);
  });

  it('a lost reply to a reservation: the add fails, and the reservation the server stored hides no later batch', async function () {
    const { s, relay, c } = await openRelayed();
    const cut = relay.fail('insert', 'clock', 'drop-reply');
    const failed = makeIndicator();
    await assert.rejects(add(s, c, [failed]), StoreUnavailableError);
    await cut;
    assert.equal((await undone()).length, 1, 'the reservation is stored');
    const later = makeIndicator();
    await add(s, c, [later]);
    assert.deepEqual(await visible(s, c), [later.id]);
    // The writer's repair (here: at close) closes it.
    await s.close();
    assert.deepEqual(await undone(), []);
  });

  it('a reservation the server receives twice is the writer’s own: the batch is added and seen, nothing left unfinished', async function () {
    const { s, relay, c } = await openRelayed();
    const replayed = relay.fail('insert', 'clock', 'replay');
    const obj = makeIndicator();
    const [out] = await add(s, c, [obj]);
    await replayed;
    assert.equal(out?.outcome, 'added');
    assert.deepEqual(await visible(s, c), [obj.id]);
    assert.deepEqual(await undone(), []);
    const [link] = await links().find({}).sort({ _id: -1 }).limit(1).toArray();
    assert.equal(link?.s, out?.dateAdded);
  });

  it('a batch insert the server receives twice is the writer’s own: every object is added, once', async function () {
    const { s, relay, c } = await openRelayed();
    const replayed = relay.fail('insert', 'objects', 'replay');
    const batch = [makeIndicator(), makeIpv4Addr(), makeIndicator()];
    const out = await add(s, c, batch);
    await replayed;
    assert.deepEqual(
      out.map((o) => [o.id, o.outcome]),
      batch.map((o) => [o.id, 'added']),
    );
    const docs = await objects().find({ c }).sort({ da: 1 }).toArray();
    assert.deepEqual(
      docs.map((d) => [d.oid, d.da]),
      out.map((o) => [o.id, o.dateAdded]),
    );
    assert.deepEqual(
      await visible(s, c),
      batch.map((o) => o.id),
    );
  });

  it('a write concern error on the batch insert (a replica set that could not replicate it in time): 503, and the batch is removed', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2] = versions();
    await add(s, c, [x1]);
    const before = await stored(c);
    const amended = relay.fail('insert', 'objects', {
      amend: {
        writeConcernError: {
          code: 64,
          codeName: 'WriteConcernFailed',
          errmsg: 'waiting for replication timed out',
          errInfo: { wtimeout: true },
        },
      },
    });
    await assert.rejects(add(s, c, [x2, makeIndicator()]), StoreUnavailableError);
    await amended;
    assert.deepEqual(await stored(c), before);
    assert.deepEqual(await undone(), []);
    assert.deepEqual(await visible(s, c), [x1.id]);
  });

  it('a batch the server refuses in part (a validator refusing one document while another is a duplicate) fails whole: 500, and the batch is removed', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2] = versions();
    await add(s, c, [x1]);
    const before = await stored(c);
    const refused = relay.fail('insert', 'objects', {
      amend: {
        writeErrors: [
          {
            index: 0,
            code: 121,
            codeName: 'DocumentValidationFailure',
            errmsg: 'Document failed validation',
          },
          { index: 1, code: 11000, codeName: 'DuplicateKey', errmsg: 'E11000 duplicate key error' },
        ],
      },
    });
    await assert.rejects(
      add(s, c, [x2, makeIndicator()]),
      (e: unknown) =>
        e instanceof StoreError && !(e instanceof StoreUnavailableError) && /validation/.test(e.message),
    );
    await refused;
    assert.deepEqual(await stored(c), before);
    assert.deepEqual(await undone(), []);
  });

  it('a delete that fails leaves its intent, and the writer’s repair (here: at close) settles the object and removes it', async function () {
    const { s, relay, c } = await openRelayed();
    const [x1, x2] = versions();
    const [y1, y2] = versions();
    await add(s, c, [x1, x2, y1, y2]);
    const before = await stored(c);
    const del = (id: string) =>
      s.objects.deleteObject({
        collectionId: c,
        visibleTo: 'all',
        id,
        versions: { kind: 'some', first: false, last: true, exact: [] },
      });
    // The intent's reply lost (the server stored it), then the delete's own command lost.
    const cuts = [
      relay.fail('insert', 'intents', 'drop-reply'),
      relay.fail('delete', 'objects', 'drop-request'),
    ];
    await assert.rejects(del(x1.id as string), StoreUnavailableError);
    await assert.rejects(del(y1.id as string), StoreUnavailableError);
    await Promise.all(cuts);
    const left = await intents().find({}).sort({ oid: 1 }).toArray();
    assert.deepEqual(
      left.map((i) => [i.c, i.oid]),
      [
        [c, x1.id],
        [c, y1.id],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
    await s.close();
    assert.equal(await intents().countDocuments(), 0);
    assert.deepEqual(await stored(c), before);
  });

  it('a store whose clock cannot be started does not open, and opens at the next try', async function () {
    const { s, relay } = await relayed();
    const cut = relay.fail('insert', 'clock', 'drop-request');
    await assert.rejects(s.init(), StoreUnavailableError);
    await cut;
    assert.equal(await links().countDocuments(), 0);
    await s.init();
    assert.deepEqual(
      (await links().find({}).toArray()).map((l) => [l._id, l.done]),
      [[0, true]],
    );
  });

  describe('the TLP migration at open', function () {
    const marker = () =>
      fresh()
        .db.collection('meta')
        .findOne({ _id: 'migration:object-tlp' as never });

    it('fails when an old index cannot be dropped (the server refuses), and runs again at the next start', async function () {
      const { s, relay } = await relayed();
      const refused = relay.fail('dropIndexes', 'objects', {
        reply: {
          ok: 0,
          code: 13,
          codeName: 'Unauthorized',
          errmsg: 'not authorized to execute command dropIndexes',
        },
      });
      await assert.rejects(
        s.init(),
        (e: unknown) => e instanceof StoreError && /not authorized/.test(e.message),
      );
      await refused;
      assert.equal(await marker(), null);
      await s.init();
      assert.ok(await marker());
    });

    it('fails when its marker cannot be written, and runs again at the next start', async function () {
      const { s, relay } = await relayed();
      const cut = relay.fail('insert', 'meta', 'drop-request');
      await assert.rejects(s.init(), StoreUnavailableError);
      await cut;
      assert.equal(await marker(), null);
      await s.init();
      assert.ok(await marker());
    });
  });
});
