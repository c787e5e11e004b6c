/**
 * The connection of the MongoDB backend, shared by its concern stores: the client and database,
 * the write concern, collection handles that retry momentary lock conflicts, the indexes of
 * ./indexes.ts, and guard(), which translates every driver failure (./errors.ts).
 *
 * MongoDB (standalone or replica set) through the official driver, loaded only when the store URL
 * is mongodb:// or mongodb+srv:// (server/store/index.ts imports this backend lazily). No
 * multi-document transactions are used, so it runs on a standalone server, on a replica set and on
 * FerretDB 1.x. Every write uses write concern { w: 'majority', j: true } (falling back to w: 1
 * when the server rejects majority), so whatever addObjects reports as added is durable when its
 * promise resolves. Driver failures are translated in ./errors.ts; routes never see them.
 */
import {
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type Document,
  type MongoClientOptions,
  type WriteConcernSettings,
} from 'mongodb';
import { StoreUnavailableError } from '../../errors';
import { nowMicros } from '../../time';
import { isBusy, isDuplicateKey, translate } from './errors';
import { INDEXES, META, type IndexDef } from './indexes';

/** Default when the URI does not say: fail fast (503) instead of the driver's 30 s. */
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;
const DEFAULT_DATABASE = 'tessera';

/** The database named in the URI path, or "tessera". */
export function databaseOf(uri: string): string {
  const schemeEnd = uri.indexOf('://') + 3;
  const queryAt = uri.indexOf('?', schemeEnd);
  const base = queryAt === -1 ? uri : uri.slice(0, queryAt);
  const slash = base.indexOf('/', schemeEnd);
  const name = slash === -1 ? '' : decodeURIComponent(base.slice(slash + 1));
  return name || DEFAULT_DATABASE;
}

/**
 * The client options of a store URL: undefined values never stored (absent optional fields stay
 * absent), and server selection failing after 10 s unless the URL sets serverSelectionTimeoutMS.
 */
export function clientOptions(uri: string): MongoClientOptions {
  const options: MongoClientOptions = { appName: 'tessera', ignoreUndefined: true };
  if (!/[?&]serverSelectionTimeoutMS=/i.test(uri)) {
    options.serverSelectionTimeoutMS = DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  }
  return options;
}

/** Run a backend operation; any failure leaves as the hub's error for `what` (./errors.ts). */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw translate(e, what);
  }
}

export class MongoConnection {
  private client: MongoClient | null = null;
  private db: Db | null = null;
  private writeConcern: WriteConcernSettings = {};

  constructor(private readonly uri: string) {}

  private get database(): Db {
    if (!this.db) throw new StoreUnavailableError('the MongoDB store is not open');
    return this.db;
  }

  /**
   * The collection `name` with the store's write concern and busy retries (see retryingBusy);
   * throws StoreUnavailableError when the connection is not open.
   */
  collection<T extends Document>(name: string): Collection<T> {
    // A new handle each time: it only binds the name and options to the open database.
    return retryingBusy(this.database.collection<T>(name, { writeConcern: this.writeConcern }));
  }

  /** Connect (unless open), then create the missing indexes; idempotent. Unguarded: see init. */
  async open(): Promise<void> {
    if (!this.db) {
      const client = new MongoClient(this.uri, clientOptions(this.uri));
      try {
        await client.connect();
        const db = client.db(databaseOf(this.uri));
        this.writeConcern = await chooseWriteConcern(db);
        this.db = db;
        this.client = client;
      } catch (e) {
        await client.close().catch(() => {});
        throw e;
      }
    }
    await ensureIndexes(this.database);
  }

  async ping(): Promise<void> {
    return guard('ping', async () => {
      await this.database.command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.db = null;
    if (client) await client.close().catch(() => {});
  }
}

const RETRIED_METHODS = new Set<string | symbol>([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOne',
  'findOneAndUpdate',
  'countDocuments',
]);

/**
 * The collection with its single-command methods retried (up to ~5 s, with backoff) when the
 * server reports a momentary lock conflict: FerretDB's SQLite handler answers "database is locked
 * (SQLITE_BUSY)" to concurrent writers instead of waiting. Retrying is safe for every call site:
 * a conflicting command was rolled back, a partly applied insertMany is followed by duplicate-key
 * handling that recognises our own documents by dateAdded, and updates/deletes are idempotent.
 */
export function retryingBusy<T extends object>(coll: Collection<T>): Collection<T> {
  return new Proxy(coll, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (!RETRIED_METHODS.has(prop)) return value; // each of these is a method of Collection
      return async (...args: unknown[]) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (e) {
            if (!isBusy(e) || attempt >= 40) throw e;
            await new Promise((res) => setTimeout(res, 5 + Math.random() * Math.min(10 * attempt, 200)));
          }
        }
      };
    },
  });
}

/**
 * { w: 'majority', j: true } where the server accepts it (replica sets, standalone MongoDB,
 * FerretDB); otherwise the strongest concern it accepts.
 */
export async function chooseWriteConcern(db: Db): Promise<WriteConcernSettings> {
  const candidates: WriteConcernSettings[] = [{ w: 'majority', j: true }, { w: 1, j: true }, { w: 1 }];
  let last: unknown;
  for (const wc of candidates) {
    try {
      await db
        .collection<{ _id: string; at: number }>(META, { writeConcern: wc })
        .updateOne({ _id: 'write-concern-probe' }, { $set: { at: nowMicros() } }, { upsert: true });
      return wc;
    } catch (e) {
      if (isDuplicateKey(e)) return wc; // two instances upserting the probe at once
      last = e;
      // Only a rejected write concern moves on to a weaker one; anything else is a real failure.
      const msg = e instanceof Error ? e.message : '';
      if (!/concern|journal|majority/i.test(msg)) throw e;
    }
  }
  throw last;
}

/**
 * Create the indexes of ./indexes.ts, one command each: creating an index that exists with the same
 * key and options does nothing (on MongoDB and FerretDB, also when two instances open at once),
 * one that conflicts with an existing index fails the open. (FerretDB 1.24 drops the connection
 * when a multi-index createIndexes names only indexes that already exist: hence one at a time.)
 */
export async function ensureIndexes(db: Db, defs: readonly IndexDef[] = INDEXES): Promise<void> {
  for (const def of defs) {
    try {
      // Options a definition leaves undefined are not sent (the client ignores undefined values).
      await db.collection(def.collection).createIndex(def.key, {
        name: def.name,
        unique: def.unique,
        expireAfterSeconds: def.expireAfterSeconds,
      });
    } catch (e) {
      // 238 NotImplemented, 115 CommandNotSupported, 67 CannotCreateIndex (e.g. TTL on FerretDB).
      if (!(def.optional && e instanceof MongoServerError && [67, 115, 238].includes(e.code as number)))
        throw e;
    }
  }
}
