/**
 * Opens the backend named by a store URL. Only the selected backend's driver is loaded: the
 * imports below are lazy, so an SQLite deployment never loads `mongodb` and vice versa.
 */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { StoreUnavailableError } from '../errors';
import type { Stores } from './contract';

export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string };

/** Parse `sqlite:<path>` (or `sqlite::memory:`) or `mongodb://…` / `mongodb+srv://…`; null if neither. */
export function parseStoreUrl(url: string): StoreLocation | null {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    return path ? { kind: 'sqlite', path } : null;
  }
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) return { kind: 'mongodb', uri: url };
  return null;
}

/**
 * Replace the database of a MongoDB connection string. When the URI carries credentials but no
 * authSource, the old database (or "admin") becomes the authSource, since the driver would
 * otherwise authenticate against the new, empty database.
 */
export function withMongoDatabase(uri: string, database: string): { uri: string; previous: string } {
  const schemeEnd = uri.indexOf('://') + 3;
  const queryAt = uri.indexOf('?', schemeEnd);
  const base = queryAt === -1 ? uri : uri.slice(0, queryAt);
  let query = queryAt === -1 ? '' : uri.slice(queryAt + 1);
  const slash = base.indexOf('/', schemeEnd);
  const authority = slash === -1 ? base.slice(schemeEnd) : base.slice(schemeEnd, slash);
  const previous = slash === -1 ? '' : decodeURIComponent(base.slice(slash + 1));
  if (authority.includes('@') && !/(^|&)authSource=/i.test(query)) {
    const authSource = `authSource=${encodeURIComponent(previous || 'admin')}`;
    query = query ? `${query}&${authSource}` : authSource;
  }
  return {
    uri: `${uri.slice(0, schemeEnd)}${authority}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`,
    previous,
  };
}

/** Open (and init) the backend named by `url`: its stores by concern, over one connection. */
export async function openStore(url: string): Promise<Stores> {
  const loc = parseStoreUrl(url);
  if (!loc) throw new Error(`unsupported store URL: ${url}`);
  let stores: Stores;
  if (loc.kind === 'sqlite') {
    // require() (not import()) so the driver loads lazily under both tsc's CommonJS output and tsx.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createSqliteStores } = require('./sqlite') as typeof import('./sqlite');
    stores = createSqliteStores(loc.path);
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createMongoStores } = require('./mongodb') as typeof import('./mongodb');
    stores = createMongoStores(loc.uri);
  }
  await stores.init();
  return stores;
}

/**
 * Where a store URL points, for messages: the absolute path of an SQLite file, or the MongoDB URI
 * without its credentials.
 */
export function describeStore(url: string): string {
  const loc = parseStoreUrl(url);
  if (!loc) return url;
  if (loc.kind === 'sqlite')
    return loc.path === ':memory:' ? 'an in-memory SQLite store' : resolvePath(loc.path);
  return loc.uri.replace(/\/\/[^@/]*@/, '//');
}

/**
 * Whether a store already exists at `url` (without creating anything): the SQLite file is there,
 * or the MongoDB database holds collections. The admin CLI refuses to work on a store that does
 * not exist, so that a wrong path or URI is reported instead of silently creating an empty store.
 */
export async function storeExists(url: string): Promise<boolean> {
  const loc = parseStoreUrl(url);
  if (!loc) throw new Error(`unsupported store URL: ${url}`);
  if (loc.kind === 'sqlite') return loc.path === ':memory:' || existsSync(loc.path);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MongoClient } = require('mongodb') as typeof import('mongodb');
  const client = new MongoClient(loc.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const names = await client.db().listCollections().toArray();
    return names.length > 0;
  } catch (e) {
    throw new StoreUnavailableError(`cannot reach the MongoDB store: ${(e as Error).message}`);
  } finally {
    await client.close().catch(() => {});
  }
}
