import assert from 'node:assert/strict';
import { openStore } from '../../server/store';
import type { AddOutcome, Stores } from '../../server/store/contract';
import { formatTaxiiTimestamp, parseTaxiiTimestamp, versionKey } from '../../server/time';
import { openTestStore, sharesUrl, type TestStores } from '../helpers/store';
import { makeIndicator, makeIpv4Addr, toNewVersion, withModified } from '../helpers/stix';
import {
  ALL,
  FIRST,
  LAST,
  add,
  assertIncreasing,
  assertMicros,
  exact,
  labels,
  newApiRoot,
  newCollection,
  nth,
  queryAll,
  stamp,
  suite,
  useStores,
} from './fixture';

const TAXII_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe(suite('addObjects'), function () {
  const stores = useStores();
  let root: string;
  before(async function () {
    root = await newApiRoot(stores());
  });
  async function collection(): Promise<string> {
    return (await newCollection(stores(), root)).id;
  }

  it('concurrent calls on one instance: each gets its own outcomes; a version sent twice is added once', async function () {
    const col = await collection();
    const shared = Array.from({ length: 4 }, () => toNewVersion(makeIndicator()));
    const batches = Array.from({ length: 6 }, (_, i) => [
      ...Array.from({ length: 3 }, () => toNewVersion(makeIndicator())),
      ...(i % 2 === 0 ? shared : []),
    ]);
    const results = await Promise.all(batches.map((b) => add(stores(), col, b)));
    results.forEach((outcomes, i) => {
      assert.deepEqual(
        outcomes.map((o) => o.id),
        (batches[i] as { id: string }[]).map((o) => o.id),
        `call ${i} gets the outcomes of its own objects, in order`,
      );
    });
    const sharedOutcomes = results.flat().filter((o) => shared.some((x) => x.id === o.id));
    assert.equal(sharedOutcomes.filter((o) => o.outcome === 'added').length, shared.length);
    assert.equal(sharedOutcomes.filter((o) => o.outcome === 'duplicate').length, shared.length * 2);
    const added = results.flat().filter((o) => o.outcome === 'added');
    assert.equal(new Set(added.map((o) => o.dateAdded)).size, added.length, 'dateAdded values are unique');
    assert.equal((await queryAll(stores(), col)).length, 6 * 3 + shared.length);
  });

  it('reports each new version as added, with index, id, version and dateAdded', async function () {
    const col = await collection();
    const objs = [makeIndicator({ modified: stamp(1) }), makeIndicator({ modified: stamp(2) })];
    const outcomes = await add(stores(), col, objs.map(toNewVersion));
    assert.equal(outcomes.length, 2);
    outcomes.forEach((o, i) => {
      assert.equal(o.index, i);
      assert.equal(o.id, nth(objs, i).id);
      assert.equal(o.version, nth(objs, i).modified);
      assert.equal(o.outcome, 'added');
      assertMicros(o.dateAdded, 'dateAdded');
    });
    const stored = await queryAll(stores(), col, { versions: ALL });
    assert.deepEqual(labels(stored), labels(outcomes));
    assert.deepEqual(
      stored.map((v) => v.dateAdded),
      outcomes.map((o) => o.dateAdded),
    );
  });

  it('the same version in a later batch is a duplicate with the original dateAdded', async function () {
    const col = await collection();
    const obj = makeIndicator();
    const [first] = await add(stores(), col, [toNewVersion(obj)]);
    const [again] = await add(stores(), col, [toNewVersion(obj)]);
    assert.ok(first && again);
    assert.equal(again.outcome, 'duplicate');
    assert.equal(again.index, 0);
    assert.equal(again.id, obj.id);
    assert.equal(again.version, obj.modified);
    assert.equal(again.dateAdded, first.dateAdded);
    assert.equal((await queryAll(stores(), col, { versions: ALL })).length, 1);
  });

  it('a duplicate keeps the body already stored', async function () {
    const col = await collection();
    const obj = makeIndicator();
    const original = toNewVersion(obj);
    await add(stores(), col, [original]);
    const [again] = await add(stores(), col, [
      { ...original, body: JSON.stringify({ ...obj, name: 'changed' }) },
    ]);
    assert.equal(again?.outcome, 'duplicate');
    const stored = await queryAll(stores(), col, { versions: ALL }, true);
    assert.deepEqual(
      stored.map((v) => v.body),
      [original.body],
    );
  });

  it('the same version twice within one batch: added, then duplicate with the same dateAdded', async function () {
    const col = await collection();
    const obj = makeIndicator();
    const other = makeIndicator();
    const outcomes = await add(stores(), col, [toNewVersion(obj), toNewVersion(other), toNewVersion(obj)]);
    assert.deepEqual(
      outcomes.map((o) => [o.index, o.id, o.outcome]),
      [
        [0, obj.id, 'added'],
        [1, other.id, 'added'],
        [2, obj.id, 'duplicate'],
      ],
    );
    assert.equal(nth(outcomes, 2).dateAdded, nth(outcomes, 0).dateAdded);
    assert.equal((await queryAll(stores(), col, { versions: ALL })).length, 2);
  });

  it('"…:00Z" and "…:00.000Z" are the same version', async function () {
    const col = await collection();
    const obj = makeIndicator({ created: '2025-03-01T12:00:00Z', modified: '2025-03-01T12:00:00Z' });
    const [first] = await add(stores(), col, [toNewVersion(obj)]);
    const [again] = await add(stores(), col, [toNewVersion(withModified(obj, '2025-03-01T12:00:00.000Z'))]);
    const [third] = await add(stores(), col, [
      toNewVersion(withModified(obj, '2025-03-01T12:00:00.000000Z')),
    ]);
    assert.equal(again?.outcome, 'duplicate');
    assert.equal(third?.outcome, 'duplicate');
    assert.equal(again?.dateAdded, first?.dateAdded);
    assert.equal(third?.dateAdded, first?.dateAdded);
    const stored = await queryAll(stores(), col, { versions: ALL });
    assert.deepEqual(labels(stored), [`${obj.id}@2025-03-01T12:00:00Z`]);
  });

  it('a later modified adds a version that becomes last', async function () {
    const col = await collection();
    const v1 = makeIndicator({ modified: stamp(1) });
    const v2 = withModified(v1, stamp(2));
    await add(stores(), col, [toNewVersion(v1)]);
    const [o2] = await add(stores(), col, [toNewVersion(v2)]);
    assert.equal(o2?.outcome, 'added');
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: ALL })), [
      `${v1.id}@${stamp(1)}`,
      `${v1.id}@${stamp(2)}`,
    ]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [`${v1.id}@${stamp(2)}`]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [`${v1.id}@${stamp(1)}`]);
  });

  it('an earlier modified added later becomes first, not last', async function () {
    const col = await collection();
    const v2 = makeIndicator({ modified: stamp(20) });
    const v1 = withModified(v2, stamp(10));
    await add(stores(), col, [toNewVersion(v2)]);
    const [o1] = await add(stores(), col, [toNewVersion(v1)]);
    assert.equal(o1?.outcome, 'added');
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [`${v2.id}@${stamp(20)}`]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [`${v2.id}@${stamp(10)}`]);
  });

  it('first/last compare versions as instants, not as strings', async function () {
    const col = await collection();
    // As strings "…:05Z" > "…:05.5Z" ('Z' > '.'), as instants it is earlier.
    const a = makeIndicator({ created: '2025-03-01T00:00:05Z', modified: '2025-03-01T00:00:05Z' });
    const b = withModified(a, '2025-03-01T00:00:05.5Z');
    await add(stores(), col, [toNewVersion(b), toNewVersion(a)]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [
      `${a.id}@2025-03-01T00:00:05.5Z`,
    ]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [
      `${a.id}@2025-03-01T00:00:05Z`,
    ]);
  });

  it('several versions of one object in one batch: first and last decided over all of them', async function () {
    const col = await collection();
    const base = makeIndicator({ modified: stamp(2) });
    await add(stores(), col, [
      toNewVersion(base),
      toNewVersion(withModified(base, stamp(3))),
      toNewVersion(withModified(base, stamp(1))),
    ]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [`${base.id}@${stamp(3)}`]);
    assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [`${base.id}@${stamp(1)}`]);
  });

  describe('SCOs (no created/modified)', function () {
    it('get a server version that is a TAXII timestamp', async function () {
      const col = await collection();
      const sco = makeIpv4Addr();
      const nv = toNewVersion(sco);
      assert.equal(nv.version, null);
      const [o] = await add(stores(), col, [nv]);
      assert.ok(o);
      assert.equal(o.outcome, 'added');
      assert.match(o.version, TAXII_TIMESTAMP);
      const us = parseTaxiiTimestamp(o.version);
      assert.ok(us !== null);
      assert.equal(formatTaxiiTimestamp(us), o.version);
      const stored = await queryAll(stores(), col, { versions: ALL });
      assert.deepEqual(labels(stored), [`${sco.id}@${o.version}`]);
    });

    it('a second copy is a duplicate with the same version and dateAdded', async function () {
      const col = await collection();
      const sco = makeIpv4Addr();
      const [o1] = await add(stores(), col, [toNewVersion(sco)]);
      const [o2] = await add(stores(), col, [toNewVersion(sco)]);
      assert.ok(o1 && o2);
      assert.equal(o2.outcome, 'duplicate');
      assert.equal(o2.version, o1.version);
      assert.equal(o2.dateAdded, o1.dateAdded);
      assert.equal((await queryAll(stores(), col, { versions: ALL })).length, 1);
    });

    it('a second copy within the same batch is a duplicate', async function () {
      const col = await collection();
      const sco = makeIpv4Addr();
      const [o1, o2] = await add(stores(), col, [toNewVersion(sco), toNewVersion(sco)]);
      assert.ok(o1 && o2);
      assert.equal(o1.outcome, 'added');
      assert.equal(o2.outcome, 'duplicate');
      assert.equal(o2.version, o1.version);
      assert.equal(o2.dateAdded, o1.dateAdded);
    });

    it('a copy without created/modified of an id stored with versions is a duplicate of its first version', async function () {
      const col = await collection();
      const v1 = makeIndicator({ created: stamp(10) });
      const v2 = withModified(v1, stamp(20));
      // The later version stored first: the earliest is not the first document of the id.
      const [o2] = await add(stores(), col, [toNewVersion(v2)]);
      const [o1] = await add(stores(), col, [toNewVersion(v1)]);
      const bare = toNewVersion({ type: v1.type, id: v1.id });
      assert.equal(bare.version, null);
      const [later, , inBatch] = await add(stores(), col, [
        bare,
        toNewVersion(withModified(v1, stamp(30))),
        bare,
      ]);
      assert.ok(o1 && o2 && later && inBatch);
      assert.deepEqual(later, {
        index: 0,
        id: v1.id,
        version: stamp(10),
        outcome: 'duplicate',
        dateAdded: o1.dateAdded,
      });
      assert.deepEqual(inBatch, {
        index: 2,
        id: v1.id,
        version: stamp(10),
        outcome: 'duplicate',
        dateAdded: o1.dateAdded,
      });
    });

    it('is both first and last, and matched exactly by its server version', async function () {
      const col = await collection();
      const sco = makeIpv4Addr();
      const [o] = await add(stores(), col, [toNewVersion(sco)]);
      assert.ok(o);
      const expected = [`${sco.id}@${o.version}`];
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), expected);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), expected);
      assert.ok(versionKey(o.version) !== null);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: exact(o.version) })), expected);
    });
  });

  describe('dateAdded', function () {
    it('is unique and strictly increasing within a batch', async function () {
      const col = await collection();
      const outcomes = await add(
        stores(),
        col,
        Array.from({ length: 50 }, () => toNewVersion(makeIndicator())),
      );
      assertIncreasing(
        outcomes.map((o) => o.dateAdded),
        'dateAdded within a batch',
      );
    });

    it('is unique and strictly increasing across batches and collections', async function () {
      const cols = [await collection(), await collection()];
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) {
        const outcomes = await add(stores(), nth(cols, i % 2), [
          toNewVersion(makeIndicator()),
          toNewVersion(makeIpv4Addr()),
        ]);
        seen.push(...outcomes.map((o) => o.dateAdded));
      }
      assertIncreasing(seen, 'dateAdded across batches');
    });
  });
});

describe(suite('addObjects from several instances'), function () {
  let t: TestStores;
  let other: Stores;
  let col: string;
  before(async function () {
    t = await openTestStore();
    if (!sharesUrl(t.url)) {
      await t.cleanup();
      this.skip();
    }
    other = await openStore(t.url);
    const root = await newApiRoot(t);
    col = (await newCollection(t, root)).id;
  });
  after(async function () {
    if (!sharesUrl(t.url)) return;
    await other.close();
    await t.cleanup();
  });

  it('dateAdded is strictly increasing when two instances write interleaved', async function () {
    const seen: AddOutcome[] = [];
    for (let i = 0; i < 20; i++) {
      const s = i % 2 === 0 ? t : other;
      seen.push(...(await add(s, col, [toNewVersion(makeIndicator()), toNewVersion(makeIndicator())])));
    }
    assertIncreasing(
      seen.map((o) => o.dateAdded),
      'dateAdded across instances',
    );
    for (const s of [t, other]) {
      const stored = await queryAll(s, col, { ids: seen.map((o) => o.id) });
      assert.deepEqual(labels(stored), labels(seen), 'both instances see every version in order');
    }
  });

  it('concurrent batches from two instances get unique dateAdded values and page completely', async function () {
    const batches = Array.from({ length: 8 }, () =>
      Array.from({ length: 5 }, () => toNewVersion(makeIndicator())),
    );
    const results = await Promise.all(batches.map((b, i) => add(i % 2 === 0 ? t : other, col, b)));
    const all = results.flat();
    assert.ok(all.every((o) => o.outcome === 'added'));
    assert.equal(new Set(all.map((o) => o.dateAdded)).size, all.length, 'dateAdded values are unique');
    for (const r of results) {
      assertIncreasing(
        r.map((o) => o.dateAdded),
        'dateAdded within a concurrent batch',
      );
    }
    const ids = all.map((o) => o.id);
    const paged: string[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await other.objects.queryObjects({
        visibleTo: 'all',
        collectionId: col,
        filter: { ids },
        limit: 3,
        after,
        withBody: false,
      });
      paged.push(...page.items.map((v) => v.id));
      if (!page.more) break;
      after = nth(page.items, page.items.length - 1).dateAdded;
    }
    const expected = [...all].sort((a, b) => a.dateAdded - b.dateAdded).map((o) => o.id);
    assert.deepEqual(paged, expected);
  });
});
