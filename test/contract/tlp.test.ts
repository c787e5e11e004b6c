/**
 * The store's side of TLP-aware sharing, on every backend: ceilings and defaults in the registry,
 * and the visibility scope applied by queries, exists and deletes (including paging through a
 * collection most of which the reader cannot see).
 */
import assert from 'node:assert/strict';
import type { NewObjectVersion, ObjectScope, Stores } from '../../server/store/contract';
import type { TlpRank } from '../../server/access/tlp';
import { NotFoundError } from '../../server/errors';
import {
  ALL,
  key,
  labels,
  newApiRoot,
  newCollection,
  nth,
  rejectsWith,
  stamp,
  suite,
  uniq,
  useStores,
} from './fixture';

function version(i: number, tlp: TlpRank | null, v = 0): NewObjectVersion {
  const id = `indicator--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const t = stamp(v);
  return {
    id,
    type: 'indicator',
    specVersion: '2.1',
    version: t,
    versionKey: key(t),
    body: `{"i":${i}}`,
    tlp,
  };
}

const scope = (ranks: TlpRank[], unmarked: boolean, publisher: string | null = null): ObjectScope => ({
  ranks,
  unmarked,
  publisher,
});

/** Every page of a query by `next`-style keyset, with the page size given. */
async function pages(stores: Stores, collectionId: string, visibleTo: ObjectScope, limit: number) {
  const out: string[][] = [];
  let after: number | undefined;
  for (;;) {
    const p = await stores.objects.queryObjects({
      collectionId,
      visibleTo,
      filter: {},
      limit,
      withBody: false,
      ...(after !== undefined ? { after } : {}),
    });
    out.push(p.items.map((x) => x.id.slice(-3)));
    if (!p.more) return out;
    after = p.items[p.items.length - 1]?.dateAdded;
  }
}

describe(suite('TLP ceilings and defaults (registry)'), function () {
  const stores = useStores();

  it('grants carry maxTlp (default amber), collections defaultTlp (default amber); both are stored', async () => {
    const root = await newApiRoot(stores());
    const [a, b] = [uniq('a'), uniq('b')];
    const c = await newCollection(stores(), root, {
      grants: [
        { group: b, read: true, write: false, maxTlp: 'red' },
        { group: a, read: true, write: true },
      ],
    });
    assert.equal(c.defaultTlp, 'amber');
    assert.deepEqual(c.grants, [
      { group: a, read: true, write: true, maxTlp: 'amber' },
      { group: b, read: true, write: false, maxTlp: 'red' },
    ]);
    const d = await newCollection(stores(), root, { defaultTlp: 'clear' });
    assert.equal(
      (await stores().registry.findCollection({ apiRoot: root, idOrAlias: d.id }))?.defaultTlp,
      'clear',
    );
  });

  it('putGrant sets one group, removeGrant removes one, setDefaultTlp changes the default; others untouched', async () => {
    const root = await newApiRoot(stores());
    const [a, b, x] = [uniq('a'), uniq('b'), uniq('x')];
    const c = await newCollection(stores(), root, { grants: [{ group: a, read: true, write: false }] });
    let r = await stores().registry.putGrant({
      collectionId: c.id,
      grant: { group: b, read: true, write: true, maxTlp: 'green' },
    });
    r = await stores().registry.putGrant({
      collectionId: c.id,
      grant: { group: a, read: true, write: true, maxTlp: 'red' },
    });
    assert.deepEqual(r.grants, [
      { group: a, read: true, write: true, maxTlp: 'red' },
      { group: b, read: true, write: true, maxTlp: 'green' },
    ]);
    r = await stores().registry.removeGrant({ collectionId: c.id, group: x });
    assert.equal(r.grants.length, 2);
    r = await stores().registry.removeGrant({ collectionId: c.id, group: a });
    assert.deepEqual(
      r.grants.map((g) => g.group),
      [b],
    );
    r = await stores().registry.setDefaultTlp({ collectionId: c.id, defaultTlp: 'amber+strict' });
    assert.equal(r.defaultTlp, 'amber+strict');
    const again = await stores().registry.findCollection({ apiRoot: root, idOrAlias: c.id });
    assert.deepEqual([again?.grants, again?.defaultTlp], [r.grants, 'amber+strict']);
    for (const op of [
      () => stores().registry.setGrants({ collectionId: '00000000-0000-4000-8000-000000000000', grants: [] }),
      () =>
        stores().registry.putGrant({
          collectionId: '00000000-0000-4000-8000-000000000000',
          grant: { group: a, read: true, write: false },
        }),
      () => stores().registry.removeGrant({ collectionId: '00000000-0000-4000-8000-000000000000', group: a }),
      () =>
        stores().registry.setDefaultTlp({
          collectionId: '00000000-0000-4000-8000-000000000000',
          defaultTlp: 'red',
        }),
    ])
      await rejectsWith(
        op(),
        NotFoundError,
        'collection 00000000-0000-4000-8000-000000000000 does not exist',
      );
  });
});

describe(suite('TLP visibility (objects)'), function () {
  const stores = useStores();
  let c: string;
  // 60 versions: i % 6 → unmarked, clear, green, amber, amber+strict, red; every 7th by 'pub'.
  const tlpOf = (i: number): TlpRank | null => (i % 6 === 0 ? null : (((i % 6) - 1) as TlpRank));

  before(async () => {
    const root = await newApiRoot(stores());
    c = (await newCollection(stores(), root)).id;
    for (let i = 1; i <= 60; i++) {
      await stores().objects.addObjects({
        collectionId: c,
        addedBy: i % 7 === 0 ? 'pub' : 'other',
        objects: [version(i, tlpOf(i))],
      });
    }
  });

  function want(pred: (i: number) => boolean): string[] {
    return Array.from({ length: 60 }, (_, k) => k + 1)
      .filter(pred)
      .map((i) => String(i).padStart(3, '0'));
  }

  it('a scope returns exactly its ranks, unmarked when asked, and its publisher’s own versions; paging stays exact', async () => {
    const cases: [ObjectScope, (i: number) => boolean][] = [
      ['all', () => true],
      [scope([0, 1], false), (i) => [0, 1].includes(tlpOf(i) ?? -1)],
      [scope([0, 1], true), (i) => tlpOf(i) === null || (tlpOf(i) as number) <= 1],
      [scope([0, 1, 2], false, 'pub'), (i) => i % 7 === 0 || [0, 1, 2].includes(tlpOf(i) ?? -1)],
      [scope([], false, 'pub'), (i) => i % 7 === 0],
      [scope([], false), () => false],
      [scope([0, 1, 2, 3, 4], true, 'pub'), () => true],
    ];
    for (const [s, pred] of cases) {
      for (const limit of [1, 4, 100]) {
        const got = await pages(stores(), c, s, limit);
        const expected = want(pred);
        assert.deepEqual(got.flat(), expected, `${JSON.stringify(s)} limit ${limit}`);
        // every page but the last is full; the last is not empty unless nothing is visible
        got.slice(0, -1).forEach((p) => assert.equal(p.length, limit));
        if (expected.length > 0) assert.ok((got[got.length - 1]?.length ?? 0) > 0);
      }
    }
  });

  it('match[type], match[id] and version selectors combine with the scope', async () => {
    const s = scope([4], false, 'pub');
    const q = (filter: object) =>
      stores().objects.queryObjects({ collectionId: c, visibleTo: s, filter, limit: 100, withBody: false });
    const red = want((i) => tlpOf(i) === 4 || i % 7 === 0);
    assert.deepEqual(
      (await q({ types: ['indicator'] })).items.map((x) => x.id.slice(-3)),
      red,
    );
    assert.deepEqual(
      (await q({ types: ['indicator', 'malware'], versions: ALL })).items.map((x) => x.id.slice(-3)),
      red,
    );
    const hidden = version(1, 0).id; // clear, not by pub
    const shown = version(5, 4).id;
    assert.deepEqual(
      labels((await q({ ids: [hidden, shown] })).items),
      labels((await q({ ids: [shown] })).items),
    );
    assert.equal((await q({ ids: [hidden] })).items.length, 0);
  });

  it('match[id] and objectExists see exactly a scope’s ranks, unmarked when asked, and its publisher’s own versions', async () => {
    const ids = Array.from({ length: 60 }, (_, k) => version(k + 1, null).id);
    const cases: [ObjectScope, (i: number) => boolean][] = [
      ['all', () => true],
      [scope([0, 2, 4], false), (i) => [0, 2, 4].includes(tlpOf(i) ?? -1)],
      [scope([1, 3], true), (i) => tlpOf(i) === null || [1, 3].includes(tlpOf(i) as number)],
      [scope([0, 1, 2], false, 'pub'), (i) => i % 7 === 0 || [0, 1, 2].includes(tlpOf(i) ?? -1)],
      [scope([], false, 'pub'), (i) => i % 7 === 0],
      [scope([], false), () => false],
    ];
    for (const [s, pred] of cases) {
      const page = await stores().objects.queryObjects({
        collectionId: c,
        visibleTo: s,
        filter: { ids },
        limit: 100,
        withBody: false,
      });
      assert.deepEqual(
        page.items.map((x) => x.id.slice(-3)),
        want(pred),
        JSON.stringify(s),
      );
      // 7: amber by pub; 12: unmarked; 13: clear; 15: amber; 16: amber+strict; 28: amber+strict by pub
      for (const i of [7, 12, 13, 15, 16, 28]) {
        const seen = await stores().objects.objectExists({
          collectionId: c,
          id: nth(ids, i - 1),
          visibleTo: s,
        });
        assert.equal(seen, pred(i), `${JSON.stringify(s)} ${i}`);
      }
    }
  });

  it('objectExists and deleteObject see only the scope', async () => {
    const hidden = version(6, null).id; // unmarked, not by pub
    const s = scope([0], false, 'nobody');
    assert.equal(await stores().objects.objectExists({ collectionId: c, id: hidden, visibleTo: s }), false);
    assert.equal(
      await stores().objects.objectExists({ collectionId: c, id: hidden, visibleTo: scope([], true) }),
      true,
    );
    assert.equal(await stores().objects.deleteObject({ collectionId: c, id: hidden, visibleTo: s }), 0);
    assert.equal(
      await stores().objects.objectExists({ collectionId: c, id: hidden, visibleTo: 'all' }),
      true,
    );
    assert.equal(
      await stores().objects.deleteObject({ collectionId: c, id: hidden, visibleTo: scope([], true) }),
      1,
    );
    assert.equal(
      await stores().objects.objectExists({ collectionId: c, id: hidden, visibleTo: 'all' }),
      false,
    );
  });
});
