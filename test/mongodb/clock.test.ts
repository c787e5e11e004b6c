/**
 * The store clock of the MongoDB backend (server/store/mongodb/objects/clock.ts): the reservation
 * chain it leaves in the database, and which unfinished reservations keep hiding later objects from
 * readers. A fresh database per test (./fixture.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { AddOutcome, Stores } from '../../server/store/contract';
import { hostKey, type ClockLink, type IntentDoc } from '../../server/store/mongodb/objects/clock';
import { nowMicros } from '../../server/time';
import { makeIndicator, toNewVersion, withModified } from '../helpers/stix';
import { newCollection, useFreshDatabase, visible } from './fixture';

/** Above pid_max on default kernels: no such process. */
const NO_SUCH_PID = 2 ** 22 + 12345;

describe('MongoDB backend: store clock', function () {
  this.timeout(60_000);
  const fresh = useFreshDatabase();
  const open = () => fresh().open();

  function add(s: Stores, c: string, n: number): Promise<AddOutcome[]> {
    const objects = Array.from({ length: n }, () => toNewVersion(makeIndicator()));
    return s.objects.addObjects({ collectionId: c, addedBy: 'm', objects });
  }

  const links = () => fresh().db.collection<ClockLink>('clock');

  /** An unfinished reservation above the head, of the given owner. */
  async function stall(c: string, owner: Pick<ClockLink, 'i' | 'h' | 'p'>): Promise<ClockLink> {
    const head = await links().find({}).sort({ _id: -1 }).limit(1).next();
    assert.ok(head);
    const s = Math.max(head.e, nowMicros());
    const link: ClockLink = {
      _id: head._id + 1,
      t: `stalled-${owner.i}`,
      s,
      e: s + 10,
      c,
      at: nowMicros(),
      done: false,
      ...owner,
    };
    await links().insertOne(link);
    return link;
  }

  it('starts the chain at init, and a finished batch leaves only its own link: done, with its block and owner', async function () {
    const s = await open();
    assert.deepEqual(await links().find({}).toArray(), [
      { _id: 0, t: 'genesis', s: 0, e: 0, c: '', at: 0, done: true, i: '', h: '', p: 0 },
    ]);
    const c = await newCollection(s);
    const t0 = nowMicros();
    const first = await add(s, c, 3);
    const [l1] = await links().find({}).toArray();
    assert.ok(l1);
    assert.equal(l1._id, 1);
    assert.equal(l1.s, first[0]?.dateAdded);
    assert.equal(l1.e, l1.s + 3);
    assert.ok(l1.s >= t0 && l1.at >= t0 && l1.at <= nowMicros(), 'the block starts at the clock');
    assert.equal(l1.c, c);
    assert.equal(l1.done, true);
    assert.equal(l1.h, hostKey());
    assert.equal(l1.p, process.pid);
    assert.match(l1.i, /^[0-9a-f]{16}$/);
    assert.match(l1.t, /^[0-9a-f]{24}$/);
    const second = await add(s, c, 2);
    const chain = await links().find({}).toArray();
    assert.equal(chain.length, 1, 'the links below a finished one are deleted');
    const [l2] = chain;
    assert.ok(l2);
    assert.equal(l2._id, 2);
    assert.equal(l2.i, l1.i, 'one owner id per open store');
    assert.notEqual(l2.t, l1.t, 'one token per batch');
    assert.ok(l2.s >= l1.e, 'blocks do not overlap');
    assert.equal(l2.s, second[0]?.dateAdded);
    assert.equal(l2.e, l2.s + 2);
  });

  it('a block never starts below the end of the previous one, even when the clock is behind it', async function () {
    const s = await open();
    const c = await newCollection(s);
    await add(s, c, 1);
    const head = await links().find({}).sort({ _id: -1 }).limit(1).next();
    assert.ok(head);
    const ahead = nowMicros() + 3_600_000_000; // an hour ahead: another host's clock
    await links().updateOne({ _id: head._id }, { $set: { e: ahead } });
    const [o] = await add(s, c, 1);
    assert.equal(o?.dateAdded, ahead);
  });

  it('an unfinished reservation of a store open in this process hides later objects until that store closes', async function () {
    const s = await open();
    const other = await open();
    const c = await newCollection(s);
    await add(other, c, 1);
    const owner = (await links().find({}).toArray())[0];
    assert.ok(owner);
    const before = await visible(s, c);
    await stall(c, { i: owner.i, h: owner.h, p: owner.p });
    const later = await add(s, c, 2);
    assert.deepEqual(await visible(s, c), before, 'hidden while its owner is open');
    await other.close();
    assert.deepEqual(await visible(s, c), [...before, ...later.map((o) => o.id)], 'visible once it closed');
  });

  it('an unfinished reservation of a live process on this host hides later objects; of a gone one it does not', async function () {
    const s = await open();
    const c = await newCollection(s);
    const first = await add(s, c, 1);
    // process.ppid: the process that started the tests, alive while they run.
    await stall(c, { i: 'elsewhere', h: hostKey(), p: process.ppid });
    const later = await add(s, c, 1);
    assert.deepEqual(
      await visible(s, c),
      first.map((o) => o.id),
    );
    // A link of a process that no longer exists, or of this process under a store id that is not
    // open, stops hiding at once.
    for (const p of [NO_SUCH_PID, process.pid]) {
      await links().updateMany({ done: false }, { $set: { p } });
      assert.deepEqual(
        await visible(s, c),
        [...first, ...later].map((o) => o.id),
        `pid ${p}`,
      );
    }
  });

  it('a reservation of a live process that the reader may not signal (EPERM: another user) still hides later objects', async function () {
    // A reader running as nobody (uid 65534), and a writer running as root (this process) on the
    // same host.
    if (process.getuid?.() !== 0) this.skip();
    const s = await open();
    const c = await newCollection(s);
    const first = await add(s, c, 1);
    await stall(c, { i: 'elsewhere', h: hostKey(), p: process.pid });
    const later = await add(s, c, 1);
    const seen = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'visible-as.ts'), fresh().url, c, '65534'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(seen.status, 0, seen.stderr);
    assert.deepEqual(
      JSON.parse(seen.stdout),
      first.map((o) => o.id),
    );
    // Once that process is gone, the reservation no longer hides anything.
    await links().updateMany({ done: false }, { $set: { p: NO_SUCH_PID } });
    assert.deepEqual(
      await visible(s, c),
      [...first, ...later].map((o) => o.id),
    );
  });

  it('the host key: hostname and PID namespace (stored in links and intents, read by every instance and version)', function () {
    assert.equal(hostKey(), `${hostname()}|${readlinkSync('/proc/self/ns/pid')}`);
  });

  it('a reservation of another host is judged by its lease alone, whatever its pid means here; a new instance leaves it unrepaired', async function () {
    const s = await open();
    const c = await newCollection(s);
    const first = await add(s, c, 1);
    const live = await stall(c, { i: 'elsewhere', h: 'another-host|', p: NO_SUCH_PID });
    await add(s, c, 1);
    assert.deepEqual(
      await visible(s, c),
      first.map((o) => o.id),
      'a pid unknown here',
    );
    await links().updateOne({ _id: live._id }, { $set: { p: process.pid } });
    assert.deepEqual(
      await visible(s, c),
      first.map((o) => o.id),
      'this process’s pid',
    );
    await open();
    assert.equal((await links().findOne({ _id: live._id }))?.done, false, 'not repaired by a new instance');
  });

  it('while a batch is written its link is unfinished; a delete leaves no intent and removes no other writer’s', async function () {
    const s = await open();
    const c = await newCollection(s);
    const writing = add(s, c, 400);
    let unfinished = 0;
    let done = false;
    void writing.finally(() => (done = true)).catch(() => {});
    while (!done) {
      unfinished += await links().countDocuments({ done: false });
      await new Promise((res) => setTimeout(res, 5));
    }
    const out = await writing;
    assert.ok(unfinished > 0, 'the link was seen unfinished');
    const intents = fresh().db.collection<IntentDoc>('intents');
    const other: IntentDoc = {
      _id: 'other',
      c,
      oid: 'x',
      at: nowMicros(),
      i: 'elsewhere',
      h: 'another-host|',
      p: 1,
    };
    await intents.insertOne(other);
    assert.equal(
      await s.objects.deleteObject({ visibleTo: 'all', collectionId: c, id: out[0]?.id as string }),
      1,
    );
    assert.deepEqual(await intents.find({}).toArray(), [other]);
  });

  it('of several unfinished live reservations, the oldest caps readers; a finished one in between does not', async function () {
    const s = await open();
    const c = await newCollection(s);
    const first = await add(s, c, 1);
    const other = { i: 'elsewhere', h: 'another-host|', p: 1 };
    const oldest = await stall(c, other);
    const between = await add(s, c, 1);
    await stall(c, other);
    await add(s, c, 1);
    assert.deepEqual(
      await visible(s, c),
      first.map((o) => o.id),
    );
    await links().updateOne({ _id: oldest._id }, { $set: { done: true } });
    assert.deepEqual(
      await visible(s, c),
      [...first, ...between].map((o) => o.id),
      'the younger one still caps',
    );
  });

  it('a database whose clock is gone (its collection emptied) refuses to add or query, naming the cause', async function () {
    const s = await open();
    const c = await newCollection(s);
    await add(s, c, 1);
    await links().deleteMany({});
    await assert.rejects(
      add(s, c, 1),
      /^StoreError: add objects: the clock is missing \(store not initialised\)$/,
    );
    await assert.rejects(
      visible(s, c),
      /^StoreError: query objects: the clock is missing \(store not initialised\)$/,
    );
  });

  it('at the next start, repairs the flags of an object whose delete died midway and removes its intent', async function () {
    const s = await open();
    const c = await newCollection(s);
    const v1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const v2 = withModified(v1, '2025-02-01T00:00:00.000Z');
    await s.objects.addObjects({ collectionId: c, addedBy: 'm', objects: [v1, v2].map(toNewVersion) });
    assert.equal(
      await fresh().db.collection('intents').countDocuments({}),
      0,
      'a finished delete leaves no intent',
    );
    // A delete of v2 that removed the document and died before settling the flags of v1.
    const objects = fresh().db.collection('objects');
    await objects.deleteOne({ c, oid: v1.id, last: true });
    const intents = fresh().db.collection<IntentDoc>('intents');
    const intent: IntentDoc = {
      _id: 'died',
      c,
      oid: v1.id,
      at: nowMicros(),
      i: 'dead',
      h: hostKey(),
      p: NO_SUCH_PID,
    };
    // And one of a live writer elsewhere, which stays.
    const live: IntentDoc = { ...intent, _id: 'live', h: 'another-host|', p: 1 };
    await intents.insertMany([intent, live]);
    await open();
    const doc = await objects.findOne({ c, oid: v1.id });
    assert.equal(doc?.first, true);
    assert.equal(doc?.last, true);
    assert.deepEqual(
      (await intents.find({}).toArray()).map((d) => d._id),
      ['live'],
    );
  });
});
