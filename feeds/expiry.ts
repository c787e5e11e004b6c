/**
 * Validity of list entries (`validForDays` on a list kind). For every indicator the feed has
 * delivered, the state concern keeps the version it chose and its valid_until
 * (`feed:<name>:entries:<bucket>`, 16 buckets so no record grows large):
 * - an entry seen for the first time, or again after it expired, gets modified = this run and
 *   valid_until = this run + N days;
 * - an entry still listed keeps that version (a re-run adds nothing) until less than half of its
 *   validity is left, when it is renewed the same way (at most one new version per N/2 days);
 * - an entry gone from a complete copy of the list gets a last version with
 *   valid_until = modified = this run (expired, not revoked: it may come back).
 */
import { createHash } from 'node:crypto';
import type { StixObject } from './formats';
import type { StateStore } from '../server/store/contract';
import { updateStateRecord } from './state';

const BUCKETS = 16;
const DAY_S = 86_400;

/** id → [modified, valid_until] in Unix seconds; expired when valid_until <= modified. */
type Entries = Record<string, [number, number]>;

const iso = (s: number): string => new Date(s * 1000).toISOString();
const bucketOf = (id: string): number => (createHash('sha1').update(id).digest()[0] as number) % BUCKETS;
const key = (feed: string, b: number): string => `feed:${feed}:entries:${b}`;

export class EntryTracker {
  private entries: Entries = {};
  private readonly seen = new Set<string>();
  private readonly changed = new Set<number>();

  constructor(
    private readonly state: StateStore,
    private readonly feed: string,
    private readonly days: number,
    /** This run's time, Unix seconds. */
    private readonly now: number,
  ) {}

  async load(): Promise<void> {
    for (let b = 0; b < BUCKETS; b++) {
      const cur = await this.state.getState(key(this.feed, b));
      if (cur) Object.assign(this.entries, JSON.parse(cur.value) as Entries);
    }
  }

  /** Sets modified and valid_until of the listed indicators (see the module comment). */
  stamp(objects: StixObject[]): StixObject[] {
    const span = this.days * DAY_S;
    return objects.map((o) => {
      if (o.type !== 'indicator') return o;
      this.seen.add(o.id);
      const known = this.entries[o.id];
      let entry = known;
      if (!entry || entry[1] <= entry[0] || entry[1] - this.now <= span / 2) {
        const created = Math.ceil(Date.parse(String(o.created)) / 1000);
        const v = Math.max(this.now, created);
        entry = [v, v + span];
        this.entries[o.id] = entry;
        this.changed.add(bucketOf(o.id));
      }
      return { ...o, modified: iso(entry[0]), valid_until: iso(entry[1]) };
    });
  }

  /** Tracked, still-valid indicators that this copy of the list no longer holds. */
  gone(): string[] {
    return Object.entries(this.entries)
      .filter(([id, [v, u]]) => !this.seen.has(id) && u > v && u > this.now)
      .map(([id]) => id);
  }

  /** The expired version of a stored indicator, or null when it cannot expire now. */
  expire(latest: StixObject): StixObject | null {
    if (Date.parse(String(latest.valid_from)) >= this.now * 1000) return null;
    if (Date.parse(String(latest.modified)) >= this.now * 1000) return null;
    this.entries[latest.id] = [this.now, this.now];
    this.changed.add(bucketOf(latest.id));
    return { ...latest, modified: iso(this.now), valid_until: iso(this.now) };
  }

  /** Writes the buckets that changed. */
  async save(): Promise<void> {
    for (const b of this.changed) {
      const part: Entries = {};
      for (const [id, e] of Object.entries(this.entries)) if (bucketOf(id) === b) part[id] = e;
      await updateStateRecord(this.state, key(this.feed, b), () => part);
    }
    this.changed.clear();
  }
}
