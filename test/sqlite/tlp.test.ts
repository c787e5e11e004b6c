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
import { pageQuery } from '../../server/store/sqlite/objects';
import type { CollectionRecord, CreateCollectionArgs, Stores } from '../../server/store/contract';
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
    assert.match(plan, /USING INDEX objects_last_tlp \(collection_id=\? AND tlp=\?\)/, plan);
    assert.match(plan, /USING INDEX objects_publisher \(collection_id=\? AND added_by=\? AND tlp=\?\)/, plan);
  });
});
