/** What a feed adapter gets: the definition, its durable checkpoint, and ways to fetch and deliver. */
import type { FeedDefinition } from './definition';

export type Checkpoint = Record<string, string | number>;

export interface FeedContext {
  def: FeedDefinition;
  /** The checkpoint saved by the previous successful step of this feed (empty on the first run). */
  checkpoint: Checkpoint;
  /** fetch with the feed's credentials and timeout. */
  fetch(url: string, init?: { headers?: Record<string, string> }): Promise<Response>;
  /** Ingest a batch of STIX objects into the target collection (same checks as a TAXII POST). */
  deliver(objects: unknown[]): Promise<void>;
  /** Durably record progress; a later run resumes from here. */
  saveCheckpoint(cp: Checkpoint): Promise<void>;
}

export type FeedAdapter = (ctx: FeedContext) => Promise<void>;

export class FeedError extends Error {}

export async function expectOk(res: Response, what: string): Promise<void> {
  if (res.ok) return;
  const text = (await res.text().catch(() => '')).slice(0, 200);
  throw new FeedError(`${what}: HTTP ${res.status}${text ? `: ${text}` : ''}`);
}
