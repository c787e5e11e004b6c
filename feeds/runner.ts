/**
 * Runs one feed: takes the feed's lease (one instance of a cluster runs it at a time; the lease is
 * renewed while the run lasts and the run stops if it is lost), resolves the target collection,
 * runs the adapter of its kind with a durable checkpoint under the feed's run deadline, sends every
 * object through the hub's ingest path (the same checks as a TAXII POST), and records the run
 * (counts, first rejections, error) in the feed's state. A failure keeps what was stored and never
 * moves the checkpoint past it: adapters save a checkpoint only after the data it covers is stored.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ingest, isAdded, type ContentLimits, type ObjectValidator } from '../server/ingest';
import type { ObjectStore, RegistryStore, StateStore, StatusStore } from '../server/store/contract';
import { TLP2_MARKINGS } from '../server/stix/markings';
import type { FeedAdapter, FeedContext } from './adapter';
import { mispFeed } from './adapters/misp-feed';
import { stixBundle } from './adapters/stix-bundle';
import { taxii21 } from './adapters/taxii21';
import { textFeed } from './adapters/text';
import { CONVERTING_KINDS, DEFAULT_TLP, type FeedDefinition, type FeedKind } from './definition';
import { EntryTracker } from './expiry';
import { FeedError, fetchDocument } from './fetch';
import {
  identityId,
  identityObject,
  markingObject,
  TEXT_KINDS,
  type FeedStamp,
  type StixObject,
  type Tlp,
} from './formats';
import {
  acquireLease,
  LEASE_MS,
  leaseHolder,
  MAX_REJECTIONS_KEPT,
  readFeedState,
  recordRun,
  releaseLease,
  updateFeedState,
  type FeedRun,
} from './state';

const ADAPTERS: Record<FeedKind, FeedAdapter> = {
  taxii21,
  'stix-bundle': stixBundle,
  'misp-feed': mispFeed,
  'ioc-list': textFeed,
  csv: textFeed,
  'urlhaus-csv': textFeed,
  'feodo-csv': textFeed,
  'threatfox-csv': textFeed,
  'spamhaus-drop': textFeed,
};

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RUN_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface FeedDeps {
  /** The target collection. */
  registry: RegistryStore;
  /** Ingest (objects and their statuses), and the latest versions when entries expire. */
  objects: ObjectStore;
  statuses: StatusStore;
  /** The feed's lease, checkpoint and run records. */
  state: StateStore;
  validate?: ObjectValidator;
  statusTtlHours: number;
  /** Bounds on the objects a feed brings (default: server/ingest DEFAULT_CONTENT_LIMITS). */
  limits?: ContentLimits;
  /** Identifies this instance in leases and run records. */
  owner: string;
  logger: Logger;
  /** Told the outcome of each scheduled start (metrics): ok, failed, skipped (lease held elsewhere), backoff. */
  onRun?: (
    feed: string,
    outcome: 'ok' | 'failed' | 'skipped' | 'backoff',
    seconds: number,
    result: FeedRunResult | null,
  ) => void;
  env?: Record<string, string | undefined>;
}

export interface FeedProgress {
  feed: string;
  /** Units of the current step (entries, events, pages) done, and their total when known. */
  done: number;
  total?: number;
  fetched: number;
  added: number;
  duplicates: number;
  rejected: number;
}

export interface RunOptions {
  trigger?: FeedRun['trigger'];
  onProgress?: (p: FeedProgress) => void;
  /** Stops the run (e.g. the hub shutting down). */
  signal?: AbortSignal;
}

export interface FeedRunResult extends FeedRun {
  feed: string;
  /** False when another instance holds the lease (nothing else is meaningful then). */
  ran: boolean;
  /** When the run was skipped: the instance holding the lease (null if it let go meanwhile). */
  runningOn?: string | null;
}

/** The identity, TLP, labels… that a converting feed puts on what it produces. */
export function feedStamp(def: FeedDefinition, epoch: string): FeedStamp {
  return {
    feed: def.name,
    identityId: identityId(def.identity ?? def.name),
    tlp: def.tlp ?? DEFAULT_TLP[def.kind] ?? 'green',
    labels: def.labels ?? [],
    ...(def.confidence !== undefined ? { confidence: def.confidence } : {}),
    indicatorTypes: def.indicatorTypes ?? ['malicious-activity'],
    epoch,
    ...(def.validForDays !== undefined ? { validForDays: def.validForDays } : {}),
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function runFeed(
  def: FeedDefinition,
  deps: FeedDeps,
  opts: RunOptions = {},
): Promise<FeedRunResult> {
  const { registry, statuses, logger } = deps;
  const started = new Date();
  const result: FeedRunResult = {
    feed: def.name,
    ran: false,
    id: randomUUID(),
    trigger: opts.trigger ?? 'manual',
    instance: deps.owner,
    startedAt: started.toISOString(),
    endedAt: started.toISOString(),
    ok: false,
    fetched: 0,
    added: 0,
    duplicates: 0,
    rejected: 0,
    rejections: [],
    skipped: 0,
    expired: 0,
    unchanged: false,
  };
  if (!(await acquireLease(deps.state, def.name, deps.owner))) {
    // Not a run: nothing is recorded in the feed's runs (the holder records its own).
    result.runningOn = await leaseHolder(deps.state, def.name).catch(() => null);
    logger.info(
      { feed: def.name, trigger: result.trigger, runningOn: result.runningOn },
      'feed is being run by another instance: this start is skipped',
    );
    return result;
  }
  result.ran = true;
  const lost = new AbortController();
  const heartbeat = setInterval(() => {
    acquireLease(deps.state, def.name, deps.owner)
      .then((held) => {
        if (!held) lost.abort(new FeedError('another instance took over the feed lease'));
      })
      .catch((e: unknown) =>
        logger.warn({ feed: def.name, err: messageOf(e) }, 'cannot renew the feed lease'),
      );
  }, LEASE_MS / 3);
  heartbeat.unref();
  const runTimeout = def.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(runTimeout);
  const signal = AbortSignal.any([deadline, lost.signal, ...(opts.signal ? [opts.signal] : [])]);
  const stopped = (): string =>
    deadline.aborted ? `the run took longer than runTimeoutMs (${runTimeout} ms)` : messageOf(signal.reason);
  let incomplete: string | undefined;
  const progress = (done: number, total?: number): void =>
    opts.onProgress?.({
      feed: def.name,
      done,
      ...(total !== undefined ? { total } : {}),
      fetched: result.fetched,
      added: result.added,
      duplicates: result.duplicates,
      rejected: result.rejected,
    });
  const noteRejections = (rs: { where: string; reason: string }[]): void => {
    result.rejected += rs.length;
    for (const r of rs) {
      if (result.rejections.length >= MAX_REJECTIONS_KEPT) break;
      result.rejections.push({ where: r.where, reason: r.reason });
    }
  };
  try {
    const collection = await registry.findCollection({
      apiRoot: def.target.apiRoot,
      idOrAlias: def.target.collection,
    });
    if (!collection)
      throw new FeedError(
        `target collection ${def.target.collection} does not exist in API root ${def.target.apiRoot}`,
      );
    let state = await readFeedState(deps.state, def.name);
    const converting = CONVERTING_KINDS.has(def.kind);
    let epoch = typeof state.checkpoint.epoch === 'string' ? state.checkpoint.epoch : undefined;
    if (converting && !epoch) {
      // Saved before anything is delivered, so a first run that fails half-way yields the same objects next time.
      // Whole seconds, so that versions chosen in this run (feeds/expiry.ts) are never before it.
      epoch = new Date(Math.floor(started.getTime() / 1000) * 1000).toISOString();
      const e = epoch;
      state = await updateFeedState(deps.state, def.name, (s) => ({
        ...s,
        checkpoint: { ...s.checkpoint, epoch: e },
      }));
    }
    const stamp = feedStamp(def, epoch ?? started.toISOString());
    const env = deps.env ?? process.env;
    const auth: Record<string, string> = { 'User-Agent': 'Tessera-feed/0.1' };
    if (def.username) {
      const pw = def.passwordEnv ? (env[def.passwordEnv] ?? '') : '';
      auth.Authorization = `Basic ${Buffer.from(`${def.username}:${pw}`).toString('base64')}`;
    }
    const member = `feed:${def.name}`;
    const ingestBatch = (objects: unknown[]) =>
      ingest(
        {
          objects: deps.objects,
          statuses,
          statusTtlHours: deps.statusTtlHours,
          logger: deps.logger,
          ...(deps.validate ? { validate: deps.validate } : {}),
          ...(deps.limits ? { limits: deps.limits } : {}),
        },
        { apiRoot: collection.apiRoot, collectionId: collection.id, member, objects },
      );
    // The feed's identity and the TLP markings it uses go in first, and are not counted.
    const supportDone = new Set<string>();
    const support = async (objects: unknown[]): Promise<void> => {
      const extra: StixObject[] = [];
      if (!supportDone.has(stamp.identityId)) {
        supportDone.add(stamp.identityId);
        extra.push(identityObject(def.identity ?? def.name));
      }
      for (const o of objects) {
        const refs = (o as { object_marking_refs?: unknown }).object_marking_refs;
        if (!Array.isArray(refs)) continue;
        for (const r of refs) {
          const level = typeof r === 'string' ? TLP2_MARKINGS.get(r) : undefined;
          if (level && !supportDone.has(r as string)) {
            supportDone.add(r as string);
            extra.push(markingObject(level as Tlp));
          }
        }
      }
      if (extra.length === 0) return;
      const status = await ingestBatch(extra);
      if (status.failures.length > 0)
        throw new FeedError(`the feed identity or marking was refused: ${status.failures[0]?.message ?? ''}`);
    };
    const tracker =
      def.validForDays !== undefined && (TEXT_KINDS as readonly string[]).includes(def.kind)
        ? new EntryTracker(deps.state, def.name, def.validForDays, Math.floor(started.getTime() / 1000))
        : undefined;
    await tracker?.load();
    const ctx: FeedContext = {
      def,
      checkpoint: state.checkpoint,
      stamp,
      signal,
      ...(tracker ? { tracker } : {}),
      fetch: (url, headers) => {
        if (signal.aborted) throw new FeedError(stopped());
        return fetchDocument(url, {
          headers: { ...auth, ...(headers ?? {}) },
          timeoutMs: def.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          maxBytes: def.maxBytes ?? DEFAULT_MAX_BYTES,
          signal,
        });
      },
      deliver: async (objects) => {
        if (objects.length === 0) return;
        if (signal.aborted) throw new FeedError(stopped());
        if (converting) await support(objects);
        const status = await ingestBatch(objects);
        for (const s of status.successes) {
          if (isAdded(s)) result.added++;
          else result.duplicates++;
        }
        noteRejections(
          status.failures.map((f) => ({ where: `object ${f.id}`, reason: f.message ?? 'refused' })),
        );
      },
      read: (n) => {
        result.fetched += n;
      },
      reject: noteRejections,
      skip: (n) => {
        result.skipped += n;
      },
      expired: (n) => {
        result.expired += n;
      },
      unchanged: () => {
        result.unchanged = true;
      },
      incomplete: (reason) => {
        incomplete ??= reason;
      },
      saveCheckpoint: async (cp) => {
        await updateFeedState(deps.state, def.name, (s) => ({
          ...s,
          checkpoint: { ...(epoch ? { epoch } : {}), ...cp },
        }));
      },
      latest: async (ids) => {
        const page = await deps.objects.queryObjects({
          // The feed's own bookkeeping: every version, whatever its TLP.
          visibleTo: 'all',
          collectionId: collection.id,
          filter: { ids },
          limit: ids.length,
          withBody: true,
        });
        return page.items.map((i) => JSON.parse(i.body as string) as StixObject);
      },
      progress,
    };
    await ADAPTERS[def.kind](ctx);
    if (signal.aborted) throw new FeedError(stopped());
    if (incomplete) throw new FeedError(incomplete);
    result.ok = true;
  } catch (e) {
    result.error = signal.aborted && !(e instanceof FeedError) ? stopped() : messageOf(e);
    logger.error({ feed: def.name, err: result.error }, 'feed run failed');
  } finally {
    clearInterval(heartbeat);
    result.endedAt = new Date().toISOString();
    const { feed: _f, ran: _r, ...run } = result;
    await recordRun(deps.state, def.name, run).catch((e: unknown) =>
      logger.error({ feed: def.name, err: messageOf(e) }, 'cannot record the feed run'),
    );
    await releaseLease(deps.state, def.name, deps.owner).catch(() => undefined);
  }
  for (const r of result.rejections.slice(0, 3))
    logger.warn({ feed: def.name, where: r.where, reason: r.reason }, 'feed entry rejected');
  logger.info(
    {
      feed: def.name,
      ok: result.ok,
      fetched: result.fetched,
      added: result.added,
      duplicates: result.duplicates,
      rejected: result.rejected,
      skipped: result.skipped,
      expired: result.expired,
      ...(result.unchanged ? { unchanged: true } : {}),
      ms: Date.parse(result.endedAt) - started.getTime(),
      ...(result.error ? { error: result.error } : {}),
    },
    'feed run finished',
  );
  return result;
}
