/**
 * Test stores: the backend is chosen by TESSERA_STORE, and every openTestStore() gets a fresh,
 * empty store of that backend (its `Stores`, one per concern) which its cleanup() removes again.
 *
 * - unset: a fresh temporary SQLite file in os.tmpdir();
 * - `sqlite:<path>`: a fresh SQLite file next to <path> (named `<name>-<random><ext>`), so a real
 *   database at <path> is never touched; `sqlite::memory:` gives an in-memory store (tests that need
 *   a second instance on the same URL skip themselves, see sharesUrl());
 * - `mongodb://host:port/dbname?…` (or mongodb+srv): the same server with a fresh database named
 *   `<dbname>_<random>` (default `tessera_test_<random>`), dropped by cleanup().
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore, parseStoreUrl, withMongoDatabase } from '../../server/store';
import type { StatusRecord, Stores } from '../../server/store/contract';

export { withMongoDatabase };

/** The stores of a fresh test store, with its URL and its clean-up. */
export interface TestStores extends Stores {
  /** Store URL; openStore(url) opens another instance on the same data (unless in-memory). */
  url: string;
  /** Close the store (errors from an already closed store are ignored) and delete its data. */
  cleanup(): Promise<void>;
}

/** A fresh store URL and the means to delete what was stored there. */
export interface TestStoreUrl {
  url: string;
  dispose(): Promise<void>;
}

function configuredUrl(): string | null {
  const env = process.env.TESSERA_STORE?.trim();
  return env ? env : null;
}

export function backendName(): 'sqlite' | 'mongodb' {
  const env = configuredUrl();
  if (env === null) return 'sqlite';
  const loc = parseStoreUrl(env);
  if (!loc) throw new Error(`TESSERA_STORE: unsupported store URL: ${env}`);
  return loc.kind;
}

/** Whether a second openStore(url) sees the same data (false only for in-memory SQLite). */
export function sharesUrl(url: string): boolean {
  return url !== 'sqlite::memory:';
}

function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

function freshSqliteUrl(configured: string | null): TestStoreUrl {
  const configuredPath = configured === null ? null : configured.slice('sqlite:'.length);
  if (configuredPath === ':memory:') return { url: 'sqlite::memory:', dispose: async () => {} };
  let file: string;
  if (configuredPath === null) {
    file = path.join(os.tmpdir(), `tessera-test-${process.pid}-${randomSuffix()}.sqlite`);
  } else {
    const ext = path.extname(configuredPath);
    const name = path.basename(configuredPath, ext) || 'tessera-test';
    file = path.join(path.dirname(configuredPath), `${name}-${randomSuffix()}${ext || '.sqlite'}`);
  }
  return {
    url: `sqlite:${file}`,
    dispose: async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(file + suffix, { force: true });
    },
  };
}

function freshMongoUrl(configured: string): TestStoreUrl {
  const { previous } = withMongoDatabase(configured, 'x');
  const prefix = (previous.replace(/[^A-Za-z0-9_-]/g, '_') || 'tessera_test').slice(0, 40);
  const database = `${prefix}_${randomSuffix()}`;
  const { uri } = withMongoDatabase(configured, database);
  return {
    url: uri,
    dispose: async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

/** A URL for a fresh, empty store of the configured backend (nothing is opened yet). */
export function freshTestStoreUrl(): TestStoreUrl {
  const configured = configuredUrl();
  if (backendName() === 'mongodb') return freshMongoUrl(configured as string);
  return freshSqliteUrl(configured);
}

/** Open (and init) a fresh, empty store of the configured backend. */
export async function openTestStore(): Promise<TestStores> {
  const fresh = freshTestStoreUrl();
  let stores: Stores;
  try {
    stores = await openStore(fresh.url);
  } catch (e) {
    await fresh.dispose().catch(() => {});
    throw e;
  }
  let cleaned = false;
  return Object.assign(stores, {
    url: fresh.url,
    cleanup: async () => {
      if (cleaned) return;
      cleaned = true;
      try {
        await stores.close();
      } catch {
        // already closed by the test
      }
      await fresh.dispose();
    },
  });
}

/**
 * A finished status of an empty envelope (nothing counted, nothing listed); `fields` name whose
 * request it was and when, and may override anything else.
 */
export function emptyStatus(
  fields: Pick<
    StatusRecord,
    'id' | 'apiRoot' | 'collectionId' | 'member' | 'requestTimestamp' | 'expiresAt'
  > &
    Partial<StatusRecord>,
): StatusRecord {
  return {
    status: 'complete',
    totalCount: 0,
    successCount: 0,
    failureCount: 0,
    pendingCount: 0,
    successes: [],
    failures: [],
    pendings: [],
    ...fields,
  };
}
