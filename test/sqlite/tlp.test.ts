/**
 * SQLite specifics of TLP-aware sharing: a file written before TLP ceilings existed (schema 1) is
 * migrated when opened, and the paging queries of a reader who cannot see most of a collection
 * are a merge of index seeks (EXPLAIN QUERY PLAN), not a scan.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../server/store';
import { migrate } from '../../server/store/sqlite/migrate';
import { pageQuery } from '../../server/store/sqlite/objects';
import { SCHEMA } from '../../server/store/sqlite/schema';
import type {
  CollectionRecord,
  CreateCollectionArgs,
  ObjectFilter,
  ObjectScope,
  Stores,
} from '../../server/store/contract';
import { makeIndicator, toNewVersion } from '../helpers/stix';

const RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';

/** Turn a current file back into the schema-1 shape (what Tessera before TLP ceilings wrote). */
function downgradeToSchema1(file: string): void {
  const db = new Database(file);
  db.exec(`
    DROP INDEX objects_tlp; DROP INDEX objects_last_tlp; DROP INDEX objects_first_tlp;
    DROP INDEX objects_type_tlp; DROP INDEX objects_publisher;
    ALTER TABLE objects DROP COLUMN tlp;
    ALTER TABLE grants DROP COLUMN max_tlp;
    ALTER TABLE collections DROP COLUMN default_tlp;
    CREATE INDEX objects_coll ON objects (collection_id);
    CREATE INDEX objects_last ON objects (collection_id) WHERE is_last = 1;
    CREATE INDEX objects_first ON objects (collection_id) WHERE is_first = 1;
    CREATE INDEX objects_type ON objects (collection_id, type);
  `);
  db.close();
}

/** A collection in a new API root api1. */
async function collectionIn(stores: Stores, extra: Partial<CreateCollectionArgs>): Promise<CollectionRecord> {
  await stores.registry.createApiRoot({ name: 'api1', title: 't' });
  return stores.registry.createCollection({
    id: randomUUID(),
    apiRoot: 'api1',
    title: 't',
    mediaTypes: [],
    grants: [],
    ...extra,
  });
}

describe('SQLite: TLP migration and query plans', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let stores: Stores | null = null;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-tlp-'));
    file = path.join(dir, 'hub.sqlite');
  });
  afterEach(async () => {
    await stores?.close();
    stores = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a schema-1 file is migrated on open: versions classified from their bodies, default ceilings, old indexes gone', async () => {
    stores = await openStore(`sqlite:${file}`);
    const c = await collectionIn(stores, {
      grants: [{ group: 'g', read: true, write: true, maxTlp: 'red' }],
      defaultTlp: 'clear',
    });
    const red = makeIndicator({ object_marking_refs: [RED] });
    const green = makeIndicator({ granular_markings: [{ marking_ref: GREEN, selectors: ['name'] }] });
    const plain = makeIndicator();
    await stores.objects.addObjects({
      collectionId: c.id,
      addedBy: 'm',
      objects: [red, green, plain].map(toNewVersion),
    });
    await stores.close();
    stores = null;
    downgradeToSchema1(file);

    stores = await openStore(`sqlite:${file}`);
    const after = await stores.registry.findCollection({ apiRoot: 'api1', idOrAlias: c.id });
    assert.deepEqual(after?.grants, [{ group: 'g', read: true, write: true, maxTlp: 'amber' }]);
    assert.equal(after?.defaultTlp, 'amber');
    const seen = async (ranks: (0 | 1 | 2 | 3 | 4)[], unmarked: boolean) =>
      (
        await stores!.objects.queryObjects({
          collectionId: c.id,
          visibleTo: { ranks, unmarked, publisher: null },
          filter: {},
          limit: 10,
          withBody: false,
        })
      ).items.map((v) => v.id);
    assert.deepEqual(await seen([0, 1, 2, 3], false), [green.id]);
    assert.deepEqual(await seen([], true), [plain.id]);
    assert.deepEqual(await seen([4], false), [red.id]);
    const db = new Database(file, { readonly: true });
    const indexes = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as { name: string }[]
    ).map((r) => r.name);
    db.close();
    for (const old of ['objects_coll', 'objects_last', 'objects_first', 'objects_type'])
      assert.ok(!indexes.includes(old), `${old} still there`);
    assert.ok(indexes.includes('objects_publisher'));
  });

  it('a reader who sees a sliver of the collection pages by merged index seeks, not by a scan', async () => {
    stores = await openStore(`sqlite:${file}`);
    const c = await collectionIn(stores, {});
    const objs = Array.from({ length: 3000 }, (_, i) =>
      toNewVersion(makeIndicator({ object_marking_refs: [i % 100 === 0 ? GREEN : RED] })),
    );
    await stores.objects.addObjects({ collectionId: c.id, addedBy: 'other', objects: objs });
    const args = {
      collectionId: c.id,
      visibleTo: { ranks: [0, 1] as (0 | 1)[], unmarked: false, publisher: 'me' },
      filter: {},
      limit: 5,
      withBody: true,
    };
    const page = await stores.objects.queryObjects(args);
    assert.equal(page.items.length, 5);
    assert.equal(page.more, true);
    assert.deepEqual(
      page.items.map((v) => v.id),
      objs
        .filter((_, i) => i % 100 === 0)
        .slice(0, 5)
        .map((o) => o.id),
    );
    // The plan of the very query the store ran (server/store/sqlite/objects.ts pageQuery).
    const q = pageQuery(args);
    assert.ok(q);
    const db = new Database(file, { readonly: true });
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    db.close();
    assert.match(plan, /MERGE \(UNION ALL\)/, plan);
    assert.doesNotMatch(plan, /SCAN objects|TEMP B-TREE/, plan);
    assert.match(plan, /USING INDEX objects_last_tlp \(collection_id=\? AND tlp=\? AND rowid>\?\)/, plan);
    assert.match(
      plan,
      /USING INDEX objects_publisher \(collection_id=\? AND added_by=\? AND tlp=\? AND rowid>\?\)/,
      plan,
    );
  });

  it('the arms of a paging query: one per visible tlp value (and own versions of the others) [× type up to 8 types]; match[id] is one seek', async () => {
    stores = await openStore(`sqlite:${file}`);
    const db = new Database(file, { readonly: true });
    const types = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    const query = (visibleTo: ObjectScope, filter: ObjectFilter) =>
      pageQuery({ collectionId: 'c', visibleTo, filter, limit: 5, withBody: false });
    /** The SELECTs of the query and the indexes its plan uses. */
    const shape = (visibleTo: ObjectScope, filter: ObjectFilter) => {
      const q = query(visibleTo, filter);
      assert.ok(q);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map(
        (r) => r.detail,
      );
      assert.ok(!plan.some((d) => /SCAN objects/.test(d)), plan.join('\n'));
      const indexes = plan.flatMap((d) => /USING INDEX (\w+)/.exec(d)?.[1] ?? []);
      const sorted = plan.some((d) => /TEMP B-TREE/.test(d));
      return { arms: q.sql.split('SELECT ').length - 1, indexes: [...new Set(indexes)].sort(), sorted };
    };
    try {
      const mine = { ranks: [0, 1], unmarked: false, publisher: 'me' } as const satisfies ObjectScope;
      // The arms come in date_added order, merged without a sort.
      const merged = (arms: number, ...indexes: string[]) => ({ arms, indexes, sorted: false });
      assert.deepEqual(shape('all', {}), merged(6, 'objects_last_tlp'));
      assert.deepEqual(shape(mine, {}), merged(6, 'objects_last_tlp', 'objects_publisher'));
      assert.deepEqual(
        shape({ ranks: [2], unmarked: true, publisher: null }, {}),
        merged(2, 'objects_last_tlp'),
      );
      assert.equal(query({ ranks: [], unmarked: false, publisher: null }, {}), null);
      assert.deepEqual(shape('all', { versions: { kind: 'all' } }), merged(6, 'objects_tlp'));
      assert.deepEqual(
        shape('all', { versions: { kind: 'some', first: true, last: false, exact: [] } }),
        merged(6, 'objects_first_tlp'),
      );
      // Up to 8 types, an arm per type and tlp value; past that, one IN list per tlp value.
      // (Which index serves a type arm depends on the table's statistics.)
      assert.equal(shape('all', { types: types(1) }).arms, 6);
      assert.equal(shape('all', { types: types(8) }).arms, 48);
      assert.equal(shape('all', { types: types(9) }).arms, 6);
      assert.equal(shape({ ranks: [2], unmarked: false, publisher: null }, { types: types(8) }).arms, 8);
      // match[id]: one SELECT through objects_version (its few versions sorted), the scope a plain condition.
      const seek = { arms: 1, indexes: ['objects_version'], sorted: true };
      for (const ids of [['x--1'], ['x--1', 'x--2']]) {
        assert.deepEqual(shape(mine, { ids }), seek);
        assert.equal(shape('all', { ids, types: types(3) }).arms, 1);
      }
    } finally {
      db.close();
    }
  });
});

describe('SQLite: migrate() step by step', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let stores: Stores | null = null;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-migrate-'));
    file = path.join(dir, 'hub.sqlite');
  });
  afterEach(async () => {
    await stores?.close();
    stores = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const columns = (db: Database.Database, table: string) =>
    (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);

  /** A current file with one collection, three objects (red, green, unmarked) and one status. */
  async function populated(): Promise<{ collectionId: string; statusId: string }> {
    stores = await openStore(`sqlite:${file}`);
    const c = await collectionIn(stores, {});
    await stores.objects.addObjects({
      collectionId: c.id,
      addedBy: 'm',
      objects: [
        makeIndicator({ object_marking_refs: [RED] }),
        makeIndicator({ object_marking_refs: [GREEN] }),
        makeIndicator(),
      ].map(toNewVersion),
    });
    const statusId = randomUUID();
    await stores.statuses.putStatus({
      id: statusId,
      apiRoot: 'api1',
      collectionId: c.id,
      member: 'm',
      requestTimestamp: 1,
      status: 'complete',
      totalCount: 30_000,
      successCount: 20_000,
      failureCount: 9_999,
      pendingCount: 1,
      successes: [
        { id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', version: '2025-01-01T00:00:00.000Z' },
        { id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd40', version: '2025-01-01T00:00:00.000Z' },
      ],
      failures: [],
      pendings: [],
      expiresAt: 2,
    });
    await stores.close();
    stores = null;
    return { collectionId: c.id, statusId };
  }

  /** Statuses as schema 2 wrote them: without the count columns. */
  function dropStatusCounts(): void {
    const db = new Database(file);
    for (const c of ['success_count', 'failure_count', 'pending_count'])
      db.exec(`ALTER TABLE statuses DROP COLUMN ${c}`);
    db.close();
  }

  it('a new file, and a current one: nothing to do, nothing said', () => {
    const db = new Database(file);
    try {
      assert.equal(migrate(db), '');
      db.exec(SCHEMA);
      assert.equal(migrate(db), '');
    } finally {
      db.close();
    }
  });

  it('schema 1 → 3: every step, said in one line; bodies that are not JSON text are unmarked', async () => {
    const { collectionId } = await populated();
    downgradeToSchema1(file);
    dropStatusCounts();
    const db = new Database(file);
    try {
      const insert = db.prepare(
        `INSERT INTO objects (date_added, collection_id, id, type, spec_version, version, version_key, is_first,
           is_last, added_by, body) VALUES (?, ?, ?, 'indicator', '2.1', 'v', 'v', 1, 1, 'm', ?)`,
      );
      // A red indicator's JSON stored as a BLOB, and a text body that does not parse.
      insert.run(
        1,
        collectionId,
        'indicator--blob',
        Buffer.from(JSON.stringify(makeIndicator({ object_marking_refs: [RED] }))),
      );
      insert.run(2, collectionId, 'indicator--text', '{"object_marking_refs": [');
      assert.equal(
        migrate(db),
        'schema 3: added grants.max_tlp, collections.default_tlp, objects.tlp (5 versions classified), ' +
          'statuses.success_count, failure_count, pending_count',
      );
      assert.ok(columns(db, 'grants').includes('max_tlp'));
      assert.ok(columns(db, 'collections').includes('default_tlp'));
      assert.ok(columns(db, 'statuses').includes('pending_count'));
      const tlp = db.prepare('SELECT tlp FROM objects ORDER BY date_added').all() as { tlp: number }[];
      assert.deepEqual(
        tlp.map((r) => r.tlp),
        [-1, -1, 4, 1, -1],
      );
      assert.equal(migrate(db), '');
    } finally {
      db.close();
    }
  });

  it('schema 2 → 3: statuses get their count columns; a status written before reads the lengths of its lists', async () => {
    const { statusId } = await populated();
    dropStatusCounts();
    const db = new Database(file);
    try {
      assert.equal(migrate(db), 'schema 3: added statuses.success_count, failure_count, pending_count');
    } finally {
      db.close();
    }
    stores = await openStore(`sqlite:${file}`);
    const got = await stores.statuses.getStatus({ apiRoot: 'api1', id: statusId });
    assert.ok(got);
    assert.deepEqual(
      [got.totalCount, got.successCount, got.failureCount, got.pendingCount],
      [30_000, 2, 0, 0],
    );
    // Written again, with counts that differ from its lists: stored and read back as given.
    const bounded = { ...got, id: randomUUID(), successCount: 20_000, failureCount: 9_999, pendingCount: 1 };
    await stores.statuses.putStatus(bounded);
    assert.deepEqual(await stores.statuses.getStatus({ apiRoot: 'api1', id: bounded.id }), bounded);
  });
});
