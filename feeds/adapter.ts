/** What a feed adapter gets: the definition, its durable checkpoint, and ways to fetch and deliver. */
import type { FeedDefinition } from './definition';
import type { EntryTracker } from './expiry';
import type { Fetched } from './fetch';
import type { FeedStamp, Rejection, StixObject } from './formats';
import type { Checkpoint } from './state';

export { FeedError } from './fetch';
export type { Checkpoint } from './state';

export interface FeedContext {
  def: FeedDefinition;
  /** The checkpoint saved by the previous successful step of this feed (empty on the first run). */
  checkpoint: Checkpoint;
  /** Converting kinds: identity, TLP, labels… and the epoch (first run) of this feed. */
  stamp: FeedStamp;
  /** The run's deadline / cancellation. */
  signal: AbortSignal;
  /** GET with the feed's credentials, timeout and size cap. */
  fetch(url: string, headers?: Record<string, string>): Promise<Fetched>;
  /**
   * Ingest a batch of STIX objects into the target collection (same checks as a TAXII POST) and
   * count the outcome. Resolves once they are durably stored.
   */
  deliver(objects: unknown[]): Promise<void>;
  /** Entries read from the source, rejected before STIX, or deliberately skipped. */
  read(n: number): void;
  reject(rejections: Rejection[]): void;
  skip(n: number): void;
  /** Indicators expired because their entry left the list. */
  expired(n: number): void;
  /** The source has not changed since the last complete copy (a 304 to the conditional GET). */
  unchanged(): void;
  /** The text was incomplete: what was valid is kept, the run reports this as its error. */
  incomplete(reason: string): void;
  /** Durably record progress; a later run resumes from here. */
  saveCheckpoint(cp: Checkpoint): Promise<void>;
  /** List kinds with validForDays: the versions and validity chosen for each entry. */
  tracker?: EntryTracker;
  /** The latest stored versions of these ids in the target collection. */
  latest(ids: string[]): Promise<StixObject[]>;
  /** Progress within the run (for the CLI's progress bar): done of total, when known. */
  progress(done: number, total?: number): void;
}

export type FeedAdapter = (ctx: FeedContext) => Promise<void>;

/** Deliver a list in batches, reporting progress. */
export async function deliverAll(ctx: FeedContext, objects: unknown[], batch = 2000): Promise<void> {
  for (let i = 0; i < objects.length; i += batch) {
    await ctx.deliver(objects.slice(i, i + batch));
    ctx.progress(Math.min(i + batch, objects.length), objects.length);
  }
}

/** Conditional-GET headers from the validators saved with the last complete copy. */
export function conditionalHeaders(cp: Checkpoint): Record<string, string> {
  const h: Record<string, string> = {};
  if (typeof cp.etag === 'string') h['If-None-Match'] = cp.etag;
  if (typeof cp.lastModified === 'string') h['If-Modified-Since'] = cp.lastModified;
  return h;
}

/** The validators of a response, to save once its whole content is stored. */
export function validators(headers: Headers): Checkpoint {
  const cp: Checkpoint = {};
  const etag = headers.get('etag');
  const lm = headers.get('last-modified');
  if (etag) cp.etag = etag;
  if (lm) cp.lastModified = lm;
  return cp;
}
