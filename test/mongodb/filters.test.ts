/**
 * The MongoDB filters the objects concern builds (server/store/mongodb/objects/documents.ts), shape
 * by shape: server/store/mongodb/indexes.ts plans each query from this shape (the filter repeated in
 * each visibility branch of a rooted $or, version mixes combined with visibility by $and), so the
 * shape is part of the design, not only the documents it matches (the contract suite checks those).
 * No server needed.
 */
import assert from 'node:assert/strict';
import type { ObjectScope, VersionSelector } from '../../server/store/contract';
import { objectFilter, visibilityBranches, withScope } from '../../server/store/mongodb/objects/documents';

const some = (v: Partial<Omit<VersionSelector & { kind: 'some' }, 'kind'>>): VersionSelector => ({
  kind: 'some',
  first: false,
  last: false,
  exact: [],
  ...v,
});

describe('MongoDB backend: object filters', function () {
  describe('objectFilter', function () {
    it('without a filter: the last version of the collection', function () {
      assert.deepEqual(objectFilter('c1', {}), { c: 'c1', last: true });
    });

    it('ids, types and spec versions as $in (also of one value), the version selector beside them', function () {
      assert.deepEqual(
        objectFilter('c1', {
          ids: ['indicator--1'],
          types: ['indicator', 'malware'],
          specVersions: ['2.1'],
          versions: some({ first: true }),
        }),
        {
          c: 'c1',
          oid: { $in: ['indicator--1'] },
          type: { $in: ['indicator', 'malware'] },
          sv: { $in: ['2.1'] },
          first: true,
        },
      );
      assert.deepEqual(objectFilter('c1', { ids: ['a', 'b'], versions: { kind: 'all' } }), {
        c: 'c1',
        oid: { $in: ['a', 'b'] },
      });
      assert.deepEqual(objectFilter('c1', { versions: some({ exact: ['k1'] }) }), {
        c: 'c1',
        vk: { $in: ['k1'] },
      });
    });

    it('several version kinds: an $or of them, in the order last, first, exact', function () {
      assert.deepEqual(
        objectFilter('c1', { versions: some({ first: true, last: true, exact: ['k1', 'k2'] }) }),
        {
          c: 'c1',
          $or: [{ last: true }, { first: true }, { vk: { $in: ['k1', 'k2'] } }],
        },
      );
      assert.deepEqual(objectFilter('c1', { versions: some({ first: true, last: true }) }), {
        c: 'c1',
        $or: [{ last: true }, { first: true }],
      });
    });

    it('null when it can match nothing: an empty list, or a selector of no version', function () {
      assert.equal(objectFilter('c1', { ids: [] }), null);
      assert.equal(objectFilter('c1', { types: [] }), null);
      assert.equal(objectFilter('c1', { specVersions: [] }), null);
      assert.equal(objectFilter('c1', { versions: some({}) }), null);
    });
  });

  describe('visibilityBranches', function () {
    it('operators see everything: one branch without condition', function () {
      assert.deepEqual(visibilityBranches('all'), [{}]);
    });

    it('the visible tlp values (unmarked is -1), then the publisher’s own versions of the others', function () {
      assert.deepEqual(visibilityBranches({ ranks: [0, 1], unmarked: true, publisher: 'p' }), [
        { tlp: { $in: [-1, 0, 1] } },
        { by: 'p', tlp: { $in: [2, 3, 4] } },
      ]);
      assert.deepEqual(visibilityBranches({ ranks: [4], unmarked: false, publisher: 'p' }), [
        { tlp: { $in: [4] } },
        { by: 'p', tlp: { $in: [-1, 0, 1, 2, 3] } },
      ]);
    });

    it('no publisher branch without a publisher or when nothing is hidden; none at all when nothing is visible', function () {
      assert.deepEqual(visibilityBranches({ ranks: [2], unmarked: false, publisher: null }), [
        { tlp: { $in: [2] } },
      ]);
      assert.deepEqual(visibilityBranches({ ranks: [0, 1, 2, 3, 4], unmarked: true, publisher: 'p' }), [
        { tlp: { $in: [-1, 0, 1, 2, 3, 4] } },
      ]);
      assert.deepEqual(visibilityBranches({ ranks: [], unmarked: false, publisher: 'p' }), [
        { by: 'p', tlp: { $in: [-1, 0, 1, 2, 3, 4] } },
      ]);
      assert.deepEqual(visibilityBranches({ ranks: [], unmarked: false, publisher: null }), []);
    });
  });

  describe('withScope', function () {
    const plain = { c: 'c1', last: true };
    const mix = { c: 'c1', $or: [{ last: true }, { first: true }] };
    const two: ObjectScope = { ranks: [0], unmarked: false, publisher: 'p' };
    const one: ObjectScope = { ranks: [0], unmarked: false, publisher: null };

    it('one branch: merged into the filter, or beside an $or filter in an $and', function () {
      assert.deepEqual(withScope(plain, 'all'), plain);
      assert.deepEqual(withScope(plain, one), { c: 'c1', last: true, tlp: { $in: [0] } });
      assert.deepEqual(withScope(mix, one), { $and: [mix, { tlp: { $in: [0] } }] });
    });

    it('two branches: a rooted $or repeating the filter in each, or beside an $or filter in an $and', function () {
      const branches = [{ tlp: { $in: [0] } }, { by: 'p', tlp: { $in: [-1, 1, 2, 3, 4] } }];
      assert.deepEqual(withScope(plain, two), {
        $or: [
          { c: 'c1', last: true, tlp: { $in: [0] } },
          { c: 'c1', last: true, by: 'p', tlp: { $in: [-1, 1, 2, 3, 4] } },
        ],
      });
      assert.deepEqual(withScope(mix, two), { $and: [mix, { $or: branches }] });
    });

    it('null when nothing is visible', function () {
      assert.equal(withScope(plain, { ranks: [], unmarked: false, publisher: null }), null);
    });
  });
});
