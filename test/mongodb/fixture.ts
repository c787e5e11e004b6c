/**
 * Shared set-up of the MongoDB-specific tests (not a test file itself): the server comes from
 * TESSERA_MONGO_URL (scripts/ferretdb.sh start prints it); without it the tests are skipped with a
 * printed reason, except under CI=true, where a missing server is a failure. Each fresh database
 * gets a random name and is dropped at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import type { Stores } from '../../server/store/contract';
import { createMongoStores } from '../../server/store/mongodb';
import { withMongoDatabase } from '../helpers/store';

const BASE_URL = process.env.TESSERA_MONGO_URL?.trim() || null;

/** A fresh database: its URL, a client of its own on it, and the stores opened on it. */
export interface MongoTestDatabase {
  url: string;
  db: Db;
  /** Open (and init) another store instance on the database; closed by dispose(). */
  open(): Promise<Stores>;
  /** Close what was opened, drop the database, close the client. */
  dispose(): Promise<void>;
}

/** In a hook: the server's base URL, or skip the tests (fail under CI) when there is none. */
export function mongoBaseUrl(ctx: Mocha.Context): string {
  if (!BASE_URL) {
    if (process.env.CI === 'true') {
      throw new Error(
        'TESSERA_MONGO_URL is not set: under CI the MongoDB tests must run (scripts/ferretdb.sh start)',
      );
    }
    console.log('    (skipped: TESSERA_MONGO_URL is not set; start a server with scripts/ferretdb.sh start)');
    ctx.skip();
  }
  return BASE_URL;
}

export async function freshDatabase(ctx: Mocha.Context): Promise<MongoTestDatabase> {
  const database = `tessera_test_${randomBytes(6).toString('hex')}`;
  const url = withMongoDatabase(mongoBaseUrl(ctx), database).uri;
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  const db = client.db(database);
  const opened: Stores[] = [];
  return {
    url,
    db,
    async open() {
      const s = createMongoStores(url);
      opened.push(s);
      await s.init();
      return s;
    },
    async dispose() {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      await db.dropDatabase().catch(() => {});
      await client.close();
    },
  };
}

/** A new API root with one collection without grants; the collection's id. */
export async function newCollection(s: Pick<Stores, 'registry'>): Promise<string> {
  const root = `root-${randomUUID().slice(0, 8)}`;
  await s.registry.createApiRoot({ name: root, title: root });
  const c = await s.registry.createCollection({
    id: randomUUID(),
    apiRoot: root,
    title: 't',
    mediaTypes: [],
    grants: [],
  });
  return c.id;
}

/**
 * For the tests of a describe block: a fresh database before each test, disposed of after it.
 * Returns its accessor.
 */
export function useFreshDatabase(): () => MongoTestDatabase {
  let fresh: MongoTestDatabase | undefined;
  beforeEach(async function () {
    fresh = await freshDatabase(this);
  });
  afterEach(async function () {
    await fresh?.dispose();
    fresh = undefined;
  });
  return () => {
    if (!fresh) throw new Error('no fresh database outside a test');
    return fresh;
  };
}

/** The ids an operator sees in collection `c` (up to 100), in dateAdded order. */
export async function visible(s: Pick<Stores, 'objects'>, c: string): Promise<string[]> {
  const page = await s.objects.queryObjects({
    visibleTo: 'all',
    collectionId: c,
    filter: {},
    limit: 100,
    withBody: false,
  });
  return page.items.map((v) => v.id);
}

export { Relay } from './relay';
