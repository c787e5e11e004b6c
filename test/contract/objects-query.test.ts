import assert from 'node:assert/strict';
import type { AddOutcome, NewObjectVersion, ObjectFilter, StoredVersion } from '../../server/store/contract';
import {
  makeIndicator,
  makeIpv4Addr,
  makeMalware,
  toNewVersion,
  withModified,
  type StixObject,
} from '../helpers/stix';
import {
  ALL,
  FIRST,
  FIRST_LAST,
  LAST,
  add,
  exact,
  key,
  labels,
  newApiRoot,
  newCollection,
  nth,
  queryAll,
  stamp,
  suite,
  useStores,
} from './fixture';

/**
 * The data set of most query tests, added in this order (one version per dateAdded):
 *   a1, b, a2, c, d, e, a3
 * a: indicator with three versions (a1 < a2 < a3); b: indicator; c: malware; d: STIX 2.0 indicator
 * (no spec_version); e: ipv4-addr SCO.
 */
interface Seeded {
  col: string;
  a: StixObject;
  b: StixObject;
  c: StixObject;
  d: StixObject;
  e: StixObject;
  /** Outcomes by label: a1, b, a2, c, d, e, a3. */
  o: Record<'a1' | 'b' | 'a2' | 'c' | 'd' | 'e' | 'a3', AddOutcome>;
}

function label(o: AddOutcome): string {
  return `${o.id}@${o.version}`;
}

describe(suite('queryObjects'), function () {
  const stores = useStores();
  let root: string;
  let s: Seeded;

  before(async function () {
    root = await newApiRoot(stores());
    s = await seed();
  });

  async function seed(): Promise<Seeded> {
    const col = (await newCollection(stores(), root)).id;
    const a = makeIndicator({ modified: stamp(1) });
    const b = makeIndicator({ modified: stamp(5) });
    const c = makeMalware({ modified: stamp(5) });
    const d = makeIndicator({ modified: stamp(5) });
    delete d.spec_version;
    const e = makeIpv4Addr();
    const order: [keyof Seeded['o'], StixObject][] = [
      ['a1', a],
      ['b', b],
      ['a2', withModified(a, stamp(2))],
      ['c', c],
      ['d', d],
      ['e', e],
      ['a3', withModified(a, stamp(3))],
    ];
    const outcomes = await add(
      stores(),
      col,
      order.slice(0, 3).map(([, obj]) => toNewVersion(obj)),
    );
    outcomes.push(
      ...(await add(
        stores(),
        col,
        order.slice(3).map(([, obj]) => toNewVersion(obj)),
      )),
    );
    const o = Object.fromEntries(order.map(([name], i) => [name, nth(outcomes, i)])) as Seeded['o'];
    return { col, a, b, c, d, e, o };
  }

  async function q(filter: ObjectFilter): Promise<string[]> {
    return labels(await queryAll(stores(), s.col, filter));
  }
  function L(...names: (keyof Seeded['o'])[]): string[] {
    return names.map((n) => label(s.o[n]));
  }

  describe('versions', function () {
    it('default: the last version of each object, ascending dateAdded', async function () {
      assert.deepEqual(await q({}), L('b', 'c', 'd', 'e', 'a3'));
    });

    it('last: same as the default', async function () {
      assert.deepEqual(await q({ versions: LAST }), L('b', 'c', 'd', 'e', 'a3'));
    });

    it('first: the first version of each object', async function () {
      assert.deepEqual(await q({ versions: FIRST }), L('a1', 'b', 'c', 'd', 'e'));
    });

    it('first+last: both, a single-version object only once', async function () {
      assert.deepEqual(await q({ versions: FIRST_LAST }), L('a1', 'b', 'c', 'd', 'e', 'a3'));
    });

    it('exact: the versions with those keys, whatever their textual form', async function () {
      assert.deepEqual(await q({ versions: exact(stamp(2)) }), L('a2'));
      assert.deepEqual(await q({ versions: exact(stamp(2).replace('.000Z', 'Z')) }), L('a2'));
      assert.deepEqual(await q({ versions: exact(stamp(2), stamp(5)) }), L('b', 'a2', 'c', 'd'));
      assert.deepEqual(await q({ versions: exact(stamp(99)) }), []);
    });

    it('first, last and exact combine as a union', async function () {
      const versions = { kind: 'some' as const, first: true, last: false, exact: [key(stamp(2))] };
      assert.deepEqual(await q({ versions, ids: [s.a.id] }), L('a1', 'a2'));
      const all3 = { kind: 'some' as const, first: true, last: true, exact: [key(stamp(2))] };
      assert.deepEqual(await q({ versions: all3, ids: [s.a.id] }), L('a1', 'a2', 'a3'));
    });

    it('a selector of no version (no first, no last, no exact) matches nothing', async function () {
      const none = { kind: 'some' as const, first: false, last: false, exact: [] };
      assert.deepEqual(await q({ versions: none }), []);
      assert.deepEqual(await q({ versions: none, ids: [s.a.id, s.b.id] }), []);
    });

    it('all: every version, ascending dateAdded', async function () {
      assert.deepEqual(await q({ versions: ALL }), L('a1', 'b', 'a2', 'c', 'd', 'e', 'a3'));
    });
  });

  describe('filters', function () {
    it('ids: any of the ids', async function () {
      assert.deepEqual(await q({ ids: [s.c.id, s.a.id] }), L('c', 'a3'));
      assert.deepEqual(await q({ ids: [s.a.id], versions: ALL }), L('a1', 'a2', 'a3'));
      assert.deepEqual(await q({ ids: ['indicator--00000000-0000-4000-8000-000000000000'] }), []);
    });

    it('types: any of the types', async function () {
      assert.deepEqual(await q({ types: ['malware', 'ipv4-addr'] }), L('c', 'e'));
      assert.deepEqual(await q({ types: ['indicator'] }), L('b', 'd', 'a3'));
      assert.deepEqual(await q({ types: ['attack-pattern'] }), []);
    });

    it('specVersions: any of the spec versions', async function () {
      assert.deepEqual(await q({ specVersions: ['2.0'] }), L('d'));
      assert.deepEqual(await q({ specVersions: ['2.1'] }), L('b', 'c', 'e', 'a3'));
      assert.deepEqual(await q({ specVersions: ['2.1', '2.0'] }), L('b', 'c', 'd', 'e', 'a3'));
    });

    it('different filters combine with AND', async function () {
      assert.deepEqual(await q({ ids: [s.a.id, s.c.id], types: ['indicator'] }), L('a3'));
      assert.deepEqual(await q({ ids: [s.b.id, s.d.id], specVersions: ['2.0'] }), L('d'));
      assert.deepEqual(await q({ types: ['indicator'], specVersions: ['2.0'], ids: [s.b.id] }), []);
      assert.deepEqual(await q({ types: ['indicator'], versions: exact(stamp(5)) }), L('b', 'd'));
    });

    it('addedAfter: only versions added strictly after the instant', async function () {
      const at = s.o.c.dateAdded;
      assert.deepEqual(await q({ addedAfter: at }), L('d', 'e', 'a3'));
      assert.deepEqual(await q({ addedAfter: at - 1 }), L('c', 'd', 'e', 'a3'));
      assert.deepEqual(await q({ addedAfter: s.o.a3.dateAdded }), []);
      assert.deepEqual(await q({ addedAfter: at, versions: ALL }), L('d', 'e', 'a3'));
    });

    it('addedAfter does not change which version is first or last', async function () {
      const at = s.o.a1.dateAdded;
      // a1 is a's first version but was added before `at`: a has no first version after `at`.
      assert.deepEqual(await q({ addedAfter: at, versions: FIRST, ids: [s.a.id] }), []);
      assert.deepEqual(await q({ addedAfter: at, versions: LAST, ids: [s.a.id] }), L('a3'));
      // a2 is neither first nor last, even when it is the earliest version after `at`.
      assert.deepEqual(await q({ addedAfter: at, versions: FIRST_LAST, ids: [s.a.id] }), L('a3'));
    });
  });

  describe('paging', function () {
    it('after: only versions with dateAdded strictly greater', async function () {
      const page = await stores().objects.queryObjects({
        visibleTo: 'all',
        collectionId: s.col,
        filter: { versions: ALL },
        after: s.o.a2.dateAdded,
        limit: 100,
        withBody: false,
      });
      assert.deepEqual(labels(page.items), L('c', 'd', 'e', 'a3'));
      assert.equal(page.more, false);
    });

    it('after and addedAfter together: the later one wins', async function () {
      const run = async (after: number, addedAfter: number): Promise<string[]> =>
        labels(
          (
            await stores().objects.queryObjects({
              visibleTo: 'all',
              collectionId: s.col,
              filter: { versions: ALL, addedAfter },
              after,
              limit: 100,
              withBody: false,
            })
          ).items,
        );
      assert.deepEqual(await run(s.o.b.dateAdded, s.o.d.dateAdded), L('e', 'a3'));
      assert.deepEqual(await run(s.o.d.dateAdded, s.o.b.dateAdded), L('e', 'a3'));
    });

    it('limit: at most limit items; more exactly when further items match', async function () {
      const page = async (limit: number, after?: number) =>
        stores().objects.queryObjects({
          visibleTo: 'all',
          collectionId: s.col,
          filter: {},
          limit,
          after,
          withBody: false,
        });
      const p4 = await page(4);
      assert.deepEqual(labels(p4.items), L('b', 'c', 'd', 'e'));
      assert.equal(p4.more, true);
      const p5 = await page(5);
      assert.deepEqual(labels(p5.items), L('b', 'c', 'd', 'e', 'a3'));
      assert.equal(p5.more, false, 'more is false when exactly limit items remain');
      const p6 = await page(6);
      assert.equal(p6.items.length, 5);
      assert.equal(p6.more, false);
      const rest = await page(1, s.o.e.dateAdded);
      assert.deepEqual(labels(rest.items), L('a3'));
      assert.equal(rest.more, false);
      const p1 = await page(1);
      assert.deepEqual(labels(p1.items), L('b'));
      assert.equal(p1.more, true);
    });

    it('more counts only matching versions', async function () {
      // Versions are added after c, but none of them is malware.
      const p = await stores().objects.queryObjects({
        visibleTo: 'all',
        collectionId: s.col,
        filter: { types: ['malware'], versions: ALL },
        limit: 1,
        withBody: false,
      });
      assert.deepEqual(labels(p.items), L('c'));
      assert.equal(p.more, false);
      // a1 and a2 are added before a3 but are not last versions.
      const last = await stores().objects.queryObjects({
        visibleTo: 'all',
        collectionId: s.col,
        filter: { ids: [s.a.id] },
        limit: 1,
        withBody: false,
      });
      assert.deepEqual(labels(last.items), L('a3'));
      assert.equal(last.more, false);
    });

    it('an empty collection gives an empty page', async function () {
      const empty = (await newCollection(stores(), root)).id;
      const page = await stores().objects.queryObjects({
        visibleTo: 'all',
        collectionId: empty,
        filter: {},
        limit: 10,
        withBody: true,
      });
      assert.deepEqual(page, { items: [], more: false });
    });

    it('paging through 250 objects with limit 7 yields every item once, in order', async function () {
      const col = (await newCollection(stores(), root)).id;
      const outcomes: AddOutcome[] = [];
      for (let i = 0; i < 5; i++) {
        const batch = Array.from({ length: 50 }, () => toNewVersion(makeIndicator()));
        outcomes.push(...(await add(stores(), col, batch)));
      }
      const seen: StoredVersion[] = [];
      let after: number | undefined;
      let pages = 0;
      for (;;) {
        const page = await stores().objects.queryObjects({
          visibleTo: 'all',
          collectionId: col,
          filter: {},
          limit: 7,
          after,
          withBody: true,
        });
        pages++;
        assert.ok(page.items.length <= 7);
        seen.push(...page.items);
        if (!page.more) break;
        assert.equal(page.items.length, 7, 'a page followed by more is full');
        after = nth(page.items, page.items.length - 1).dateAdded;
      }
      assert.equal(pages, Math.ceil(250 / 7));
      assert.deepEqual(labels(seen), labels(outcomes));
      assert.deepEqual(
        seen.map((v) => v.dateAdded),
        outcomes.map((o) => o.dateAdded),
      );
      assert.ok(seen.every((v) => typeof v.body === 'string'));
    });
  });

  describe('byte budget (maxBytes)', function () {
    /** Five indicators whose stored bodies are `sizes` UTF-8 bytes (a description pads each). */
    async function sized(sizes: number[]): Promise<{ col: string; bodies: string[] }> {
      const col = (await newCollection(stores(), root)).id;
      const bodies: string[] = [];
      const versions = sizes.map((n, i) => {
        const base = toNewVersion(makeIndicator({ description: '' }));
        // 'é' is two bytes: the budget counts UTF-8 bytes, not characters.
        const pad = n - Buffer.byteLength(base.body, 'utf8');
        const description =
          i % 2 === 0 ? 'x'.repeat(pad) : 'é'.repeat(Math.floor(pad / 2)) + 'x'.repeat(pad % 2);
        const v = toNewVersion(makeIndicator({ id: base.id, description }));
        assert.equal(Buffer.byteLength(v.body, 'utf8'), n);
        bodies.push(v.body);
        return v;
      });
      for (const v of versions) await add(stores(), col, [v]);
      return { col, bodies };
    }

    /** A page of bodies of `col` with this budget (and limit 100), after `after`. */
    function page(col: string, maxBytes: number, after?: number, limit = 100, withBody = true) {
      return stores().objects.queryObjects({
        collectionId: col,
        visibleTo: 'all',
        filter: {},
        limit,
        withBody,
        maxBytes,
        ...(after !== undefined ? { after } : {}),
      });
    }

    it('ends a page before its bodies exceed the budget; more is true and `after` continues exactly', async function () {
      const { col, bodies } = await sized([3000, 3000, 3000, 3000, 3000]);
      const q = (after?: number) => page(col, 7000, after);
      const p1 = await q();
      assert.equal(p1.items.length, 2, '3000 + 3000 fit in 7000, a third does not');
      assert.equal(p1.more, true);
      const p2 = await q(nth(p1.items, 1).dateAdded);
      assert.equal(p2.items.length, 2);
      assert.equal(p2.more, true);
      const p3 = await q(nth(p2.items, 1).dateAdded);
      assert.equal(p3.items.length, 1);
      assert.equal(p3.more, false);
      assert.deepEqual(
        [...p1.items, ...p2.items, ...p3.items].map((i) => i.body),
        bodies,
      );
    });

    it('a budget met exactly still takes the item; one byte over does not', async function () {
      const { col } = await sized([2000, 3000, 1000]);
      const at = (maxBytes: number) => page(col, maxBytes);
      assert.equal((await at(5000)).items.length, 2);
      assert.equal((await at(4999)).items.length, 1);
      assert.equal((await at(6000)).more, false);
    });

    it('an object larger than the budget is served alone, never skipped', async function () {
      const { col, bodies } = await sized([500, 50_000, 500]);
      const q = (after?: number) => page(col, 10_000, after);
      const p1 = await q();
      assert.deepEqual(
        p1.items.map((i) => i.body),
        [bodies[0]],
      );
      assert.equal(p1.more, true);
      const p2 = await q(nth(p1.items, 0).dateAdded);
      assert.deepEqual(
        p2.items.map((i) => i.body),
        [bodies[1]],
        'the large one, alone',
      );
      assert.equal(p2.more, true);
      const p3 = await q(nth(p2.items, 0).dateAdded);
      assert.deepEqual(
        p3.items.map((i) => i.body),
        [bodies[2]],
      );
      assert.equal(p3.more, false);
    });

    it('limit still applies within the budget, and without bodies the budget is not used', async function () {
      const { col } = await sized([1000, 1000, 1000]);
      const withBodies = await page(col, 1_000_000, undefined, 2);
      assert.equal(withBodies.items.length, 2);
      assert.equal(withBodies.more, true);
      const manifest = await page(col, 1, undefined, 100, false);
      assert.equal(manifest.items.length, 3);
      assert.equal(manifest.more, false);
    });
  });

  describe('results', function () {
    it('carry id, type, specVersion, version as received and dateAdded', async function () {
      const items = await queryAll(stores(), s.col, { versions: ALL });
      // JSON round trip: a `body: undefined` property counts as absent here.
      const find = (o: AddOutcome): unknown => {
        const v = items.find((i) => i.id === o.id && i.version === o.version);
        return v && (JSON.parse(JSON.stringify(v)) as unknown);
      };
      assert.deepEqual(find(s.o.a2), {
        id: s.a.id,
        type: 'indicator',
        specVersion: '2.1',
        version: stamp(2),
        dateAdded: s.o.a2.dateAdded,
      });
      assert.deepEqual(find(s.o.c), {
        id: s.c.id,
        type: 'malware',
        specVersion: '2.1',
        version: stamp(5),
        dateAdded: s.o.c.dateAdded,
      });
      assert.equal(items.find((v) => v.id === s.d.id)?.specVersion, '2.0');
      assert.equal(items.find((v) => v.id === s.e.id)?.type, 'ipv4-addr');
    });

    it('withBody false omits the body', async function () {
      const items = await queryAll(stores(), s.col, { versions: ALL }, false);
      assert.equal(items.length, 7);
      for (const v of items)
        assert.deepEqual(Object.keys(v).sort(), ['dateAdded', 'id', 'specVersion', 'type', 'version']);
    });

    it('withBody true returns the stored text', async function () {
      const items = await queryAll(stores(), s.col, { versions: ALL }, true);
      const byLabel = new Map(items.map((v) => [`${v.id}@${v.version}`, v.body]));
      assert.equal(byLabel.get(label(s.o.b)), JSON.stringify(s.b));
      assert.equal(byLabel.get(label(s.o.a2)), JSON.stringify(withModified(s.a, stamp(2))));
      assert.equal(byLabel.get(label(s.o.e)), JSON.stringify(s.e));
    });

    it('bodies are returned byte for byte, not re-serialised', async function () {
      const col = (await newCollection(stores(), root)).id;
      const id = 'indicator--4b3c2a1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d';
      const odd: NewObjectVersion = {
        tlp: null,
        id,
        type: 'indicator',
        specVersion: '2.1',
        version: '2025-02-03T04:05:06.7Z',
        versionKey: key('2025-02-03T04:05:06.7Z'),
        body:
          `{ "type" : "indicator",\n\t"spec_version":"2.1", "id": "${id}",` +
          ` "created":"2025-02-03T04:05:06.7Z","modified":"2025-02-03T04:05:06.7Z",` +
          ` "name": "caf\\u00e9 ☃ 😀 \\"quoted\\" \\/ back\\\\slash", "confidence": 1.0, "x_big": 12345678901234567890,` +
          ` "x_exp": 1E+2, "x_empty": {}, "x_list": [ ], "pattern":"[ipv4-addr:value = '198.51.100.1']",` +
          ` "pattern_type":"stix","valid_from":"2025-02-03T04:05:06.7Z" }  `,
      };
      const big = toNewVersion(makeIndicator({ description: 'x'.repeat(300_000) + '\u00e9\u{1F600}' }));
      await add(stores(), col, [odd, big]);
      const items = await queryAll(stores(), col, { versions: ALL }, true);
      assert.equal(items.length, 2);
      assert.equal(nth(items, 0).body, odd.body);
      assert.equal(nth(items, 0).version, '2025-02-03T04:05:06.7Z');
      assert.equal(nth(items, 1).body, big.body);
    });
  });
});
