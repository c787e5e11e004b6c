/**
 * What a feed keeps in the store's state concern (small CAS records shared by every instance):
 * - `lease:feed:<name>`: which instance runs the feed now, renewed while it runs, so a run happens
 *   once per cluster and a crashed instance's lease lapses within LEASE_MS;
 * - `feed:<name>`: the checkpoint, the epoch (first run: the timestamp of entries whose source
 *   gives none), the failure count and back-off, and the last runs (newest first).
 * Run records live here rather than in a concern of their own: they are read only per feed and
 * a few at a time, and the state concern already works the same on both backends.
 */
import type { StateStore } from '../server/store/contract';
import { FeedError } from './fetch';

export type Checkpoint = Record<string, string | number>;

export interface RunRejection {
  where: string;
  reason: string;
}

/** One run of a feed, as recorded and as `tessera feed status` / GET /feeds/status show it. */
export interface FeedRun {
  id: string;
  trigger: 'schedule' | 'manual';
  /** Instance that ran it. */
  instance: string;
  startedAt: string;
  endedAt: string;
  ok: boolean;
  /** Entries read from the source (lines, records, attributes, objects). */
  fetched: number;
  /** New object versions stored. */
  added: number;
  /** Objects already stored with the same version. */
  duplicates: number;
  /** Entries refused (conversion or STIX validation), with the first reasons. */
  rejected: number;
  rejections: RunRejection[];
  /** Entries deliberately not converted (MISP attributes without to_ids). */
  skipped: number;
  /** Indicators expired because their entry left the list (validForDays). */
  expired: number;
  /**
   * The source said it has not changed since the last complete copy (HTTP 304 Not Modified to the
   * conditional GET, or a file:// source whose size and modification time are the same), so
   * nothing was read: the run is up to date, not empty.
   */
  unchanged: boolean;
  error?: string;
}

export interface FeedState {
  checkpoint: Checkpoint;
  /** Failed runs in a row (scheduled runs back off after each). */
  failures: number;
  /** Scheduled runs are skipped until then (ISO); manual runs are not. */
  backoffUntil?: string;
  runs: FeedRun[];
}

export const KEEP_RUNS = 20;
export const LEASE_MS = 2 * 60_000;
export const MAX_REJECTIONS_KEPT = 10;

interface Lease {
  owner: string;
  until: number;
}

const stateKey = (feed: string): string => `feed:${feed}`;
const leaseKey = (feed: string): string => `lease:feed:${feed}`;

/** Takes (or renews) the feed's lease; false when another instance holds a live one. */
export async function acquireLease(state: StateStore, feed: string, owner: string): Promise<boolean> {
  const key = leaseKey(feed);
  const now = Date.now();
  const value = JSON.stringify({ owner, until: now + LEASE_MS } satisfies Lease);
  const cur = await state.getState(key);
  if (!cur) return state.putState({ key, value, expectedVersion: 0 });
  const lease = JSON.parse(cur.value) as Lease;
  if (lease.owner !== owner && lease.until > now) return false;
  return state.putState({ key, value, expectedVersion: cur.version });
}

export async function releaseLease(state: StateStore, feed: string, owner: string): Promise<void> {
  const key = leaseKey(feed);
  const cur = await state.getState(key);
  if (!cur) return;
  const lease = JSON.parse(cur.value) as Lease;
  if (lease.owner !== owner) return;
  await state.putState({ key, value: JSON.stringify({ owner, until: 0 }), expectedVersion: cur.version });
}

/** Who runs the feed now, if anyone. */
export async function leaseHolder(state: StateStore, feed: string): Promise<string | null> {
  const cur = await state.getState(leaseKey(feed));
  if (!cur) return null;
  const lease = JSON.parse(cur.value) as Lease;
  return lease.until > Date.now() ? lease.owner : null;
}

function parse(value: string): FeedState {
  return complete(JSON.parse(value) as Partial<FeedState>);
}

function complete(s: Partial<FeedState>): FeedState {
  return {
    checkpoint: s.checkpoint ?? {},
    failures: s.failures ?? 0,
    // Runs recorded before `unchanged` existed read as changed.
    runs: (s.runs ?? []).map((r) => ({ ...r, unchanged: r.unchanged ?? false })),
    ...(s.backoffUntil ? { backoffUntil: s.backoffUntil } : {}),
  };
}

export async function readFeedState(state: StateStore, feed: string): Promise<FeedState> {
  const cur = await state.getState(stateKey(feed));
  return cur ? parse(cur.value) : complete({});
}

/** Read-modify-write of a state record holding JSON (the lease makes conflicts exceptional). */
export async function updateStateRecord<T>(
  state: StateStore,
  key: string,
  change: (current: T | undefined) => T,
): Promise<T> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await state.getState(key);
    const next = change(cur ? (JSON.parse(cur.value) as T) : undefined);
    if (await state.putState({ key, value: JSON.stringify(next), expectedVersion: cur?.version ?? 0 }))
      return next;
  }
  throw new FeedError('the feed state changed under this run (another instance?)');
}

export async function updateFeedState(
  state: StateStore,
  feed: string,
  change: (s: FeedState) => FeedState,
): Promise<FeedState> {
  return complete(
    await updateStateRecord<Partial<FeedState>>(state, stateKey(feed), (cur) => change(complete(cur ?? {}))),
  );
}

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

/** Back-off after `failures` failed runs in a row: 1, 2, 4 … minutes, at most 6 hours. */
export function backoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 20));
}

/** Records a finished run: newest first, KEEP_RUNS kept; failures counted for back-off. */
export async function recordRun(state: StateStore, feed: string, run: FeedRun): Promise<FeedState> {
  return updateFeedState(state, feed, (s) => {
    const failures = run.ok ? 0 : s.failures + 1;
    const next: FeedState = { ...s, failures, runs: [run, ...s.runs].slice(0, KEEP_RUNS) };
    delete next.backoffUntil;
    if (failures > 0)
      next.backoffUntil = new Date(Date.parse(run.endedAt) + backoffMs(failures)).toISOString();
    return next;
  });
}
