/**
 * Runs one feed: takes the feed's lease in the store (so one instance of a cluster runs it at a
 * time), resolves the target collection, runs the adapter with a durable checkpoint, sends every
 * object through the hub's ingest path (the same checks as a TAXII POST), and records the run.
 */
import type { Logger } from 'pino';
import { ingest, isAdded, type ObjectValidator } from '../server/ingest';
import type { Store } from '../server/store/contract';
import { FeedError, type Checkpoint, type FeedAdapter, type FeedContext } from './adapter';
import { iocList } from './adapters/ioc-list';
import { stixBundle } from './adapters/stix-bundle';
import { taxii21 } from './adapters/taxii21';
import type { FeedDefinition, FeedKind } from './definition';

const ADAPTERS: Record<FeedKind, FeedAdapter> = { taxii21, 'stix-bundle': stixBundle, 'ioc-list': iocList };
const LEASE_MS = 10 * 60_000;

export interface FeedDeps {
  store: Store;
  validate?: ObjectValidator;
  statusTtlHours: number;
  /** Identifies this instance in leases. */
  owner: string;
  logger: Logger;
  env?: Record<string, string | undefined>;
}

export interface FeedRunResult {
  feed: string;
  /** False when another instance holds the lease. */
  ran: boolean;
  ok: boolean;
  added: number;
  duplicates: number;
  failures: number;
  error?: string;
}

interface FeedState {
  checkpoint: Checkpoint;
  lastRunAt?: string;
  lastResult?: Omit<FeedRunResult, 'feed' | 'ran'>;
}

interface Lease {
  owner: string;
  until: number;
}

async function acquireLease(store: Store, key: string, owner: string): Promise<boolean> {
  const now = Date.now();
  const value = JSON.stringify({ owner, until: now + LEASE_MS } satisfies Lease);
  const cur = await store.getState(key);
  if (!cur) return store.putState({ key, value, expectedVersion: 0 });
  const lease = JSON.parse(cur.value) as Lease;
  if (lease.owner !== owner && lease.until > now) return false;
  return store.putState({ key, value, expectedVersion: cur.version });
}

async function releaseLease(store: Store, key: string, owner: string): Promise<void> {
  const cur = await store.getState(key);
  if (!cur) return;
  const lease = JSON.parse(cur.value) as Lease;
  if (lease.owner !== owner) return;
  await store.putState({ key, value: JSON.stringify({ owner, until: 0 }), expectedVersion: cur.version });
}

/** Read-modify-write of the feed's state record (the lease makes conflicts exceptional). */
async function updateState(store: Store, key: string, change: (s: FeedState) => FeedState): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await store.getState(key);
    const state: FeedState = cur ? (JSON.parse(cur.value) as FeedState) : { checkpoint: {} };
    if (
      await store.putState({ key, value: JSON.stringify(change(state)), expectedVersion: cur?.version ?? 0 })
    )
      return;
  }
  throw new FeedError('the feed state changed under this run (another instance?)');
}

export async function readFeedState(store: Store, name: string): Promise<FeedState | null> {
  const cur = await store.getState(`feed:${name}`);
  return cur ? (JSON.parse(cur.value) as FeedState) : null;
}

export async function runFeed(def: FeedDefinition, deps: FeedDeps): Promise<FeedRunResult> {
  const { store, logger } = deps;
  const leaseKey = `lease:feed:${def.name}`;
  const stateKey = `feed:${def.name}`;
  const result: FeedRunResult = {
    feed: def.name,
    ran: false,
    ok: false,
    added: 0,
    duplicates: 0,
    failures: 0,
  };
  if (!(await acquireLease(store, leaseKey, deps.owner))) {
    logger.info({ feed: def.name }, 'feed is being run by another instance');
    return result;
  }
  result.ran = true;
  try {
    const collection = await store.findCollection({
      apiRoot: def.target.apiRoot,
      idOrAlias: def.target.collection,
    });
    if (!collection)
      throw new FeedError(`target collection ${def.target.apiRoot}/${def.target.collection} does not exist`);
    const state = await readFeedState(store, def.name);
    const env = deps.env ?? process.env;
    const headers: Record<string, string> = { 'User-Agent': 'Tessera-feed/0.1' };
    if (def.username) {
      const pw = def.passwordEnv ? (env[def.passwordEnv] ?? '') : '';
      headers.Authorization = `Basic ${Buffer.from(`${def.username}:${pw}`).toString('base64')}`;
    }
    const member = `feed:${def.name}`;
    const ctx: FeedContext = {
      def,
      checkpoint: state?.checkpoint ?? {},
      fetch: async (url, init) => {
        try {
          return await fetch(url, {
            headers: { ...headers, ...(init?.headers ?? {}) },
            signal: AbortSignal.timeout(def.timeoutMs ?? 30_000),
            redirect: 'follow',
          });
        } catch (e) {
          throw new FeedError(
            `cannot reach ${new URL(url).host}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      },
      deliver: async (objects) => {
        if (objects.length === 0) return;
        const status = await ingest(
          {
            store,
            statusTtlHours: deps.statusTtlHours,
            ...(deps.validate ? { validate: deps.validate } : {}),
          },
          { apiRoot: collection.apiRoot, collectionId: collection.id, member, objects },
        );
        for (const s of status.successes) {
          if (isAdded(s)) result.added++;
          else result.duplicates++;
        }
        result.failures += status.failures.length;
        for (const f of status.failures.slice(0, 5)) {
          logger.warn(
            { feed: def.name, id: f.id, version: f.version, reason: f.message },
            'feed object rejected',
          );
        }
        await acquireLease(store, leaseKey, deps.owner);
      },
      saveCheckpoint: (cp) => updateState(store, stateKey, (s) => ({ ...s, checkpoint: cp })),
    };
    await ADAPTERS[def.kind](ctx);
    result.ok = true;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
    logger.error({ feed: def.name, err: result.error }, 'feed run failed');
  } finally {
    const { feed: _f, ran: _r, ...lastResult } = result;
    await updateState(store, stateKey, (s) => ({
      ...s,
      lastRunAt: new Date().toISOString(),
      lastResult,
    })).catch(() => undefined);
    await releaseLease(store, leaseKey, deps.owner).catch(() => undefined);
  }
  logger.info(result, 'feed run finished');
  return result;
}
