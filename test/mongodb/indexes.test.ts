/**
 * The indexes the MongoDB backend creates when a store opens (server/store/mongodb/indexes.ts,
 * connection.ts ensureIndexes): exactly the ones the query plans of indexes.ts rely on, created
 * again when missing, and a conflicting index refused rather than silently lived with.
 */
import assert from 'node:assert/strict';
import type { Db } from 'mongodb';
import { StoreError } from '../../server/errors';
import { useFreshDatabase } from './fixture';

/** Restated from the design in server/store/mongodb/indexes.ts: collection → index name → key. */
const EXPECTED: Record<string, Record<string, { key: Record<string, number>; unique?: true }>> = {
  objects: {
    _id_: { key: { _id: 1 } },
    objects_da: { key: { c: 1, da: 1 } },
    objects_tlp: { key: { c: 1, tlp: 1, da: 1 } },
    objects_last_tlp: { key: { c: 1, last: 1, tlp: 1, da: 1 } },
    objects_first_tlp: { key: { c: 1, first: 1, tlp: 1, da: 1 } },
    objects_type_tlp: { key: { c: 1, type: 1, tlp: 1, da: 1 } },
    objects_publisher: { key: { c: 1, by: 1, tlp: 1, da: 1 } },
    objects_vk: { key: { c: 1, vk: 1, da: 1 } },
    objects_version: { key: { c: 1, oid: 1, vk: 1 }, unique: true },
  },
  collections: {
    _id_: { key: { _id: 1 } },
    collections_alias: { key: { ak: 1 }, unique: true },
    collections_root: { key: { apiRoot: 1, _id: 1 } },
  },
  memberships: {
    _id_: { key: { _id: 1 } },
    memberships_member: { key: { m: 1, g: 1 } },
    memberships_group: { key: { g: 1, m: 1 } },
  },
  apikeys: {
    _id_: { key: { _id: 1 } },
    apikeys_member: { key: { member: 1, createdAt: 1, _id: 1 } },
  },
  certificates: {
    _id_: { key: { _id: 1 } },
    certificates_member: { key: { member: 1, _id: 1 } },
  },
  audit: {
    _id_: { key: { _id: 1 } },
    audit_at: { key: { at: 1, _id: 1 } },
    audit_member: { key: { member: 1, at: 1, _id: 1 } },
    audit_collection: { key: { collection: 1, at: 1, _id: 1 } },
  },
  state: {
    _id_: { key: { _id: 1 } },
    state_key: { key: { k: 1, v: -1 } },
  },
  statuses: {
    _id_: { key: { _id: 1 } },
    statuses_expiry: { key: { expiresAt: 1 } },
  },
};

interface IndexInfo {
  key: Record<string, number>;
  unique?: boolean;
  expireAfterSeconds?: number;
}

/** The indexes of every collection of the database, by collection and name (no version field). */
async function indexesOf(db: Db): Promise<Record<string, Record<string, IndexInfo>>> {
  const out: Record<string, Record<string, IndexInfo>> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const byName: Record<string, IndexInfo> = {};
    for (const ix of await db.collection(name).listIndexes().toArray()) {
      const info: IndexInfo = { key: ix.key as Record<string, number> };
      if (ix.unique !== undefined) info.unique = ix.unique as boolean;
      if (ix.expireAfterSeconds !== undefined) info.expireAfterSeconds = ix.expireAfterSeconds as number;
      byName[String(ix.name)] = info;
    }
    out[name] = byName;
  }
  return out;
}

/**
 * The indexes without the statuses TTL index, which the server creates only where it implements
 * TTL (MongoDB, not FerretDB 1.x); when there, it is asserted to expire at expiresAtDate.
 */
function withoutTtl(
  all: Record<string, Record<string, IndexInfo>>,
): Record<string, Record<string, IndexInfo>> {
  const ttl = all.statuses?.statuses_ttl;
  if (ttl !== undefined) {
    assert.deepEqual(ttl, { key: { expiresAtDate: 1 }, expireAfterSeconds: 0 });
    delete all.statuses?.statuses_ttl;
  }
  return all;
}

/** The expected indexes of the collections present (clock, intents, meta… have only _id_). */
function expectedFor(all: Record<string, unknown>): Record<string, Record<string, IndexInfo>> {
  const out: Record<string, Record<string, IndexInfo>> = {};
  for (const name of Object.keys(all)) out[name] = EXPECTED[name] ?? { _id_: { key: { _id: 1 } } };
  return out;
}

/** The database has exactly the expected indexes (every collection the store made). */
async function assertIndexes(db: Db): Promise<void> {
  const all = withoutTtl(await indexesOf(db));
  for (const name of Object.keys(EXPECTED)) assert.ok(name in all, `collection ${name} has its indexes`);
  assert.deepEqual(all, expectedFor(all));
}

describe('MongoDB backend: indexes', function () {
  this.timeout(60_000);
  const database = useFreshDatabase();

  it('a new store has exactly the indexes of the query plans, unique where they must be', async function () {
    await database().open();
    await assertIndexes(database().db);
  });

  it('opening again re-creates a missing index and leaves the others as they are', async function () {
    await database().open();
    await database().db.collection('objects').dropIndex('objects_vk');
    await database().db.collection('state').dropIndex('state_key');
    await database().open();
    await assertIndexes(database().db);
  });

  it('stores opening a new database at once all open, with one set of indexes', async function () {
    await Promise.all([database().open(), database().open(), database().open()]);
    await assertIndexes(database().db);
  });

  it('an index of the same key under another name is refused: the store does not open', async function () {
    await database()
      .db.collection('objects')
      .createIndex({ c: 1, da: 1 }, { name: 'by_collection_and_time' });
    const e = await database()
      .open()
      .then(
        () => assert.fail('opened'),
        (err: unknown) => err,
      );
    assert.ok(e instanceof StoreError, String(e));
    assert.equal(e.constructor, StoreError);
    assert.match(
      e.message,
      /^open MongoDB store: Index already exists with a different name: by_collection_and_time$/,
    );
  });
});
