/**
 * `npm run bench -- --tlp-only` (or `--tlp` beside the rest): what the TLP filter costs on paged
 * reads, measured on the objects store itself (no HTTP), so the figure is the query's own.
 *
 * One collection of N indicators, 90 % marked TLP:RED and 10 % TLP:GREEN (every 100th also
 * published by the reader). Readers page through the whole collection by keyset with limit 100 and
 * 1000, each timed page recorded; medians of 3 passes:
 *
 *   operator     scope 'all' (six tlp arms, every version visible)
 *   all-visible  a reader whose ceiling is red: the same rows through the member path
 *   10%-visible  a reader whose ceiling is amber: 90 % of the collection invisible to it
 *   own-only     a reader who sees no rank at all, only the 1 % it published
 *
 * A filter applied row by row would read the whole invisible share to fill each page ("a keyset
 * seek turns into a scan"); the store's merge of index seeks reads about limit + 6 rows per page in
 * every case, so per-object cost should stay near the all-visible one.
 */
import { randomUUID } from 'node:crypto';
import { classify } from '../../server/access/tlp';
import type { NewObjectVersion, ObjectScope, Stores } from '../../server/store/contract';
import { versionKey } from '../../server/time';

const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1';
const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
const T = '2025-01-01T00:00:00.000Z';

/** Indicator j: TLP:GREEN when j % 10 === 0, else TLP:RED. */
function version(j: number): NewObjectVersion {
  const id = `indicator--${randomUUID()}`;
  const obj = {
    type: 'indicator',
    spec_version: '2.1',
    id,
    created: T,
    modified: T,
    name: `indicator ${j}`,
    pattern: `[ipv4-addr:value = '10.${(j >> 16) & 255}.${(j >> 8) & 255}.${j & 255}']`,
    pattern_type: 'stix',
    valid_from: T,
    object_marking_refs: [j % 10 === 0 ? GREEN : RED],
  };
  return {
    id,
    type: 'indicator',
    specVersion: '2.1',
    version: T,
    versionKey: versionKey(T),
    body: JSON.stringify(obj),
    tlp: classify(obj),
  };
}

export interface TlpRow {
  backend: string;
  n: number;
  reader: string;
  limit: number;
  visible: number;
  pages: number;
  p50PageMs: number;
  /** Objects served per second while paging (median pass). */
  objPerSecond: number;
}

const READERS: [string, ObjectScope][] = [
  ['operator', 'all'],
  ['all-visible', { ranks: [0, 1, 2, 3, 4], unmarked: true, publisher: 'reader' }],
  ['10%-visible', { ranks: [0, 1, 2], unmarked: true, publisher: 'nobody' }],
  ['own-only', { ranks: [], unmarked: false, publisher: 'reader' }],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function benchTlp(
  stores: Stores,
  backend: string,
  n: number,
  progress: (msg: string) => void,
): Promise<TlpRow[]> {
  await stores.registry.createApiRoot({ name: 'tlp', title: 'TLP bench' });
  const c = await stores.registry.createCollection({
    id: randomUUID(),
    apiRoot: 'tlp',
    title: 'TLP bench',
    mediaTypes: [],
    grants: [],
  });
  for (let i = 0; i < n; i += 500) {
    const batch = Array.from({ length: Math.min(500, n - i) }, (_, k) => i + k);
    // Publisher 'reader' for every 100th object (a green one), 'other' for the rest.
    for (const by of ['reader', 'other']) {
      const objects = batch.filter((j) => (j % 100 === 0) === (by === 'reader')).map((j) => version(j));
      if (objects.length > 0) await stores.objects.addObjects({ collectionId: c.id, addedBy: by, objects });
    }
  }
  progress(`tlp/${backend}: loaded ${n.toLocaleString('en')} objects`);
  const rows: TlpRow[] = [];
  for (const limit of [100, 1000]) {
    for (const [reader, visibleTo] of READERS) {
      const passes: { lat: number[]; seen: number; secs: number }[] = [];
      for (let pass = 0; pass < 3; pass++) {
        const lat: number[] = [];
        let seen = 0;
        let after: number | undefined;
        const t0 = process.hrtime.bigint();
        for (;;) {
          const s = process.hrtime.bigint();
          const p = await stores.objects.queryObjects({
            collectionId: c.id,
            visibleTo,
            filter: {},
            limit,
            withBody: true,
            ...(after !== undefined ? { after } : {}),
          });
          lat.push(Number(process.hrtime.bigint() - s) / 1e6);
          seen += p.items.length;
          if (!p.more) break;
          after = p.items[p.items.length - 1]?.dateAdded;
        }
        passes.push({ lat, seen, secs: Number(process.hrtime.bigint() - t0) / 1e9 });
      }
      const mid = passes.map((p) => p.seen / p.secs);
      rows.push({
        backend,
        n,
        reader,
        limit,
        visible: passes[0]?.seen ?? 0,
        pages: passes[0]?.lat.length ?? 0,
        p50PageMs: median(passes.flatMap((p) => p.lat)),
        objPerSecond: median(mid),
      });
      progress(`tlp/${backend}: ${reader} limit ${limit} done`);
    }
  }
  return rows;
}
