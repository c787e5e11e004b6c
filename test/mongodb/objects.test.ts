/**
 * The objects concern of the MongoDB backend (server/store/mongodb/objects) in the database itself:
 * the version documents it writes, the repair of a writer that died mid-batch (first/last flags
 * settled over every id of its block, ./settle.ts), and the migration of version documents written
 * before TLP-aware sharing. A fresh database per test (./fixture.ts); the states an interrupted
 * writer or an earlier Tessera left are inserted as such through a client of its own.
 */
import assert from 'node:assert/strict';
import type { Filter } from 'mongodb';
import type { NewObjectVersion } from '../../server/store/contract';
import { hostKey, type ClockLink } from '../../server/store/mongodb/objects/clock';
import type { ObjectDoc } from '../../server/store/mongodb/objects/documents';
import { formatTaxiiTimestamp, nowMicros, versionKey } from '../../server/time';
import { TLP_MARKING_IDS } from '../helpers/feeds';
import { makeIndicator, makeIpv4Addr, toNewVersion, withModified } from '../helpers/stix';
import { newCollection, useFreshDatabase, visible } from './fixture';

/** Above pid_max on default kernels: no such process. */
const NO_SUCH_PID = 2 ** 22 + 12345;

describe('MongoDB backend: objects concern', function () {
  this.timeout(120_000);
  const fresh = useFreshDatabase();
  const open = () => fresh().open();
  const objects = () => fresh().db.collection<ObjectDoc>('objects');
  const links = () => fresh().db.collection<ClockLink>('clock');

  /** The versions matching `filter`, with their flags. */
  const flagsOf = (filter: Filter<ObjectDoc>) =>
    objects()
      .find(filter)
      .project<{ oid: string; ver: string; first: boolean; last: boolean }>({
        _id: 0,
        oid: 1,
        ver: 1,
        first: 1,
        last: 1,
      })
      .toArray();

  /**
   * What a writer that died mid-batch leaves: its unfinished link (of a gone process on this host)
   * and its block of 5 objects of 4 versions each, inserted out of version order, every flag false.
   * Returns the ids.
   */
  async function plantDeadBlock(c: string): Promise<string[]> {
    const head = await links().find({}).sort({ _id: -1 }).limit(1).next();
    assert.ok(head);
    const start = Math.max(head.e, nowMicros());
    const ids = Array.from({ length: 5 }, () => makeIndicator().id);
    const months = ['2025-01', '2025-02', '2025-03', '2025-04'];
    const docs: ObjectDoc[] = [];
    for (const oid of ids) {
      for (const m of [months[2], months[0], months[3], months[1]] as string[]) {
        const ver = `${m}-01T00:00:00.000Z`;
        const vk = versionKey(ver) as string;
        docs.push({
          _id: `${c}|${oid}|${vk}`,
          c,
          oid,
          type: 'indicator',
          sv: '2.1',
          ver,
          vk,
          da: start + docs.length,
          first: false,
          last: false,
          by: 'm',
          body: JSON.stringify(makeIndicator({ id: oid, modified: ver })),
          tlp: -1,
        });
      }
    }
    // The documents first: a repair round of an open store may come at any time.
    await objects().insertMany(docs);
    await links().insertOne({
      _id: head._id + 1,
      t: 'died',
      s: start,
      e: start + docs.length,
      c,
      at: nowMicros(),
      done: false,
      i: 'dead',
      h: hostKey(),
      p: NO_SUCH_PID,
    });
    return ids;
  }

  /** The versions of `ids` whose flags are not first = January, last = April. */
  async function wrongFlags(ids: string[]): Promise<unknown[]> {
    const flags = await flagsOf({ oid: { $in: ids } });
    assert.equal(flags.length, ids.length * 4);
    return flags.filter(
      (f) => f.first !== f.ver.startsWith('2025-01') || f.last !== f.ver.startsWith('2025-04'),
    );
  }

  it('stores each version as one document: its id, collection, metadata, flags, publisher, body and TLP', async function () {
    const s = await open();
    const c = await newCollection(s);
    const v1 = makeIndicator({
      created: '2025-01-01T00:00:00Z',
      object_marking_refs: [TLP_MARKING_IDS.amber],
    });
    const v2 = withModified(v1, '2025-03-01T00:00:00.5Z');
    const v3 = { ...withModified(v1, '2025-02-01T00:00:00.000Z'), object_marking_refs: [] };
    const sco = makeIpv4Addr();
    const batch: NewObjectVersion[] = [v1, v2, v3, sco].map(toNewVersion);
    const out = await s.objects.addObjects({ collectionId: c, addedBy: 'publisher-1', objects: batch });
    const da = out.map((o) => o.dateAdded);
    const scoVersion = formatTaxiiTimestamp(da[3] as number);
    const docs = await objects().find({}).sort({ da: 1 }).toArray();
    const doc = (i: number, first: boolean, last: boolean, version: string, id: string, tlp: number) => {
      const o = batch[i] as NewObjectVersion;
      return {
        _id: `${c}|${o.id}|${id}`,
        c,
        oid: o.id,
        type: o.type,
        sv: '2.1',
        ver: version,
        vk: versionKey(version),
        da: da[i],
        first,
        last,
        by: 'publisher-1',
        body: o.body,
        tlp,
      };
    };
    assert.deepEqual(docs, [
      doc(0, true, false, '2025-01-01T00:00:00Z', versionKey('2025-01-01T00:00:00Z') as string, 2),
      doc(1, false, true, '2025-03-01T00:00:00.5Z', versionKey('2025-03-01T00:00:00.5Z') as string, 2),
      doc(2, false, false, '2025-02-01T00:00:00.000Z', versionKey('2025-02-01T00:00:00.000Z') as string, -1),
      doc(3, true, true, scoVersion, 'sco', -1),
    ]);
    assert.deepEqual(
      out.map((o) => o.version),
      [v1.modified, v2.modified, v3.modified, scoVersion],
    );
  });

  it('at the next start, settles first/last over every id of a dead writer’s block, and nothing outside it', async function () {
    const s = await open();
    const c = await newCollection(s);
    // Outside the block: an object whose flags are (wrongly) both set, left as it is.
    const [outside] = await s.objects.addObjects({
      collectionId: c,
      addedBy: 'm',
      objects: [toNewVersion(makeIndicator())],
    });
    assert.ok(outside);
    await objects().updateOne({ oid: outside.id }, { $set: { first: false, last: false } });
    const ids = await plantDeadBlock(c);
    await open();
    assert.deepEqual(await wrongFlags(ids), []);
    const o = await objects().findOne({ oid: outside.id });
    assert.deepEqual([o?.first, o?.last], [false, false], 'an id outside the block is not settled');
    assert.equal((await links().findOne({ t: 'died' }))?.done, true, 'the link is repaired');
  });

  it('an open store repairs a writer that died mid-batch within its repair interval (10 s)', async function () {
    const s = await open();
    const c = await newCollection(s);
    const ids = await plantDeadBlock(c);
    const t0 = Date.now();
    while ((await links().findOne({ t: 'died' }))?.done !== true && Date.now() - t0 < 20_000) {
      await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal((await links().findOne({ t: 'died' }))?.done, true, 'repaired while open');
    assert.deepEqual(await wrongFlags(ids), []);
  });

  it('reserves one dateAdded per new version: duplicates (stored, in the batch, copies without version) take none', async function () {
    const s = await open();
    const c = await newCollection(s);
    const x1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const x2 = withModified(x1, '2025-02-01T00:00:00.000Z');
    const sco1 = makeIpv4Addr();
    const first = await s.objects.addObjects({
      collectionId: c,
      addedBy: 'm',
      objects: [x1, x2, sco1].map(toNewVersion),
    });
    const y1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const y2 = withModified(y1, '2025-03-01T00:00:00.000Z');
    const sco2 = makeIpv4Addr();
    const z = makeIndicator();
    const copyOfX = { ...toNewVersion(x2), version: null, versionKey: null };
    const batch = [
      toNewVersion(x1),
      toNewVersion(y1),
      toNewVersion(y1),
      toNewVersion(sco1),
      toNewVersion(sco2),
    ];
    batch.push(toNewVersion(sco2), copyOfX, toNewVersion(z), toNewVersion(y2));
    const out = await s.objects.addObjects({ collectionId: c, addedBy: 'm', objects: batch });
    const [head] = await links().find({}).sort({ _id: -1 }).limit(1).toArray();
    assert.ok(head);
    const s0 = head.s;
    assert.equal(head.e - s0, 4, 'four new versions: y1, sco2, z, y2');
    assert.deepEqual(
      out.map((o) => [o.outcome, o.dateAdded]),
      [
        ['duplicate', first[0]?.dateAdded],
        ['added', s0],
        ['duplicate', s0],
        ['duplicate', first[2]?.dateAdded],
        ['added', s0 + 1],
        ['duplicate', s0 + 1],
        ['duplicate', first[0]?.dateAdded],
        ['added', s0 + 2],
        ['added', s0 + 3],
      ],
    );
    // A batch of duplicates only reserves nothing.
    await s.objects.addObjects({ collectionId: c, addedBy: 'm', objects: batch });
    const [still] = await links().find({}).sort({ _id: -1 }).limit(1).toArray();
    assert.deepEqual(still, head);
  });

  it('two instances adding the same versions at once: the one whose insert lost the race reports what the other stored', async function () {
    const a = await open();
    const b = await open();
    const c = await newCollection(a);
    const elsewhere = await newCollection(a);
    const headId = async () => (await links().find({}).sort({ _id: -1 }).limit(1).next())?._id ?? -1;
    let raced = 0;
    // Both read before either inserts, almost always (the two calls start together); a round where
    // one call read after the other had inserted is not a race (only one reservation), so rounds
    // repeat until three raced, bounded.
    for (let round = 0; round < 30 && raced < 3; round++) {
      const x1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
      const x2 = withModified(x1, '2025-02-01T00:00:00.000Z');
      const sco = makeIpv4Addr();
      const own = [makeIndicator(), makeIndicator()];
      // The same SCO already in another collection, with an earlier version: not what either reports.
      await a.objects.addObjects({ collectionId: elsewhere, addedBy: 'a', objects: [toNewVersion(sco)] });
      const before = await headId();
      const [ra, rb] = await Promise.all([
        a.objects.addObjects({ collectionId: c, addedBy: 'a', objects: [x1, x2, sco].map(toNewVersion) }),
        b.objects.addObjects({
          collectionId: c,
          addedBy: 'b',
          objects: [own[0], x2, sco, own[1]].map((o) => toNewVersion(o as typeof x1)),
        }),
      ]);
      if ((await headId()) === before + 2) raced++;
      assert.ok(ra && rb);
      const stored = await objects()
        .find({ c, oid: { $in: [x1.id, sco.id, ...own.map((o) => o.id)] } })
        .sort({ da: 1 })
        .toArray();
      const at = (oid: string, ver?: string) => {
        const d = stored.filter((s) => s.oid === oid && (ver === undefined || s.ver === ver));
        assert.equal(d.length, 1, `${oid}@${ver} stored once`);
        return d[0] as ObjectDoc;
      };
      const sx1 = at(x1.id, x1.modified);
      const sx2 = at(x1.id, x2.modified);
      const ssco = at(sco.id);
      assert.deepEqual(
        [sx1.first, sx1.last, sx2.first, sx2.last, ssco.first, ssco.last],
        [true, false, false, true, true, true],
      );
      const outcome = (by: string, d: ObjectDoc) => (d.by === by ? 'added' : 'duplicate');
      assert.deepEqual(ra, [
        { index: 0, id: x1.id, version: x1.modified, outcome: 'added', dateAdded: sx1.da },
        { index: 1, id: x1.id, version: x2.modified, outcome: outcome('a', sx2), dateAdded: sx2.da },
        { index: 2, id: sco.id, version: ssco.ver, outcome: outcome('a', ssco), dateAdded: ssco.da },
      ]);
      assert.deepEqual(rb, [
        {
          index: 0,
          id: own[0]?.id,
          version: own[0]?.modified,
          outcome: 'added',
          dateAdded: at(own[0]?.id as string).da,
        },
        { index: 1, id: x1.id, version: x2.modified, outcome: outcome('b', sx2), dateAdded: sx2.da },
        { index: 2, id: sco.id, version: ssco.ver, outcome: outcome('b', ssco), dateAdded: ssco.da },
        {
          index: 3,
          id: own[1]?.id,
          version: own[1]?.modified,
          outcome: 'added',
          dateAdded: at(own[1]?.id as string).da,
        },
      ]);
      assert.equal((await links().find({ done: false }).toArray()).length, 0, 'both links are done');
    }
    assert.equal(raced, 3, 'the two writers raced');
  });

  it('a batch the server cannot take (a document over its size limit) fails whole: nothing stored, nothing hidden, its link done', async function () {
    const s = await open();
    const c = await newCollection(s);
    const x1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const kept = await s.objects.addObjects({ collectionId: c, addedBy: 'm', objects: [toNewVersion(x1)] });
    const huge = makeIndicator({ description: 'x'.repeat(17 * 1024 * 1024) });
    const batch = [withModified(x1, '2025-02-01T00:00:00.000Z'), makeIndicator(), huge].map(toNewVersion);
    await assert.rejects(
      s.objects.addObjects({ collectionId: c, addedBy: 'm', objects: batch }),
      /add objects: .*larger than the maximum size/,
    );
    assert.deepEqual(await links().find({ done: false }).toArray(), [], 'no unfinished link is left');
    const stored = await flagsOf({});
    assert.deepEqual(stored, [{ oid: x1.id, ver: x1.modified, first: true, last: true }]);
    const later = await s.objects.addObjects({
      collectionId: c,
      addedBy: 'm',
      objects: [toNewVersion(makeIndicator())],
    });
    assert.deepEqual(
      await visible(s, c),
      [...kept, ...later].map((o) => o.id),
      'a later batch is visible at once',
    );
  });

  describe('migration of version documents without tlp', function () {
    /** A version document as Tessera wrote it before TLP-aware sharing: no `tlp`. */
    function legacy(
      c: string,
      body: unknown,
      n: number,
    ): Omit<ObjectDoc, 'tlp' | 'body'> & { body: unknown } {
      const oid = `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      const vk = versionKey('2025-01-01T00:00:00.000Z') as string;
      return {
        _id: `${c}|${oid}|${vk}`,
        c,
        oid,
        type: 'indicator',
        sv: '2.1',
        ver: '2025-01-01T00:00:00.000Z',
        vk,
        da: 1000 + n,
        first: true,
        last: true,
        by: 'm',
        body,
      };
    }

    /** Make the database look as an earlier Tessera left it: no marker, the old indexes. */
    async function makeOld(): Promise<void> {
      await fresh()
        .db.collection('meta')
        .deleteOne({ _id: 'migration:object-tlp' } as never);
      await objects().createIndex({ c: 1, last: 1, da: 1 }, { name: 'objects_last' });
      await objects().createIndex({ c: 1, first: 1, da: 1 }, { name: 'objects_first' });
      await objects().createIndex({ c: 1, type: 1, da: 1 }, { name: 'objects_type' });
    }

    it('classifies every body from its TLP marking, unreadable or non-text bodies as unmarked, drops the old indexes', async function () {
      const s = await open();
      const c = await newCollection(s);
      const red = JSON.stringify(makeIndicator({ object_marking_refs: [TLP_MARKING_IDS.red] }));
      const green = JSON.stringify(makeIndicator({ object_marking_refs: [TLP_MARKING_IDS.green] }));
      const bodies: unknown[] = [];
      for (let i = 0; i < 9; i++)
        bodies.push(i % 3 === 0 ? red : i % 3 === 1 ? green : JSON.stringify(makeIndicator()));
      // Bodies that are not the JSON text of an object with a TLP marking.
      const odd = [`${red.slice(0, -1)}`, { object_marking_refs: [TLP_MARKING_IDS.red] }, [red], null];
      bodies.push(...odd);
      await objects().insertMany(bodies.map((b, n) => legacy(c, b, n)) as never);
      await makeOld();
      await s.close();
      await open();
      const tlps = await objects()
        .find({ c })
        .sort({ da: 1 })
        .project<{ tlp: number }>({ _id: 0, tlp: 1 })
        .toArray();
      assert.equal(tlps.length, bodies.length);
      const expected = bodies.map((_, i) => (i >= 9 ? -1 : i % 3 === 0 ? 4 : i % 3 === 1 ? 1 : -1));
      const wrong = tlps.map((t, i) => [i, t.tlp, expected[i]]).filter(([, t, e]) => t !== e);
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} documents classified wrongly`);
      const names = (await objects().listIndexes().toArray()).map((ix) => String(ix.name));
      for (const old of ['objects_last', 'objects_first', 'objects_type'])
        assert.ok(!names.includes(old), names.join(','));
      const marker = await fresh()
        .db.collection('meta')
        .findOne({ _id: 'migration:object-tlp' } as never);
      assert.ok(marker);
      assert.ok(typeof marker.at === 'number' && marker.at <= Date.now() && marker.at > Date.now() - 600_000);
    });

    it('runs once per database: a document without tlp written after the marker stays so', async function () {
      const s = await open();
      const c = await newCollection(s);
      await objects().insertOne(legacy(c, JSON.stringify(makeIndicator()), 1) as never);
      await s.close();
      await open();
      assert.equal(await objects().countDocuments({ c, tlp: { $exists: false } }), 1);
    });

    it('two instances opening an old database at the same time both open, and it is migrated', async function () {
      const s = await open();
      const c = await newCollection(s);
      await objects().insertMany(
        Array.from({ length: 50 }, (_, n) =>
          legacy(c, JSON.stringify(makeIndicator({ object_marking_refs: [TLP_MARKING_IDS.red] })), n),
        ) as never,
      );
      await makeOld();
      await s.close();
      // Some indexes already gone: an instance that finds nothing to drop goes on.
      await objects().dropIndex('objects_first');
      await Promise.all([open(), open(), open()]);
      assert.equal(await objects().countDocuments({ c, tlp: 4 }), 50);
      assert.equal(
        await fresh()
          .db.collection('meta')
          .countDocuments({ _id: 'migration:object-tlp' } as never),
        1,
      );
    });
  });
});
