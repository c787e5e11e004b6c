/**
 * Feed benchmark: a 100,000-line plain feed (ioc-list: IPv4 addresses, domains, URLs and SHA-256
 * hashes) read from a file:// URL, converted to STIX indicators, validated and stored in the
 * embedded store (SQLite) through the feed runner, on a fresh store each time; the median of the
 * runs is reported, with a second run of the same list (all duplicates) for comparison.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFeed, type FeedDefinition } from '../feeds';
import { createLogger } from '../server/logger';
import { openStore } from '../server/store';
import { stixValidator } from '../server/stix/plug';

function line(i: number): string {
  switch (i % 4) {
    case 0:
      return `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;
    case 1:
      return `host-${i}.bench.example.net`;
    case 2:
      return `http://dl-${i % 997}.bench.example.org/payload/${i}.bin`;
    default:
      return createHash('sha256').update(String(i)).digest('hex');
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export interface FeedBench {
  lines: number;
  reps: number;
  /** Seconds for one run on a fresh store: fetch, convert, validate, store (median, and each run). */
  medianSeconds: number;
  runsSeconds: number[];
  linesPerSecond: number;
  /** CPU seconds of the process for one such run (median): robust against other load on the machine. */
  cpuMedianSeconds: number;
  /** Seconds for a second run of the unchanged list (every entry a duplicate), median. */
  rerunMedianSeconds: number;
}

export async function benchFeed(lines = 100_000, reps = 3): Promise<FeedBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-feed-'));
  try {
    const file = path.join(dir, 'list.txt');
    writeFileSync(
      file,
      `# generated benchmark list\n${Array.from({ length: lines }, (_, i) => line(i)).join('\n')}\n`,
    );
    const validate = stixValidator(false);
    const logger = createLogger('silent');
    const runs: number[] = [];
    const reruns: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < reps; r++) {
      const stores = await openStore(`sqlite:${path.join(dir, `hub-${r}.sqlite`)}`);
      const { registry, objects, statuses, state } = stores;
      try {
        await stores.init();
        await registry.createApiRoot({ name: 'api1', title: 'bench' });
        await registry.createCollection({
          id: '4f1e8a52-7c0b-4d5e-9a3f-2b6c8d0e1f24',
          apiRoot: 'api1',
          title: 'bench feed',
          alias: 'bench',
          mediaTypes: ['application/stix+json;version=2.1'],
          grants: [],
        });
        const def: FeedDefinition = {
          name: 'bench',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: pathToFileURL(file).toString(),
          target: { apiRoot: 'api1', collection: 'bench' },
        };
        const deps = {
          registry,
          objects,
          statuses,
          state,
          validate,
          statusTtlHours: 24,
          owner: 'bench',
          logger,
        };
        const t0 = process.hrtime.bigint();
        const c0 = process.cpuUsage();
        const res = await runFeed(def, deps);
        runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
        const cpu = process.cpuUsage(c0);
        cpus.push((cpu.user + cpu.system) / 1e6);
        if (!res.ok || res.added !== lines || res.rejected !== 0)
          throw new Error(`feed bench: expected ${lines} added, got ${JSON.stringify(res)}`);
        // The unchanged file would be skipped by its Last-Modified: forget it to measure a full re-read.
        const cur = await state.getState('feed:bench');
        if (!cur) throw new Error('feed bench: the run left no state');
        const saved = JSON.parse(cur.value) as { checkpoint: { epoch: string } };
        const value = JSON.stringify({ ...saved, checkpoint: { epoch: saved.checkpoint.epoch } });
        await state.putState({ key: 'feed:bench', value, expectedVersion: cur.version });
        const t1 = process.hrtime.bigint();
        const again = await runFeed(def, deps);
        reruns.push(Number(process.hrtime.bigint() - t1) / 1e9);
        if (!again.ok || again.added !== 0 || again.duplicates !== lines)
          throw new Error(`feed bench: the second run added objects: ${JSON.stringify(again)}`);
      } finally {
        await stores.close();
      }
    }
    const m = median(runs);
    return {
      lines,
      reps,
      medianSeconds: Number(m.toFixed(2)),
      runsSeconds: runs.map((s) => Number(s.toFixed(2))),
      linesPerSecond: Math.round(lines / m),
      cpuMedianSeconds: Number(median(cpus).toFixed(2)),
      rerunMedianSeconds: Number(median(reruns).toFixed(2)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchFeed().then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
