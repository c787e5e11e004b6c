/**
 * `npm run bench`: throughput, page latency and peak memory of the hub, side by side with medallion.
 *
 * A script, not a test: it prints figures and the targets of issue 3 next to them, and never fails
 * on speed (it exits non-zero only when a server misbehaves, e.g. rejects an object or loses one).
 *
 *   npm run bench                      sqlite at 10k, 100k, 1M (+ mongodb at 10k, 100k with TESSERA_MONGO_URL)
 *   npm run bench -- --quick           10k only
 *   npm run bench -- --sizes 10000,100000 --backends sqlite,mongodb
 *   npm run bench -- --medallion-size 2000 --medallion-cap 900 --no-medallion
 *   npm run bench -- --profile /tmp/prof   hub runs under node --cpu-prof (profiles written there)
 *   npm run bench -- --limit 10             readers page with limit=10 (per-request costs weigh more)
 *   npm run bench -- --hostile-only        only the good-request latency under attack (below)
 *   npm run bench -- --tlp-only            only the cost of the TLP filter on paged reads (scripts/bench/tlp.ts;
 *                                          --tlp adds it to the rest; --tlp-sizes sqlite,mongodb sizes)
 *   npm run bench -- --no-hostile          skip it
 *   npm run bench -- --auth-only           only the cost of authentication per credential form and of
 *                                          the audit trail on paged reads (scripts/bench/credentials.ts;
 *                                          --auth adds it to the rest; --auth-size N indicators, default 2000)
 *   npm run bench -- --feed-only           only the feed benchmark (scripts/bench-feed.ts)
 *   npm run bench -- --no-feed             everything but the feed benchmark
 *   npm run bench -- --metrics-only --sizes 10000   only the cost of Prometheus metrics: the workload
 *                                          (sqlite) with /metrics off and on (scraped every second),
 *                                          alternating, medians of --reps each
 *
 * Workload, the same for every server: N generated STIX 2.1 indicators POSTed in 500-object
 * envelopes by 2 concurrent posters, then 8 concurrent clients each page through the whole
 * collection from the start by `next` with limit=1000. Sizes up to 10k are repeated 3 times on a
 * fresh store each time and the medians printed. Ends with one `BENCH_JSON {...}` line.
 *
 * medallion runs once, at 2,000 objects by default: its memory backend compares every added object
 * with every stored one, and the first page of every reader matches each manifest entry against the
 * whole collection (quadratic), so 8 readers over 2,000 objects already take minutes; Tessera is
 * measured at the same size for the ratios. Each medallion phase is capped (--medallion-cap seconds).
 *
 * Under attack (scripts/bench/hostile.ts; sqlite, 10k objects loaded): good members page with
 * limit=100 alone and during each attack — wrong-password floods, oversized POSTs (bodies
 * streamed past max_content_length, envelopes at the limit made of invalid entries) and slow clients
 * (trickled headers, answers never read); medians over 3
 * rounds of each phase's p50 and p99. Also the median time of a wrong password for an existing
 * member vs an unknown name (issue 8 item 6).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  enumerationTiming,
  measureUnderAttack,
  oversizedPost,
  passwordFlood,
  slowClients,
  type Attack,
  type HostileResult,
} from './bench/hostile';
import { findPython, startMedallion, startTessera, USER, type RunningServer } from './bench/servers';
import { benchFeed, type FeedBench } from './bench-feed';
import { load, read, type LoadResult, type ReadResult } from './bench/workload';
import { openStore, withMongoDatabase } from '../server/store';
import { benchTlp, type TlpRow } from './bench/tlp';
import { benchCredentials, type CredentialBench } from './bench/credentials';

type Backend = 'sqlite' | 'mongodb';

interface Options {
  backends: Backend[];
  sizes: Map<Backend, number[]>;
  medallionSize: number;
  medallionCapSeconds: number;
  medallion: boolean;
  reps: number;
  envelope: number;
  posters: number;
  clients: number;
  limit: number;
  profileDir: string | null;
  /** Run the throughput workload / the under-attack measurements. */
  throughput: boolean;
  hostile: boolean;
  /** Run the 100k-line feed benchmark (issue 11). */
  feed: boolean;
  /** Run the authentication and audit measurements (scripts/bench/credentials.ts) on N indicators. */
  auth: boolean;
  authSize: number;
  /** Run the TLP filter measurements (scripts/bench/tlp.ts), at these sizes per backend. */
  tlp: boolean;
  tlpSizes: { sqlite: number; mongodb: number };
  /** Only the metrics overhead: the workload with metrics off and on (runMetricsOverhead). */
  metricsOnly: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--sizes 10000,100000,1000000] [--backends sqlite,mongodb]
       [--reps 3] [--limit 1000] [--medallion-size 2000] [--medallion-cap 900] [--no-medallion] [--profile DIR]
       [--hostile-only | --no-hostile] [--feed-only | --no-feed] [--tlp | --tlp-only] [--tlp-sizes 100000,5000]
       [--metrics-only] [--auth | --auth-only] [--auth-size 2000]`;

function parseSizes(s: string): number[] {
  const out = s
    .split(',')
    .map((x) => Number(x.trim().replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000')));
  if (out.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--sizes: not a list of positive integers: ${s}`);
  return out;
}

function parseArgs(argv: string[]): Options {
  const mongo = Boolean(process.env.TESSERA_MONGO_URL);
  let backends: Backend[] | null = null;
  let sizes: number[] | null = null;
  let quick = false;
  const o: Options = {
    backends: [],
    sizes: new Map(),
    medallionSize: 2_000,
    medallionCapSeconds: 900,
    medallion: true,
    reps: 3,
    envelope: 500,
    posters: 2,
    clients: 8,
    limit: 1000,
    profileDir: null,
    throughput: true,
    hostile: true,
    feed: true,
    tlp: false,
    tlpSizes: { sqlite: 100_000, mongodb: 5_000 },
    metricsOnly: false,
    auth: false,
    authSize: 2_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--sizes') sizes = parseSizes(val());
    else if (a === '--backends') {
      backends = val()
        .split(',')
        .map((b) => b.trim())
        .map((b) => {
          if (b !== 'sqlite' && b !== 'mongodb') throw new Error(`--backends: unknown backend ${b}`);
          return b;
        });
    } else if (a === '--medallion-size') o.medallionSize = parseSizes(val())[0] as number;
    else if (a === '--medallion-cap') o.medallionCapSeconds = Number(val());
    else if (a === '--no-medallion') o.medallion = false;
    else if (a === '--reps') o.reps = Math.max(1, Number(val()));
    else if (a === '--limit') {
      o.limit = Number(val());
      if (!Number.isInteger(o.limit) || o.limit < 1)
        throw new Error(`--limit: not a positive integer\n${USAGE}`);
    } else if (a === '--profile') o.profileDir = path.resolve(val());
    else if (a === '--hostile-only') {
      o.throughput = false;
      o.medallion = false;
      o.feed = false;
    } else if (a === '--no-hostile') o.hostile = false;
    else if (a === '--no-feed') o.feed = false;
    else if (a === '--feed-only') {
      o.throughput = false;
      o.medallion = false;
      o.hostile = false;
    } else if (a === '--tlp') o.tlp = true;
    else if (a === '--tlp-only') {
      o.tlp = true;
      o.throughput = false;
      o.medallion = false;
      o.hostile = false;
      o.feed = false;
    } else if (a === '--auth') o.auth = true;
    else if (a === '--auth-only') {
      o.auth = true;
      o.throughput = false;
      o.medallion = false;
      o.hostile = false;
      o.feed = false;
    } else if (a === '--auth-size') o.authSize = parseSizes(val())[0] as number;
    else if (a === '--tlp-sizes') {
      const [sq, mo] = parseSizes(val());
      o.tlpSizes = { sqlite: sq ?? o.tlpSizes.sqlite, mongodb: mo ?? o.tlpSizes.mongodb };
    } else if (a === '--metrics-only') o.metricsOnly = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  o.backends = backends ?? (mongo ? ['sqlite', 'mongodb'] : ['sqlite']);
  if (o.backends.includes('mongodb') && !mongo) {
    throw new Error(
      '--backends mongodb needs TESSERA_MONGO_URL (e.g. the URL scripts/ferretdb.sh start prints)',
    );
  }
  for (const b of o.backends) {
    const dflt = b === 'sqlite' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
    o.sizes.set(b, quick ? [10_000] : (sizes ?? dflt));
  }
  return o;
}

// ------------------------------------------------------------------------------------------ stores

interface FreshStore {
  url: string;
  dispose(): Promise<void>;
}

function freshStore(backend: Backend): FreshStore {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
    return {
      url: `sqlite:${path.join(dir, 'hub.sqlite')}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const database = `tessera_bench_${randomBytes(5).toString('hex')}`;
  const url = withMongoDatabase(process.env.TESSERA_MONGO_URL as string, database).uri;
  return {
    url,
    dispose: async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

// ------------------------------------------------------------------------------------------ runs

interface Run {
  server: 'tessera' | 'medallion';
  backend: string;
  size: number;
  reps: number;
  ingestPerSecond: number;
  readPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /** Objects actually loaded and read per client (less than size when a time cap stopped the run). */
  loaded: number;
  capped: boolean;
  ingestSeconds: number;
  readSeconds: number;
  /** Objects per CPU second of the server process (robust against other load on the machine). */
  ingestPerCpuSecond: number;
  readPerCpuSecond: number;
  /** Run only to compare with medallion at its size (not one of the requested sizes). */
  comparisonOnly?: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

interface Rep {
  l: LoadResult;
  r: ReadResult;
  rss: number;
  loadCpu: number;
  readCpu: number;
}

async function oneRep(server: RunningServer, size: number, o: Options, capSeconds?: number): Promise<Rep> {
  const cap = capSeconds === undefined ? {} : { capSeconds };
  // Warm-up: one authenticated request, so that neither server pays its first password check
  // (Tessera: scrypt, then cached) inside the measured phases.
  const t = server.target;
  const warm = await server.client.request('GET', `/${t.apiRoot}/collections/${t.collectionId}/`);
  if (warm.status !== 200) throw new Error(`${server.name}: warm-up GET collection: HTTP ${warm.status}`);
  const cpu0 = server.cpuSeconds();
  const l = await load(server.client, size, { envelopeSize: o.envelope, posters: o.posters, ...cap });
  const cpu1 = server.cpuSeconds();
  progress(
    `${server.name}: loaded ${l.objects.toLocaleString('en')} in ${l.seconds.toFixed(1)} s${l.capped ? ' (time cap)' : ''}`,
  );
  const r = await read(server.client, l.objects, { clients: o.clients, limit: o.limit, ...cap });
  const cpu2 = server.cpuSeconds();
  progress(
    `${server.name}: ${o.clients} clients read ${r.objects.toLocaleString('en')} in ${r.seconds.toFixed(1)} s${r.capped ? ' (time cap)' : ''}`,
  );
  return { l, r, rss: server.peakRssMb(), loadCpu: cpu1 - cpu0, readCpu: cpu2 - cpu1 };
}

function summarise(server: Run['server'], backend: string, size: number, reps: Rep[]): Run {
  return {
    server,
    backend,
    size,
    reps: reps.length,
    ingestPerSecond: median(reps.map((x) => x.l.perSecond)),
    readPerSecond: median(reps.map((x) => x.r.perSecond)),
    p50Ms: median(reps.map((x) => x.r.p50Ms)),
    p99Ms: median(reps.map((x) => x.r.p99Ms)),
    peakRssMb: Math.max(...reps.map((x) => x.rss)),
    loaded: Math.min(...reps.map((x) => x.l.objects)),
    capped: reps.some((x) => x.l.capped || x.r.capped),
    ingestSeconds: median(reps.map((x) => x.l.seconds)),
    readSeconds: median(reps.map((x) => x.r.seconds)),
    ingestPerCpuSecond: median(reps.map((x) => x.l.objects / Math.max(x.loadCpu, 0.01))),
    readPerCpuSecond: median(reps.map((x) => x.r.objects / Math.max(x.readCpu, 0.01))),
  };
}

async function runTessera(backend: Backend, size: number, o: Options): Promise<Run> {
  const reps = size <= 10_000 ? o.reps : 1;
  const results: Rep[] = [];
  for (let i = 0; i < reps; i++) {
    progress(`tessera/${backend}: N=${size.toLocaleString('en')} (repetition ${i + 1} of ${reps})`);
    const fresh = freshStore(backend);
    let profDir: string | null = null;
    if (o.profileDir) {
      profDir = path.join(o.profileDir, `${backend}-${size}-${i + 1}`);
      mkdirSync(profDir, { recursive: true });
    }
    try {
      const hub = await startTessera({ storeUrl: fresh.url, cpuProfDir: profDir });
      try {
        results.push(await oneRep(hub, size, o));
      } finally {
        await hub.stop();
      }
    } finally {
      await fresh.dispose();
    }
  }
  return summarise('tessera', backend, size, results);
}

/**
 * The cost of Prometheus metrics: the same workload on a hub with metrics off, and on (on the hub's
 * port behind a token, scraped every second while it runs: far more often than Prometheus would),
 * alternating off/on so that drift in the machine's load falls on both. Ingest and paging time
 * every request and every store operation when on.
 */
async function runMetricsOverhead(o: Options): Promise<void> {
  const size = o.sizes.get('sqlite')?.[0] ?? 10_000;
  const token = randomBytes(16).toString('hex');
  const loadStart = loadAverage();
  const reps: Record<'off' | 'on', Rep[]> = { off: [], on: [] };
  let scrapes = 0;
  let scrapeBytes = 0;
  for (let i = 0; i < o.reps; i++) {
    const order: ('off' | 'on')[] = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    for (const mode of order) {
      progress(`metrics ${mode}: N=${size.toLocaleString('en')} (repetition ${i + 1} of ${o.reps})`);
      const fresh = freshStore('sqlite');
      try {
        const env: Record<string, string> = mode === 'on' ? { TESSERA_METRICS_TOKEN: token } : {};
        const hub = await startTessera({ storeUrl: fresh.url, cpuProfDir: null, env });
        let scraping = mode === 'on';
        const scraper = (async () => {
          while (scraping) {
            const res = await fetch(`${hub.target.url}/metrics`, {
              headers: { Authorization: `Bearer ${token}` },
            });
            const text = await res.text();
            if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
            scrapes++;
            scrapeBytes = text.length;
            await sleep(1000);
          }
        })();
        try {
          reps[mode].push(await oneRep(hub, size, o));
        } finally {
          scraping = false;
          await scraper;
          await hub.stop();
        }
      } finally {
        await fresh.dispose();
      }
    }
  }
  const off = summarise('tessera', 'sqlite', size, reps.off);
  const on = summarise('tessera', 'sqlite', size, reps.on);
  const rows = [
    ['metrics', 'N', 'reps', 'ingest obj/s', 'ingest/CPU-s', 'read obj/s', 'read/CPU-s', 'p50 ms', 'p99 ms'],
  ];
  for (const [name, r] of [
    ['off', off],
    ['on', on],
  ] as const) {
    rows.push([
      name,
      fmtInt(r.loaded),
      String(r.reps),
      fmtInt(r.ingestPerSecond),
      fmtInt(r.ingestPerCpuSecond),
      fmtInt(r.readPerSecond),
      fmtInt(r.readPerCpuSecond),
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
    ]);
  }
  console.log('');
  console.log(
    `Metrics overhead (sqlite): ${o.posters} posters x ${o.envelope}-object envelopes; ${o.clients} readers x limit=${o.limit}; /metrics scraped every second when on (${scrapes} scrapes, last ${fmtInt(scrapeBytes)} bytes)`,
  );
  console.log(`load average at start ${loadStart}, at end ${loadAverage()}; medians of the repetitions`);
  console.log(table(rows));
  console.log(
    `  on/off: ingest obj/s ${fmtX(on.ingestPerSecond / off.ingestPerSecond)}, ingest/CPU-s ${fmtX(on.ingestPerCpuSecond / off.ingestPerCpuSecond)}, p50 ${fmtX(on.p50Ms / off.p50Ms)}, p99 ${fmtX(on.p99Ms / off.p99Ms)}`,
  );
  console.log(
    `BENCH_JSON ${JSON.stringify({ metrics: { size, off, on, scrapes, loadStart, loadEnd: loadAverage() } })}`,
  );
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
}

async function runMedallion(o: Options): Promise<Run | { skipped: string }> {
  const py = findPython();
  if ('missing' in py) return { skipped: py.missing };
  progress(`medallion: N=${o.medallionSize.toLocaleString('en')} (cap ${o.medallionCapSeconds} s per phase)`);
  let server: RunningServer;
  try {
    server = await startMedallion(py.python);
  } catch (e) {
    return { skipped: `medallion did not start: ${(e as Error).message.split('\n')[0] ?? ''}` };
  }
  try {
    const rep = await oneRep(server, o.medallionSize, o, o.medallionCapSeconds);
    return summarise('medallion', 'memory', o.medallionSize, [rep]);
  } finally {
    await server.stop();
  }
}

// ------------------------------------------------------------------------------------------ under attack

interface HostileFigures {
  objects: number;
  results: HostileResult[];
  enumeration: { existingMs: number; unknownMs: number; attempts: number };
}

/** The hub's max_content_length in the attack benchmark (its default, set explicitly). */
const MAX_CONTENT_LENGTH = 10 * 1024 * 1024;

async function runHostile(): Promise<HostileFigures> {
  const objects = 10_000;
  const fresh = freshStore('sqlite');
  try {
    // Trusting loopback lets the attack clients claim any source address (X-Forwarded-For).
    const hub = await startTessera({
      storeUrl: fresh.url,
      cpuProfDir: null,
      env: { TESSERA_TRUST_PROXY: 'loopback', TESSERA_MAX_CONTENT_LENGTH: String(MAX_CONTENT_LENGTH) },
    });
    try {
      await load(hub.client, objects, { envelopeSize: 500, posters: 2 });
      // Fewer attempts than the per-name limit (10 by default), so every one is a real check.
      const attempts = 9;
      const enumeration = { ...(await enumerationTiming(hub, USER, attempts)), attempts };
      progress(
        `wrong password: existing member ${enumeration.existingMs.toFixed(1)} ms, unknown name ${enumeration.unknownMs.toFixed(1)} ms (medians)`,
      );
      const attacks: Attack[] = [
        passwordFlood({ attackers: 16, distributed: false, user: USER }),
        passwordFlood({ attackers: 16, distributed: true, user: USER }),
        oversizedPost({ attackers: 4, kind: 'over-limit', maxContentLength: MAX_CONTENT_LENGTH }),
        oversizedPost({ attackers: 4, kind: 'junk', maxContentLength: MAX_CONTENT_LENGTH }),
        slowClients({ connections: 200 }),
      ];
      const results = await measureUnderAttack(
        hub,
        attacks,
        { goodClients: 2, phaseSeconds: 5, rounds: 3 },
        progress,
      );
      return { objects, results, enumeration };
    } finally {
      await hub.stop();
    }
  } finally {
    await fresh.dispose();
  }
}

function printHostile(h: HostileFigures): void {
  console.log(
    `\n  good requests under attack (sqlite, ${fmtInt(h.objects)} objects; 2 members page with limit=100, credentials verified before; medians of 3 rounds x 5 s):`,
  );
  console.log(
    table([
      [
        'attack',
        'good p50 ms',
        'good p99 ms',
        'baseline p50',
        'baseline p99',
        'p99 ratio',
        'attack req/s',
        'attack answers',
        'good non-200',
      ],
      ...h.results.map((r) => [
        r.attack,
        fmtMs(r.during.p50Ms),
        fmtMs(r.during.p99Ms),
        fmtMs(r.baseline.p50Ms),
        fmtMs(r.baseline.p99Ms),
        fmtX(r.during.p99Ms / r.baseline.p99Ms),
        fmtInt(r.attackPerSecond),
        Object.entries(r.statuses)
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
        String(r.goodFailures),
      ]),
    ]),
  );
  console.log(
    `  wrong password, median of ${h.enumeration.attempts}: existing member ${fmtMs(h.enumeration.existingMs)} ms, unknown name ${fmtMs(h.enumeration.unknownMs)} ms (ratio ${fmtX(h.enumeration.unknownMs / h.enumeration.existingMs)})`,
  );
}

// ------------------------------------------------------------------------------------------ output

const fmtInt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a');
const fmtMs = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const fmtX = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 2 : 1)}x` : 'n/a');

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)));
      const text = `  ${line.join('  ')}`;
      return i === 0 ? `${text}\n  ${widths.map((w) => '-'.repeat(w)).join('  ')}` : text;
    })
    .join('\n');
}

interface TargetRow {
  target: string;
  measured: string;
  met: boolean | null;
}

async function validationFigures(): Promise<Record<string, unknown> | { skipped: string }> {
  const modPath = './bench-validate';
  try {
    require.resolve(modPath);
  } catch {
    return { skipped: 'scripts/bench-validate.ts is not there' };
  }
  const mod = (await import(modPath)) as { benchValidate?: () => Promise<Record<string, unknown>> };
  if (typeof mod.benchValidate !== 'function')
    return { skipped: 'bench-validate exports no benchValidate()' };
  return mod.benchValidate();
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.metricsOnly) {
    await runMetricsOverhead(o);
    return;
  }
  const started = Date.now();
  const loadStart = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const runs: Run[] = [];
  if (o.throughput) {
    for (const b of o.backends) {
      for (const size of o.sizes.get(b) ?? []) runs.push(await runTessera(b, size, o));
    }
  }
  const hostile = o.hostile ? await runHostile() : null;
  const tlpRows: TlpRow[] = [];
  if (o.tlp) {
    for (const b of o.backends) {
      const fresh = freshStore(b);
      const stores = await openStore(fresh.url);
      try {
        tlpRows.push(...(await benchTlp(stores, b, o.tlpSizes[b], progress)));
      } finally {
        await stores.close();
        await fresh.dispose();
      }
    }
  }
  let credentials: CredentialBench | null = null;
  if (o.auth) credentials = await benchCredentials(o.authSize, {}, progress);
  let medallion: Run | { skipped: string } | null = null;
  let tesseraAtMedallion: Run | undefined;
  if (o.medallion) {
    medallion = await runMedallion(o);
    if (!('skipped' in medallion)) {
      const n = medallion.loaded;
      tesseraAtMedallion = runs.find((r) => r.backend === 'sqlite' && r.size === n);
      if (!tesseraAtMedallion) {
        tesseraAtMedallion = { ...(await runTessera('sqlite', n, o)), comparisonOnly: true };
        runs.push(tesseraAtMedallion);
      }
    }
  }
  const validate = o.throughput
    ? await validationFigures().catch((e: unknown) => ({ skipped: `failed: ${(e as Error).message}` }))
    : { skipped: 'not run (--hostile-only or --feed-only)' };
  let feed: FeedBench | { skipped: string } = { skipped: 'not run' };
  if (o.feed) {
    progress('feed benchmark: 100,000-line plain feed, sqlite, 3 runs');
    feed = await benchFeed(100_000, o.reps);
  }

  // ---- the table
  const rows: string[][] = [
    [
      'server',
      'store',
      'N',
      'reps',
      'ingest obj/s',
      'read obj/s',
      'p50 ms',
      'p99 ms',
      'peak RSS MB',
      'load s',
      'read s',
      'ingest/CPU-s',
      'read/CPU-s',
    ],
  ];
  const all = [...runs, ...(medallion && !('skipped' in medallion) ? [medallion] : [])];
  for (const r of all) {
    rows.push([
      r.comparisonOnly ? `${r.server}*` : r.server,
      r.backend,
      `${fmtInt(r.loaded)}${r.capped ? ' (capped)' : ''}`,
      String(r.reps),
      fmtInt(r.ingestPerSecond),
      fmtInt(r.readPerSecond),
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
      fmtInt(r.peakRssMb),
      r.ingestSeconds.toFixed(1),
      r.readSeconds.toFixed(1),
      fmtInt(r.ingestPerCpuSecond),
      fmtInt(r.readPerCpuSecond),
    ]);
  }
  console.log('');
  console.log(
    `Tessera benchmark: ${o.posters} posters x ${o.envelope}-object envelopes; ${o.clients} readers x limit=${o.limit} following next; ${os.cpus().length} CPUs, node ${process.version}`,
  );
  console.log(
    `load average at start ${loadStart}, at end ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (other work on the machine lowers obj/s, not obj/CPU-s)`,
  );
  console.log(
    'medians of the repetitions; read obj/s counts all readers together; peak RSS = VmHWM of the server; obj/CPU-s = objects per CPU second of the server process',
  );
  console.log(table(rows));

  if (runs.some((r) => r.comparisonOnly))
    console.log('  * measured only for the comparison with medallion at its size');

  // ---- flatness per backend
  const flatness: Record<string, number> = {};
  for (const b of o.backends) {
    const mine = runs
      .filter((r) => r.backend === b && r.server === 'tessera' && !r.comparisonOnly)
      .sort((x, y) => x.size - y.size);
    const small = mine[0];
    const big = mine[mine.length - 1];
    if (small && big && big.size > small.size) {
      flatness[b] = big.p50Ms / small.p50Ms;
      console.log(
        `  ${b}: p50 page latency at ${fmtInt(big.size)} / at ${fmtInt(small.size)} = ${fmtMs(big.p50Ms)} / ${fmtMs(small.p50Ms)} ms = ${fmtX(flatness[b])}`,
      );
    }
  }

  // ---- medallion ratios
  let ratios: { size: number; ingest: number; read: number; capped: boolean } | null = null;
  if (medallion && 'skipped' in medallion) console.log(`\n  medallion: skipped: ${medallion.skipped}`);
  else if (medallion && tesseraAtMedallion) {
    ratios = {
      size: medallion.loaded,
      ingest: tesseraAtMedallion.ingestPerSecond / medallion.ingestPerSecond,
      read: tesseraAtMedallion.readPerSecond / medallion.readPerSecond,
      capped: medallion.capped,
    };
    console.log(
      `\n  medallion ${medallion.capped ? '(stopped by the time cap) ' : ''}compared at N = ${fmtInt(ratios.size)} (its memory backend scans the whole collection per object added and per page served, so larger N does not finish):`,
    );
    console.log(`  Tessera/medallion ingest ${fmtX(ratios.ingest)}, reads ${fmtX(ratios.read)}`);
  }

  // ---- targets
  const sqliteRuns = runs.filter((r) => r.backend === 'sqlite' && !r.comparisonOnly);
  const worst = (f: (r: Run) => number, dir: 'min' | 'max') => {
    const vals = sqliteRuns.map(f);
    return vals.length === 0 ? NaN : dir === 'min' ? Math.min(...vals) : Math.max(...vals);
  };
  const bySize = (f: (r: Run) => string) => sqliteRuns.map((r) => `${fmtInt(r.size)}: ${f(r)}`).join(', ');
  const largest = sqliteRuns.filter((r) => r.size === 1_000_000)[0];
  const targets: TargetRow[] = [];
  const t = (target: string, measured: string, ok: boolean | null) =>
    targets.push({ target, measured, met: ok });
  if (sqliteRuns.length > 0) {
    const ing = worst((r) => r.ingestPerSecond, 'min');
    t(
      'ingest >= 30,000 validated obj/s (sqlite)',
      `lowest ${fmtInt(ing)} (${bySize((r) => fmtInt(r.ingestPerSecond))})`,
      ing >= 30_000,
    );
    const rd = worst((r) => r.readPerSecond, 'min');
    t(
      'paged reads >= 100,000 obj/s (sqlite)',
      `lowest ${fmtInt(rd)} (${bySize((r) => fmtInt(r.readPerSecond))})`,
      rd >= 100_000,
    );
    const p99 = worst((r) => r.p99Ms, 'max');
    t('page p99 < 50 ms (sqlite)', `highest ${fmtMs(p99)} ms (${bySize((r) => fmtMs(r.p99Ms))})`, p99 < 50);
    const small = sqliteRuns.find((r) => r.size === 10_000);
    if (largest && small) {
      const f = largest.p50Ms / small.p50Ms;
      t('p50 page latency at 1M <= 1.5x of 10k', fmtX(f), f <= 1.5);
      t('peak RSS < 300 MB at 1M', `${fmtInt(largest.peakRssMb)} MB`, largest.peakRssMb < 300);
    } else {
      t('p50 page latency at 1M <= 1.5x of 10k', 'not measured (needs sizes 10000 and 1000000)', null);
      t('peak RSS < 300 MB at 1M', 'not measured (needs size 1000000)', null);
    }
  }
  if (ratios) {
    t(`>= 5x medallion on ingest (N=${fmtInt(ratios.size)})`, fmtX(ratios.ingest), ratios.ingest >= 5);
    t(`>= 100x medallion on reads (N=${fmtInt(ratios.size)})`, fmtX(ratios.read), ratios.read >= 100);
  } else {
    t('>= 5x / >= 100x medallion', 'not measured', null);
  }
  if ('skipped' in feed) t('100k-line plain feed converted and stored < 10 s (sqlite)', 'not measured', null);
  else
    t(
      '100k-line plain feed converted and stored < 10 s (sqlite)',
      `median ${feed.medianSeconds} s of ${feed.reps} (${feed.runsSeconds.join(', ')} s; ${fmtInt(feed.linesPerSecond)} lines/s; ${feed.cpuMedianSeconds} CPU-s; re-run of the same list ${feed.rerunMedianSeconds} s)`,
      feed.medianSeconds < 10,
    );
  console.log('\n  targets (issues 3 and 11; informative, the benchmark never fails on speed):');
  console.log(
    table([
      ['target', 'measured', 'verdict'],
      ...targets.map((x) => [x.target, x.measured, x.met === null ? '-' : x.met ? 'met' : 'MISSED']),
    ]),
  );

  // ---- validation figures
  if ('skipped' in validate) console.log(`\n  validation benchmark: skipped: ${String(validate.skipped)}`);
  else {
    console.log('\n  validation benchmark (scripts/bench-validate.ts):');
    for (const [k, v] of Object.entries(validate))
      console.log(`    ${k}: ${typeof v === 'number' ? v.toLocaleString('en') : String(v)}`);
  }
  if (hostile) printHostile(hostile);
  if (tlpRows.length > 0) {
    console.log(
      '\n  TLP filter on paged reads (objects store, 90% TLP:RED / 10% TLP:GREEN, keyset pages with bodies; medians of 3 passes):',
    );
    console.log(
      table([
        ['store', 'reader', 'N', 'limit', 'visible', 'pages', 'p50 page ms', 'obj/s'],
        ...tlpRows.map((r) => [
          r.backend,
          r.reader,
          fmtInt(r.n),
          String(r.limit),
          fmtInt(r.visible),
          fmtInt(r.pages),
          fmtMs(r.p50PageMs),
          fmtInt(r.objPerSecond),
        ]),
      ]),
    );
  }
  if (credentials) {
    console.log('\n  authentication per request (authenticator over sqlite; medians of single calls):');
    console.log(
      table([
        ['credential', 'calls', 'median µs'],
        ...credentials.auth.map((r) => [r.form, fmtInt(r.calls), fmtInt(r.medianUs)]),
      ]),
    );
    const [on, off] = credentials.audit;
    if (on && off) {
      console.log(
        `\n  audit trail on paged reads (sqlite, N=${fmtInt(on.n)}, limit=${on.limit}, ${on.pagesPerPhase} pages per phase, medians of ${on.rounds} rounds of each phase's p50):`,
      );
      console.log(
        table([
          ['audit records', 'p50 page ms', 'p50 of each round', 'records written'],
          ...credentials.audit.map((r) => [
            r.audit,
            fmtMs(r.p50PageMs),
            r.roundsP50Ms.map(fmtMs).join(' '),
            fmtInt(r.recordsWritten),
          ]),
        ]),
      );
      console.log(`  written / discarded = ${fmtX(on.p50PageMs / off.p50PageMs)}`);
    }
  }
  console.log(`\n  total time ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const round = (r: Run) => ({
    ...r,
    ingestPerSecond: Math.round(r.ingestPerSecond),
    readPerSecond: Math.round(r.readPerSecond),
    p50Ms: Number(r.p50Ms.toFixed(3)),
    p99Ms: Number(r.p99Ms.toFixed(3)),
    peakRssMb: Number(r.peakRssMb.toFixed(1)),
    ingestSeconds: Number(r.ingestSeconds.toFixed(2)),
    readSeconds: Number(r.readSeconds.toFixed(2)),
    ingestPerCpuSecond: Math.round(r.ingestPerCpuSecond),
    readPerCpuSecond: Math.round(r.readPerCpuSecond),
  });
  const json = {
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadavgStart: loadStart,
      loadavgEnd: os.loadavg(),
    },
    workload: { envelope: o.envelope, posters: o.posters, readers: o.clients, limit: o.limit },
    runs: runs.map(round),
    medallion: medallion === null ? null : 'skipped' in medallion ? medallion : round(medallion),
    ratios,
    flatness,
    targets,
    validate,
    hostile,
    feed,
    credentials,
    tlp: tlpRows.map((r) => ({
      ...r,
      p50PageMs: Number(r.p50PageMs.toFixed(3)),
      objPerSecond: Math.round(r.objPerSecond),
    })),
  };
  console.log(`BENCH_JSON ${JSON.stringify(json)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
