/**
 * The servers under test, each a child process on loopback: Tessera (`node dist/server/main.js`,
 * fixtures created beforehand through the store contract) and medallion (the OASIS reference TAXII
 * server, memory backend, served by gunicorn).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hashSecret } from '../../server/access/secrets';
import { openStore } from '../../server/store';
import { Client, type Target } from './workload';

export const USER = 'bench';
export const PASSWORD = 'bench-password-not-secret';
const API_ROOT = 'api1';

/** The repository root (the nearest directory up from here with a package.json). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root');
    dir = up;
  }
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function basic(user: string, pw: string): string {
  return `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
}

/** Peak and current resident set of one process in KiB, from /proc/<pid>/status. */
function memoryOf(pid: number): { hwmKb: number; rssKb: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(s);
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(s);
    return { hwmKb: Number(hwm?.[1] ?? 0), rssKb: Number(rss?.[1] ?? 0) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 if it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 (utime, stime) in clock ticks; USER_HZ is 100 on Linux
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

export interface RunningServer {
  name: string;
  target: Target;
  client: Client;
  /** Peak RSS in MiB of the server's processes (VmHWM, summed over a gunicorn master and workers). */
  peakRssMb(): number;
  /** CPU seconds used so far by the server's processes. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function tail(buf: string[], s: string): void {
  buf.push(s);
  while (buf.join('').length > 8000) buf.shift();
}

async function waitReady(child: ChildProcess, probe: () => Promise<boolean>, log: string[], what: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${log.join('')}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready in 60 s:\n${log.join('')}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface TesseraOptions {
  storeUrl: string;
  /** Directory for `node --cpu-prof` output, or null. */
  cpuProfDir: string | null;
  /** Extra settings for the hub process. */
  env?: Record<string, string>;
}

/** Create the member, group and collection through the store contract, then start the hub. */
export async function startTessera(opts: TesseraOptions): Promise<RunningServer> {
  const stores = await openStore(opts.storeUrl);
  const { registry, principals } = stores;
  const collectionId = randomUUID();
  try {
    if (!(await registry.getApiRoot(API_ROOT)))
      await registry.createApiRoot({ name: API_ROOT, title: 'Bench API root' });
    await principals.createGroup('bench');
    await principals.createMember({ name: USER, secretHash: await hashSecret(PASSWORD) });
    await principals.joinGroup({ group: 'bench', member: USER });
    await registry.createCollection({
      id: collectionId,
      apiRoot: API_ROOT,
      title: 'Bench indicators',
      mediaTypes: ['application/stix+json;version=2.1'],
      grants: [{ group: 'bench', read: true, write: true }],
    });
  } finally {
    await stores.close();
  }
  const port = await freePort();
  const main = path.join(repoRoot(), 'dist', 'server', 'main.js');
  const args = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`, main] : [main];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      TESSERA_STORE: opts.storeUrl,
      TESSERA_PORT: String(port),
      TESSERA_HOST: '127.0.0.1',
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_DEFAULT_API_ROOT: API_ROOT,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => tail(log, d.toString()));
  child.stderr?.on('data', (d: Buffer) => tail(log, d.toString()));
  const target: Target = {
    url: `http://127.0.0.1:${port}`,
    apiRoot: API_ROOT,
    collectionId,
    authorization: basic(USER, PASSWORD),
  };
  const client = new Client(target);
  try {
    await waitReady(
      child,
      async () => (await client.request('GET', '/readyz', undefined, 2000)).status === 200,
      log,
      'the hub',
    );
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  const pid = child.pid as number;
  // With TESSERA_PROCESSES > 1 the hub is a cluster primary and its workers: count them all.
  const pids = () => [pid, ...childrenOf(pid)];
  let peakKb = 0;
  const peakRssMb = () => {
    peakKb = Math.max(
      peakKb,
      pids().reduce((a, p) => a + (memoryOf(p)?.hwmKb ?? 0), 0),
    );
    return peakKb / 1024;
  };
  return {
    name: 'tessera',
    target,
    client,
    peakRssMb,
    cpuSeconds: () => pids().reduce((a, p) => a + cpuSecondsOf(p), 0),
    async stop() {
      peakRssMb();
      client.close();
      await stopChild(child);
    },
  };
}

/** The Python of the project's venv (TESSERA_PYTHON, else .venv/bin/python), or null with a reason. */
export function findPython(): { python: string } | { missing: string } {
  const py = process.env.TESSERA_PYTHON || path.join(repoRoot(), '.venv', 'bin', 'python');
  if (!existsSync(py)) return { missing: `${py} not found (run scripts/setup-python.sh)` };
  return { python: py };
}

/** Start medallion (memory backend, one collection, one Basic-auth user) under gunicorn, one worker. */
export async function startMedallion(python: string): Promise<RunningServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-medallion-'));
  const port = await freePort();
  const collectionId = randomUUID();
  const base = `http://127.0.0.1:${port}`;
  const data = {
    '/discovery': {
      title: 'medallion (benchmark)',
      description: 'reference TAXII server under the Tessera benchmark',
      contact: '',
      default: `${base}/${API_ROOT}/`,
      api_roots: [`${base}/${API_ROOT}/`],
    },
    [API_ROOT]: {
      information: {
        title: 'Bench API root',
        description: '',
        versions: ['application/taxii+json;version=2.1'],
        max_content_length: 100 * 1024 * 1024,
      },
      status: [],
      collections: [
        {
          id: collectionId,
          title: 'Bench indicators',
          description: '',
          can_read: true,
          can_write: true,
          media_types: ['application/stix+json;version=2.1'],
          objects: [],
          manifest: [],
        },
      ],
    },
  };
  const dataFile = path.join(dir, 'data.json');
  const configFile = path.join(dir, 'config.json');
  writeFileSync(dataFile, JSON.stringify(data));
  writeFileSync(
    configFile,
    JSON.stringify({
      backend: {
        module: 'medallion.backends.memory_backend',
        module_class: 'MemoryBackend',
        filename: dataFile,
        session_timeout: 3600,
      },
      users: { [USER]: PASSWORD },
      taxii: { max_page_size: 1000 },
    }),
  );
  // One sync worker: the memory backend lives in the worker process, so more workers would each
  // hold a different collection.
  const child = spawn(
    python,
    [
      '-m',
      'gunicorn',
      '--workers',
      '1',
      '--bind',
      `127.0.0.1:${port}`,
      '--timeout',
      '1800',
      '--log-level',
      'warning',
      `medallion:load_app(${JSON.stringify(configFile)})`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => tail(log, d.toString()));
  child.stderr?.on('data', (d: Buffer) => tail(log, d.toString()));
  const target: Target = { url: base, apiRoot: API_ROOT, collectionId, authorization: basic(USER, PASSWORD) };
  const client = new Client(target);
  try {
    await waitReady(
      child,
      async () => (await client.request('GET', `/${API_ROOT}/`, undefined, 2000)).status === 200,
      log,
      'medallion',
    );
  } catch (e) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const master = child.pid as number;
  const peaks = new Map<number, number>();
  const peakRssMb = () => {
    for (const pid of [master, ...childrenOf(master)]) {
      const m = memoryOf(pid);
      if (m) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, m.hwmKb));
    }
    return [...peaks.values()].reduce((a, b) => a + b, 0) / 1024;
  };
  return {
    name: 'medallion',
    target,
    client,
    peakRssMb,
    cpuSeconds: () => [master, ...childrenOf(master)].reduce((a, p) => a + cpuSecondsOf(p), 0),
    async stop() {
      peakRssMb();
      client.close();
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
