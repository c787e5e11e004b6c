import assert from 'node:assert/strict';
import { makeIndicator, makeIpv4Addr, toNewVersion, withModified, type StixObject } from '../helpers/stix';
import {
  ALL,
  FIRST,
  LAST,
  add,
  exact,
  labels,
  newApiRoot,
  newCollection,
  queryAll,
  stamp,
  suite,
  useStores,
} from './fixture';

describe(suite('objectExists, deleteObject, countObjects, purgeCollection'), function () {
  const stores = useStores();
  let root: string;
  before(async function () {
    root = await newApiRoot(stores());
  });
  async function collection(): Promise<string> {
    return (await newCollection(stores(), root)).id;
  }
  /** An indicator with versions at stamp(1), stamp(2), stamp(3), added in that order. */
  async function threeVersions(col: string): Promise<StixObject> {
    const v1 = makeIndicator({ modified: stamp(1) });
    await add(
      stores(),
      col,
      [1, 2, 3].map((n) => toNewVersion(withModified(v1, stamp(n)))),
    );
    return v1;
  }
  const at = (obj: StixObject, n: number): string => `${obj.id}@${stamp(n)}`;

  describe('objectExists', function () {
    it('is true for a stored object and false for an unknown one', async function () {
      const col = await collection();
      const obj = makeIndicator();
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        false,
      );
      await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        true,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: makeIndicator().id }),
        false,
      );
    });

    it('is false in another collection', async function () {
      const col = await collection();
      const other = await collection();
      const obj = makeIndicator();
      await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: other, id: obj.id }),
        false,
      );
    });
  });

  describe('a scope or filter that selects nothing', function () {
    it('finds nothing and deletes nothing, leaving the object as stored', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      const nobody = { ranks: [], unmarked: false, publisher: null };
      const objects = stores().objects;
      assert.equal(await objects.objectExists({ visibleTo: nobody, collectionId: col, id: obj.id }), false);
      assert.deepEqual(
        await objects.queryObjects({
          visibleTo: nobody,
          collectionId: col,
          filter: {},
          limit: 10,
          withBody: false,
        }),
        { items: [], more: false },
      );
      assert.deepEqual(await objects.addObjects({ collectionId: col, addedBy: 'm', objects: [] }), []);
      assert.equal(await objects.deleteObject({ visibleTo: nobody, collectionId: col, id: obj.id }), 0);
      assert.equal(
        await objects.deleteObject({ visibleTo: 'all', collectionId: col, id: obj.id, specVersions: [] }),
        0,
      );
      assert.deepEqual(
        labels(await queryAll(stores(), col, { versions: ALL })),
        [1, 2, 3].map((n) => at(obj, n)),
      );
    });
  });

  describe('deleteObject', function () {
    it('without versions deletes every version and returns the count', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      const keep = makeIndicator();
      await add(stores(), col, [toNewVersion(keep)]);
      assert.equal(
        await stores().objects.deleteObject({ visibleTo: 'all', collectionId: col, id: obj.id }),
        3,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        false,
      );
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: ALL })), [
        `${keep.id}@${keep.modified}`,
      ]);
    });

    it('with versions all deletes every version', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: ALL,
        }),
        3,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        false,
      );
    });

    it('an exact version deletes only that version', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: exact(stamp(2)),
        }),
        1,
      );
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: ALL })), [at(obj, 1), at(obj, 3)]);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [at(obj, 3)]);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [at(obj, 1)]);
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        true,
      );
    });

    it('deleting the last version makes the previous one last', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: exact(stamp(3)),
        }),
        1,
      );
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [at(obj, 2)]);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [at(obj, 1)]);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: LAST,
        }),
        1,
      );
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [at(obj, 1)]);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [at(obj, 1)]);
    });

    it('deleting the first version makes the next one first', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: FIRST,
        }),
        1,
      );
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: FIRST })), [at(obj, 2)]);
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [at(obj, 3)]);
    });

    it('a version deleted can be added again, and is first/last as before', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      await stores().objects.deleteObject({
        visibleTo: 'all',
        collectionId: col,
        id: obj.id,
        versions: exact(stamp(3)),
      });
      const [again] = await add(stores(), col, [toNewVersion(withModified(obj, stamp(3)))]);
      assert.equal(again?.outcome, 'added');
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: LAST })), [at(obj, 3)]);
    });

    it('specVersions restricts what is deleted', async function () {
      const col = await collection();
      const obj = makeIndicator();
      await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          specVersions: ['2.0'],
        }),
        0,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        true,
      );
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          specVersions: ['2.1'],
        }),
        1,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: obj.id }),
        false,
      );
    });

    it('an unknown object or version deletes nothing and returns 0', async function () {
      const col = await collection();
      const obj = await threeVersions(col);
      assert.equal(
        await stores().objects.deleteObject({ visibleTo: 'all', collectionId: col, id: makeIndicator().id }),
        0,
      );
      assert.equal(
        await stores().objects.deleteObject({
          visibleTo: 'all',
          collectionId: col,
          id: obj.id,
          versions: exact(stamp(9)),
        }),
        0,
      );
      assert.equal((await queryAll(stores(), col, { versions: ALL })).length, 3);
    });

    it('deletes SCOs', async function () {
      const col = await collection();
      const sco = makeIpv4Addr();
      await add(stores(), col, [toNewVersion(sco)]);
      assert.equal(
        await stores().objects.deleteObject({ visibleTo: 'all', collectionId: col, id: sco.id }),
        1,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: sco.id }),
        false,
      );
    });
  });

  describe('countObjects', function () {
    it('counts the objects of one collection', async function () {
      const col = await collection();
      const other = await collection();
      assert.equal(await stores().objects.countObjects(col), 0);
      const objs = [makeIndicator(), makeIndicator(), makeIpv4Addr()];
      await add(stores(), col, objs.map(toNewVersion));
      await add(stores(), other, [toNewVersion(makeIndicator())]);
      assert.equal(await stores().objects.countObjects(col), 3);
      assert.equal(await stores().objects.countObjects(other), 1);
      await stores().objects.deleteObject({ visibleTo: 'all', collectionId: col, id: objs[0]?.id ?? '' });
      assert.equal(await stores().objects.countObjects(col), 2);
    });

    it('does not count duplicates', async function () {
      const col = await collection();
      const obj = makeIndicator();
      await add(stores(), col, [toNewVersion(obj), toNewVersion(obj)]);
      await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(await stores().objects.countObjects(col), 1);
    });
  });

  describe('purgeCollection', function () {
    it('deletes every version of the collection in batches of at most limit, whatever its TLP or publisher', async function () {
      const col = await collection();
      const other = await collection();
      const red = makeIndicator({
        object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
      });
      await threeVersions(col);
      await add(stores(), col, [toNewVersion(red), toNewVersion(makeIpv4Addr())]);
      await stores().objects.addObjects({
        collectionId: col,
        addedBy: 'someone-else',
        objects: [toNewVersion(makeIndicator())],
      });
      const keep = await threeVersions(other);
      assert.equal(await stores().objects.countObjects(col), 6);
      const batches: number[] = [];
      for (;;) {
        const n = await stores().objects.purgeCollection({ collectionId: col, limit: 4 });
        batches.push(n);
        if (n === 0) break;
      }
      assert.deepEqual(batches, [4, 2, 0]);
      assert.equal(await stores().objects.countObjects(col), 0);
      assert.deepEqual(await queryAll(stores(), col, { versions: ALL }), []);
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: col, id: red.id }),
        false,
      );
      assert.deepEqual(labels(await queryAll(stores(), other, { versions: ALL })), [
        at(keep, 1),
        at(keep, 2),
        at(keep, 3),
      ]);
    });

    it('is 0 for a collection without objects, or one the registry does not know', async function () {
      assert.equal(
        await stores().objects.purgeCollection({ collectionId: await collection(), limit: 10 }),
        0,
      );
      assert.equal(
        await stores().objects.purgeCollection({
          collectionId: '6f0c6b2e-1d4c-4c1e-9b54-3b1c0e8d2a11',
          limit: 10,
        }),
        0,
      );
    });

    it('a purged collection takes new objects again as new: a version once stored is added, not a duplicate', async function () {
      const col = await collection();
      const obj = makeIndicator();
      await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(await stores().objects.purgeCollection({ collectionId: col, limit: 100 }), 1);
      const [again] = await add(stores(), col, [toNewVersion(obj)]);
      assert.equal(again?.outcome, 'added');
      assert.deepEqual(labels(await queryAll(stores(), col, { versions: ALL })), [
        `${obj.id}@${obj.modified}`,
      ]);
    });
  });

  describe('isolation between collections', function () {
    it('the same object id in two collections is independent', async function () {
      const colA = await collection();
      const colB = await collection();
      const v1 = makeIndicator({ modified: stamp(1) });
      const v2 = withModified(v1, stamp(2));
      const [inA] = await add(stores(), colA, [toNewVersion(v1)]);
      const [inB] = await add(stores(), colB, [toNewVersion(v1)]);
      assert.equal(inA?.outcome, 'added');
      assert.equal(inB?.outcome, 'added', 'not a duplicate of the copy in the other collection');
      assert.notEqual(inB?.dateAdded, inA?.dateAdded);
      await add(stores(), colB, [toNewVersion(v2)]);
      assert.deepEqual(labels(await queryAll(stores(), colA, { versions: LAST })), [at(v1, 1)]);
      assert.deepEqual(labels(await queryAll(stores(), colB, { versions: LAST })), [at(v1, 2)]);
      assert.deepEqual(labels(await queryAll(stores(), colA, { versions: ALL })), [at(v1, 1)]);
      assert.equal(
        await stores().objects.deleteObject({ visibleTo: 'all', collectionId: colA, id: v1.id }),
        1,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: colA, id: v1.id }),
        false,
      );
      assert.equal(
        await stores().objects.objectExists({ visibleTo: 'all', collectionId: colB, id: v1.id }),
        true,
      );
      assert.deepEqual(labels(await queryAll(stores(), colB, { versions: ALL })), [at(v1, 1), at(v1, 2)]);
    });

    it('an SCO gets its own version per collection, each a duplicate of itself only', async function () {
      const colA = await collection();
      const colB = await collection();
      const sco = makeIpv4Addr();
      const [a1] = await add(stores(), colA, [toNewVersion(sco)]);
      const [b1] = await add(stores(), colB, [toNewVersion(sco)]);
      const [a2] = await add(stores(), colA, [toNewVersion(sco)]);
      assert.equal(a1?.outcome, 'added');
      assert.equal(b1?.outcome, 'added');
      assert.equal(a2?.outcome, 'duplicate');
      assert.equal(a2?.version, a1?.version);
    });
  });
});
