import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CollectionRecord, Grant } from '../../server/store/contract';
import { ConflictError, NotFoundError } from '../../server/errors';
import { assertMicros, newApiRoot, newCollection, rejectsWith, suite, uniq, useStores } from './fixture';

function byGroup(grants: readonly Grant[]): Grant[] {
  return [...grants].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function ids(cols: readonly CollectionRecord[]): string[] {
  return cols.map((c) => c.id);
}

function nthGroup(grants: readonly { group: string }[]): string {
  const g = grants[0];
  assert.ok(g);
  return g.group;
}

describe(suite('API roots'), function () {
  const stores = useStores();

  it('createApiRoot returns the record, getApiRoot reads it back', async function () {
    const name = uniq('root');
    const created = await stores().registry.createApiRoot({
      name,
      title: 'Root one',
      description: 'First root',
    });
    assert.equal(created.name, name);
    assert.equal(created.title, 'Root one');
    assert.equal(created.description, 'First root');
    assertMicros(created.createdAt, 'createdAt');
    assert.deepEqual(await stores().registry.getApiRoot(name), created);
  });

  it('a root created without description has none', async function () {
    const name = uniq('root');
    const created = await stores().registry.createApiRoot({ name, title: 'No description' });
    const found = await stores().registry.getApiRoot(name);
    for (const rec of [created, found]) {
      assert.ok(rec);
      assert.ok(!('description' in rec), Object.keys(rec).join(','));
    }
  });

  it('getApiRoot of an unknown name is null', async function () {
    assert.equal(await stores().registry.getApiRoot(uniq('missing')), null);
  });

  it('listApiRoots lists every root', async function () {
    const a = await stores().registry.createApiRoot({ name: uniq('root'), title: 'A' });
    const b = await stores().registry.createApiRoot({ name: uniq('root'), title: 'B' });
    const listed = await stores().registry.listApiRoots();
    assert.deepEqual(
      listed.find((r) => r.name === a.name),
      a,
    );
    assert.deepEqual(
      listed.find((r) => r.name === b.name),
      b,
    );
    assert.equal(new Set(listed.map((r) => r.name)).size, listed.length, 'no root listed twice');
  });

  it('a duplicate root name is a ConflictError', async function () {
    const name = uniq('root');
    await stores().registry.createApiRoot({ name, title: 'Original' });
    await assert.rejects(stores().registry.createApiRoot({ name, title: 'Copy' }), ConflictError);
    assert.equal((await stores().registry.getApiRoot(name))?.title, 'Original');
  });

  it('removeApiRoot removes an empty root (true), then finds none (false); the name is free again', async function () {
    const name = await newApiRoot(stores());
    const other = await newApiRoot(stores());
    assert.equal(await stores().registry.removeApiRoot(name), true);
    assert.equal(await stores().registry.getApiRoot(name), null);
    assert.equal(
      (await stores().registry.listApiRoots()).some((r) => r.name === name),
      false,
    );
    assert.ok(await stores().registry.getApiRoot(other), 'another root is untouched');
    assert.equal(await stores().registry.removeApiRoot(name), false);
    await stores().registry.createApiRoot({ name, title: 'Again' });
    assert.equal((await stores().registry.getApiRoot(name))?.title, 'Again');
  });

  it('removeApiRoot refuses a root that holds a collection (ConflictError), and keeps both', async function () {
    const name = await newApiRoot(stores());
    const col = await newCollection(stores(), name);
    await rejectsWith(
      stores().registry.removeApiRoot(name),
      ConflictError,
      `API root ${name} still holds 1 collection(s)`,
    );
    assert.ok(await stores().registry.getApiRoot(name));
    assert.equal((await stores().registry.findCollection({ apiRoot: name, idOrAlias: col.id }))?.id, col.id);
    assert.equal(await stores().registry.removeCollection({ collectionId: col.id }), true);
    assert.equal(await stores().registry.removeApiRoot(name), true);
  });
});

describe(suite('collections'), function () {
  const stores = useStores();

  it('createCollection under an unknown API root is a NotFoundError and creates nothing', async function () {
    const ghost = uniq('root');
    await rejectsWith(newCollection(stores(), ghost), NotFoundError, `API root ${ghost} does not exist`);
    assert.deepEqual(await stores().registry.listCollections({ apiRoot: ghost, visibleTo: 'all' }), []);
  });

  it('createCollection returns the record; findCollection finds it by id and by alias', async function () {
    const root = await newApiRoot(stores());
    const group = uniq('group');
    await stores().principals.createGroup(group);
    const args = {
      id: randomUUID(),
      apiRoot: root,
      title: 'Indicators',
      description: 'Shared indicators',
      alias: 'indicators',
      mediaTypes: ['application/stix+json;version=2.1'],
      grants: [{ group, read: true, write: true, maxTlp: 'green' as const }],
      defaultTlp: 'red' as const,
    };
    const created = await stores().registry.createCollection(args);
    assert.deepEqual({ ...created, createdAt: 0 }, { ...args, createdAt: 0 });
    assertMicros(created.createdAt, 'createdAt');
    assert.deepEqual(await stores().registry.findCollection({ apiRoot: root, idOrAlias: args.id }), created);
    assert.deepEqual(
      await stores().registry.findCollection({ apiRoot: root, idOrAlias: 'indicators' }),
      created,
    );
  });

  it('a collection created without alias or description has neither', async function () {
    const root = await newApiRoot(stores());
    const created = await newCollection(stores(), root);
    const found = await stores().registry.findCollection({ apiRoot: root, idOrAlias: created.id });
    for (const rec of [created, found]) {
      assert.ok(rec);
      assert.ok(!('alias' in rec) && !('description' in rec), Object.keys(rec).join(','));
    }
  });

  it('several collections without an alias coexist in one root', async function () {
    const root = await newApiRoot(stores());
    const a = await newCollection(stores(), root);
    const b = await newCollection(stores(), root);
    assert.deepEqual(
      ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: 'all' })),
      [a.id, b.id].sort(),
    );
  });

  it('findCollection of an unknown id or alias is null', async function () {
    const root = await newApiRoot(stores());
    await newCollection(stores(), root, { alias: 'known' });
    assert.equal(await stores().registry.findCollection({ apiRoot: root, idOrAlias: randomUUID() }), null);
    assert.equal(await stores().registry.findCollection({ apiRoot: root, idOrAlias: 'unknown' }), null);
  });

  it('findCollection does not find a collection of another API root', async function () {
    const root = await newApiRoot(stores());
    const other = await newApiRoot(stores());
    const col = await newCollection(stores(), root, { alias: 'elsewhere' });
    assert.equal(await stores().registry.findCollection({ apiRoot: other, idOrAlias: col.id }), null);
    assert.equal(await stores().registry.findCollection({ apiRoot: other, idOrAlias: 'elsewhere' }), null);
  });

  it('listCollections lists the collections of one root, ordered by id', async function () {
    const root = await newApiRoot(stores());
    const other = await newApiRoot(stores());
    const created: CollectionRecord[] = [];
    for (let i = 0; i < 6; i++) created.push(await newCollection(stores(), root, { title: `C${i}` }));
    await newCollection(stores(), other);
    const listed = await stores().registry.listCollections({ apiRoot: root, visibleTo: 'all' });
    const expected = [...created].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(listed, expected);
  });

  it('listCollections of a root without collections is empty', async function () {
    const root = await newApiRoot(stores());
    assert.deepEqual(await stores().registry.listCollections({ apiRoot: root, visibleTo: 'all' }), []);
  });

  describe('visibility', function () {
    let root: string;
    let g1: string;
    let g2: string;
    let g3: string;
    let readable: CollectionRecord;
    let writable: CollectionRecord;
    let noAccess: CollectionRecord;
    let noGrants: CollectionRecord;

    before(async function () {
      root = await newApiRoot(stores());
      [g1, g2, g3] = [uniq('g1'), uniq('g2'), uniq('g3')];
      for (const g of [g1, g2, g3]) await stores().principals.createGroup(g);
      readable = await newCollection(stores(), root, { grants: [{ group: g1, read: true, write: false }] });
      writable = await newCollection(stores(), root, { grants: [{ group: g2, read: false, write: true }] });
      noAccess = await newCollection(stores(), root, { grants: [{ group: g3, read: false, write: false }] });
      noGrants = await newCollection(stores(), root);
    });

    async function visible(visibleTo: string[] | 'all'): Promise<string[]> {
      return ids(await stores().registry.listCollections({ apiRoot: root, visibleTo }));
    }

    it("'all' sees every collection, ordered by id", async function () {
      assert.deepEqual(await visible('all'), [readable.id, writable.id, noAccess.id, noGrants.id].sort());
    });

    it('a read grant makes a collection visible to its group', async function () {
      assert.deepEqual(await visible([g1]), [readable.id]);
    });

    it('a write-only grant makes a collection visible to its group', async function () {
      assert.deepEqual(await visible([g2]), [writable.id]);
    });

    it('several groups see the union, ordered by id', async function () {
      assert.deepEqual(await visible([g2, g1]), [readable.id, writable.id].sort());
    });

    it('a grant with read:false write:false does not make a collection visible', async function () {
      assert.deepEqual(await visible([g3]), []);
    });

    it('no groups or unknown groups see nothing', async function () {
      assert.deepEqual(await visible([]), []);
      assert.deepEqual(await visible([uniq('stranger')]), []);
    });
  });

  it('setGrants replaces the grants and changes visibility', async function () {
    const root = await newApiRoot(stores());
    const [a, b] = [uniq('a'), uniq('b')];
    await stores().principals.createGroup(a);
    await stores().principals.createGroup(b);
    const col = await newCollection(stores(), root, { grants: [{ group: a, read: true, write: true }] });
    const grants: Grant[] = [
      { group: b, read: true, write: false, maxTlp: 'red' },
      { group: a, read: false, write: false, maxTlp: 'amber' },
    ];
    const updated = await stores().registry.setGrants({ collectionId: col.id, grants });
    assert.equal(updated.id, col.id);
    assert.equal(updated.title, col.title);
    assert.equal(updated.createdAt, col.createdAt);
    assert.deepEqual(byGroup(updated.grants), byGroup(grants));
    const found = await stores().registry.findCollection({ apiRoot: root, idOrAlias: col.id });
    assert.deepEqual(byGroup(found?.grants ?? []), byGroup(grants));
    assert.deepEqual(ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: [a] })), []);
    assert.deepEqual(ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: [b] })), [
      col.id,
    ]);
    const cleared = await stores().registry.setGrants({ collectionId: col.id, grants: [] });
    assert.deepEqual(cleared.grants, []);
    assert.deepEqual(ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: [a, b] })), []);
  });

  it('a duplicate alias in the same root is a ConflictError', async function () {
    const root = await newApiRoot(stores());
    const first = await newCollection(stores(), root, { alias: 'dup' });
    await assert.rejects(newCollection(stores(), root, { alias: 'dup' }), ConflictError);
    assert.deepEqual(ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: 'all' })), [
      first.id,
    ]);
  });

  it('the same alias in another root is fine', async function () {
    const root = await newApiRoot(stores());
    const other = await newApiRoot(stores());
    const a = await newCollection(stores(), root, { alias: 'same' });
    const b = await newCollection(stores(), other, { alias: 'same' });
    assert.equal((await stores().registry.findCollection({ apiRoot: root, idOrAlias: 'same' }))?.id, a.id);
    assert.equal((await stores().registry.findCollection({ apiRoot: other, idOrAlias: 'same' }))?.id, b.id);
  });

  it('a duplicate collection id is a ConflictError', async function () {
    const root = await newApiRoot(stores());
    const col = await newCollection(stores(), root);
    await assert.rejects(newCollection(stores(), root, { id: col.id, title: 'Again' }), ConflictError);
    assert.equal(
      (await stores().registry.findCollection({ apiRoot: root, idOrAlias: col.id }))?.title,
      col.title,
    );
  });

  describe('removeCollection', function () {
    it('removes the record and its grants: not found by id or alias, not listed to anyone', async function () {
      const root = await newApiRoot(stores());
      const grants = [{ group: uniq('g'), read: true, write: true }];
      const gone = await newCollection(stores(), root, { alias: 'going', grants });
      const kept = await newCollection(stores(), root, { alias: 'staying', grants });
      assert.equal(await stores().registry.removeCollection({ collectionId: gone.id }), true);
      for (const idOrAlias of [gone.id, 'going'])
        assert.equal(await stores().registry.findCollection({ apiRoot: root, idOrAlias }), null);
      assert.deepEqual(ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: 'all' })), [
        kept.id,
      ]);
      assert.deepEqual(
        ids(await stores().registry.listCollections({ apiRoot: root, visibleTo: [nthGroup(grants)] })),
        [kept.id],
      );
      assert.deepEqual(
        (await stores().registry.findCollection({ apiRoot: root, idOrAlias: 'staying' }))?.grants.map(
          (g) => g.group,
        ),
        [nthGroup(grants)],
      );
    });

    it('is false for a collection that does not exist (a second removal)', async function () {
      const root = await newApiRoot(stores());
      const col = await newCollection(stores(), root);
      assert.equal(await stores().registry.removeCollection({ collectionId: col.id }), true);
      assert.equal(await stores().registry.removeCollection({ collectionId: col.id }), false);
      assert.equal(await stores().registry.removeCollection({ collectionId: randomUUID() }), false);
    });

    it('frees the alias and the id: a new collection may take them, with no grant of the old one', async function () {
      const root = await newApiRoot(stores());
      const old = await newCollection(stores(), root, {
        alias: 'reused',
        grants: [{ group: uniq('g'), read: true, write: false }],
      });
      await stores().registry.removeCollection({ collectionId: old.id });
      const again = await newCollection(stores(), root, { id: old.id, alias: 'reused', grants: [] });
      assert.deepEqual(again.grants, []);
      assert.deepEqual(
        (await stores().registry.findCollection({ apiRoot: root, idOrAlias: 'reused' }))?.grants,
        [],
      );
    });
  });
});
