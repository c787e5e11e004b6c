/**
 * Real hub processes for crash, shutdown and multi-instance tests.
 *
 * `startHubProcess({ storeUrl })` runs `node --require tsx/cjs server/main.ts` (no build needed) as a
 * child with TESSERA_STORE=<storeUrl>, TESSERA_HOST=127.0.0.1, TESSERA_LOG_LEVEL=warn and a port
 * chosen beforehand (the hub does not report an ephemeral port), and resolves once GET /readyz
 * answers. The child's stdout and stderr are kept so a failing test can print them.
 *
 * Fixtures are created through the store contract before the process starts (`seedStore`), as the
 * admin CLI does. Store URLs come from test/helpers/store.ts (backend chosen by TESSERA_STORE); an
 * in-memory SQLite URL cannot be shared by processes, so a temporary file is used instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { hashSecret } from '../../server/access/secrets';
import { openStore } from '../../server/store';
import type {
  CreateCollectionArgs,
  GrantInput,
  ObjectStore,
  StoredVersion,
  VersionSelector,
} from '../../server/store/contract';
import { versionKey } from '../../server/time';
import { basic, TAXII } from './hub';
import { freshTestStoreUrl, sharesUrl, type TestStoreUrl } from './store';

export { basic, TAXII };

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A feeds file (TESSERA_FEEDS_FILE) holding these definitions, in a fresh temporary directory. */
export async function feedsFile(definitions: unknown[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-feeds-'));
  const file = path.join(dir, 'feeds.json');
  await writeFile(file, JSON.stringify(definitions));
  return file;
}
export const API_ROOT = 'api1';

const TSX = 'tsx';
const MAIN_TS = path.join(REPO_ROOT, 'server', 'main.ts');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// ------------------------------------------------------------------------------------- store URLs

/** A fresh store URL of the configured backend that several processes can share. */
export function processStoreUrl(): TestStoreUrl {
  const fresh = freshTestStoreUrl();
  if (sharesUrl(fresh.url)) return fresh;
  const file = path.join(os.tmpdir(), `tessera-proc-${process.pid}-${randomUUID()}.sqlite`);
  return {
    url: `sqlite:${file}`,
    dispose: async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(file + suffix, { force: true });
    },
  };
}

export interface SeedMember {
  name: string;
  password: string;
  groups: string[];
}

export interface SeedCollection {
  id?: string;
  alias?: string;
  grants: GrantInput[];
}

/**
 * Create the default API root, trust groups, members and collections through the store contract.
 * Returns the collection ids in the order given.
 */
export async function seedStore(
  url: string,
  fixtures: { members: SeedMember[]; collections: SeedCollection[] },
): Promise<string[]> {
  const stores = await openStore(url);
  const { registry, principals } = stores;
  try {
    if (!(await registry.getApiRoot(API_ROOT)))
      await registry.createApiRoot({ name: API_ROOT, title: 'API root' });
    const groups = new Set<string>();
    for (const m of fixtures.members) for (const g of m.groups) groups.add(g);
    for (const c of fixtures.collections) for (const g of c.grants) groups.add(g.group);
    for (const g of groups) await principals.createGroup(g);
    for (const m of fixtures.members) {
      await principals.createMember({ name: m.name, secretHash: await hashSecret(m.password) });
      for (const g of m.groups) await principals.joinGroup({ group: g, member: m.name });
    }
    const ids: string[] = [];
    for (const c of fixtures.collections) {
      const args: CreateCollectionArgs = {
        id: c.id ?? randomUUID(),
        apiRoot: API_ROOT,
        title: 'Process test collection',
        mediaTypes: ['application/stix+json;version=2.1'],
        grants: c.grants,
      };
      if (c.alias !== undefined) args.alias = c.alias;
      ids.push((await registry.createCollection(args)).id);
    }
    return ids;
  } finally {
    await stores.close();
  }
}

// ------------------------------------------------------------------------------------- processes

/** A free loopback TCP port (listen on 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The environment of a hub child: ours without any TESSERA_* key, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) out[k] = v;
  return { ...out, ...env };
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

interface Spawned {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

function spawnMain(env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, ['--import', TSX, MAIN_TS], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const chunks: string[] = [];
  const errChunks: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => chunks.push(`[stdout] ${d}`));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    chunks.push(`[stderr] ${d}`);
    errChunks.push(d);
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, output: () => chunks.join(''), stderr: () => errChunks.join(''), exited };
}

export interface HubProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  storeUrl: string;
  pid: number;
  /** Everything the child wrote so far (stdout and stderr, tagged). */
  output(): string;
  /** Resolves when the child exits. */
  exited: Promise<Exit>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<Exit>;
  /** SIGTERM and wait for the exit (at most `timeoutMs`, then SIGKILL and throw). */
  terminate(timeoutMs?: number): Promise<Exit>;
}

export interface HubProcessOptions {
  storeUrl: string;
  env?: Record<string, string>;
  /** How long to wait for /readyz (default 30 s). */
  readyTimeoutMs?: number;
  /** The port to listen on, when the test must know it before the start (default: a free one). */
  port?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(url: string, s: Spawned, timeoutMs: number): Promise<Exit | null> {
  const deadline = Date.now() + timeoutMs;
  let exit: Exit | null = null;
  void s.exited.then((e) => (exit = e));
  while (Date.now() < deadline) {
    if (exit) return exit;
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return null;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  s.child.kill('SIGKILL');
  throw new Error(`hub did not answer /readyz within ${timeoutMs} ms; output:\n${s.output()}`);
}

/** Start a hub process on `storeUrl` and wait until /readyz answers. */
export async function startHubProcess(opts: HubProcessOptions): Promise<HubProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const s = spawnMain({
      TESSERA_STORE: opts.storeUrl,
      TESSERA_PORT: String(port),
      TESSERA_HOST: '127.0.0.1',
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_FEEDS: 'false',
      ...opts.env,
    });
    const url = `http://127.0.0.1:${port}`;
    const early = await waitHealthy(url, s, opts.readyTimeoutMs ?? 30_000);
    if (early) {
      // The port we picked may have been taken in between: try another one.
      if (attempt < 3 && opts.port === undefined && /EADDRINUSE/.test(s.output())) continue;
      throw new Error(
        `hub exited before answering /readyz (code ${early.code}, signal ${early.signal}); output:\n${s.output()}`,
      );
    }
    const { child } = s;
    return {
      url,
      port,
      storeUrl: opts.storeUrl,
      pid: child.pid as number,
      output: s.output,
      exited: s.exited,
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        return s.exited;
      },
      async terminate(timeoutMs = 15_000) {
        child.kill('SIGTERM');
        const timer = sleep(timeoutMs).then(() => null);
        const exit = await Promise.race([s.exited, timer]);
        if (exit === null) {
          child.kill('SIGKILL');
          await s.exited;
          throw new Error(`hub did not exit within ${timeoutMs} ms of SIGTERM; output:\n${s.output()}`);
        }
        return exit;
      },
    };
  }
}

/** Run the hub with exactly these TESSERA_* settings until it exits (killed after `timeoutMs`). */
export async function runHubToExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<Exit & { output: string; stderr: string; timedOut: boolean }> {
  const s = spawnMain(env);
  const timer = sleep(timeoutMs).then(() => null);
  let exit = await Promise.race([s.exited, timer]);
  let timedOut = false;
  if (exit === null) {
    timedOut = true;
    s.child.kill('SIGKILL');
    exit = await s.exited;
  }
  return { ...exit, output: s.output(), stderr: s.stderr(), timedOut };
}

/** Stop every hub still running (SIGKILL); for after hooks. */
export async function killAllHubs(hubs: (HubProcess | undefined)[]): Promise<void> {
  await Promise.all(hubs.map((h) => h?.kill()));
}

/** For afterEach: print the hubs' output when the current test failed. */
export function reportOnFailure(ctx: Mocha.Context, hubs: (HubProcess | undefined)[]): void {
  if (ctx.currentTest?.state !== 'failed') return;
  for (const h of hubs) {
    if (!h) continue;
    const out = h.output().trim();
    console.error(`--- hub ${h.url} (pid ${h.pid}) output ---\n${out || '(none)'}\n--- end ---`);
  }
}

/** What `useSeededStore` gives a suite: its store (once `before` ran), collection and hubs. */
export interface SeededStore {
  /** The fresh store's URL. */
  readonly url: string;
  /** The one collection, readable and writable by the member's group. */
  readonly collectionId: string;
  /** Basic credentials of the member. */
  readonly auth: string;
  /** Hub processes the suite starts: their output is printed when a test fails; killed after. */
  readonly hubs: HubProcess[];
}

/**
 * Mocha hooks for a suite of hub-process tests: before all, a fresh shared store seeded with one
 * member in `group` and one collection that group reads and writes; after each failed test, the
 * hubs' output; after all, the hubs killed and the store removed.
 */
export function useSeededStore(member: { name: string; password: string; group: string }): SeededStore {
  let fresh: TestStoreUrl | undefined;
  let collectionId: string | undefined;
  const hubs: HubProcess[] = [];
  before(async () => {
    fresh = processStoreUrl();
    [collectionId] = await seedStore(fresh.url, {
      members: [{ name: member.name, password: member.password, groups: [member.group] }],
      collections: [{ grants: [{ group: member.group, read: true, write: true }] }],
    });
  });
  afterEach(function () {
    reportOnFailure(this, hubs);
  });
  after(async () => {
    await killAllHubs(hubs);
    await fresh?.dispose();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSeededStore: read in a test or hook, after before()');
    return value;
  };
  return {
    get url() {
      return ready(fresh).url;
    },
    get collectionId() {
      return ready(collectionId);
    },
    auth: basic(member.name, member.password),
    hubs,
  };
}

// ------------------------------------------------------------------------------------- HTTP

export interface StatusDetailJson {
  id: string;
  version: string;
  message?: string;
}

export interface StatusJson {
  id: string;
  status: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: StatusDetailJson[];
  failures?: StatusDetailJson[];
}

export function objectsUrl(hub: { url: string }, collectionId: string): string {
  return `${hub.url}/${API_ROOT}/collections/${collectionId}/objects/`;
}

/** POST an envelope; resolves with the 202 status resource, rejects on any other outcome. */
export async function postEnvelope(
  hub: { url: string },
  collectionId: string,
  auth: string,
  objects: unknown[],
): Promise<StatusJson> {
  const res = await fetch(objectsUrl(hub, collectionId), {
    method: 'POST',
    headers: { Authorization: auth, Accept: TAXII, 'Content-Type': TAXII },
    body: JSON.stringify({ objects }),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as StatusJson;
}

/** GET a TAXII resource; returns status, headers and the parsed body (null when empty). */
export async function getTaxii(
  url: string,
  auth: string,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | null }> {
  const res = await fetch(url, { headers: { Authorization: auth, Accept: TAXII } });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

// ------------------------------------------------------------------------------------- store checks

/** Every version matching `versions` in ascending dateAdded, read page by page through the contract. */
export async function readAllVersions(
  objects: ObjectStore,
  collectionId: string,
  versions: VersionSelector,
  withBody = false,
): Promise<StoredVersion[]> {
  const out: StoredVersion[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await objects.queryObjects({
      visibleTo: 'all',
      collectionId,
      filter: { versions },
      limit: 2000,
      withBody,
      ...(after === undefined ? {} : { after }),
    });
    out.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!page.more || !last) return out;
    after = last.dateAdded;
  }
}

export const LAST: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };
export const FIRST: VersionSelector = { kind: 'some', first: true, last: false, exact: [] };

/**
 * Check the store's invariants for one collection and return every stored version. Problems are
 * collected and thrown together:
 * - dateAdded strictly increasing over the whole collection (hence unique);
 * - each (id, version) stored once;
 * - every version has its body, which parses to an object with that id (and that version when it
 *   carries modified/created);
 * - the default (last) listing and the `first` listing hold each stored id exactly once, with the
 *   highest and lowest version respectively;
 * - countObjects agrees with the number of versions.
 */
export async function assertStoreConsistent(
  objects: ObjectStore,
  collectionId: string,
): Promise<StoredVersion[]> {
  const problems: string[] = [];
  const note = (p: string) => {
    if (problems.length < 20) problems.push(p);
  };
  const all = await readAllVersions(objects, collectionId, { kind: 'all' }, true);
  const versionsById = new Map<string, string[]>();
  const pairs = new Set<string>();
  let prev = -Infinity;
  for (const v of all) {
    if (!(v.dateAdded > prev)) note(`dateAdded not increasing: ${prev} then ${v.dateAdded} (${v.id})`);
    prev = v.dateAdded;
    const pair = `${v.id}|${v.version}`;
    if (pairs.has(pair)) note(`version stored twice: ${pair}`);
    pairs.add(pair);
    const list = versionsById.get(v.id) ?? [];
    list.push(v.version);
    versionsById.set(v.id, list);
    if (typeof v.body !== 'string') {
      note(`version without body: ${pair}`);
      continue;
    }
    let parsed: { id?: unknown; modified?: unknown; created?: unknown };
    try {
      parsed = JSON.parse(v.body) as typeof parsed;
    } catch {
      note(`unparseable body: ${pair}`);
      continue;
    }
    if (parsed.id !== v.id) note(`body of ${pair} has id ${String(parsed.id)}`);
    const bodyVersion = parsed.modified ?? parsed.created;
    if (bodyVersion !== undefined && bodyVersion !== v.version)
      note(`body of ${pair} has version ${String(bodyVersion)}`);
  }
  const key = (version: string) => versionKey(version) ?? version;
  for (const [selector, name, pick] of [
    [LAST, 'last', (a: string, b: string) => (key(a) > key(b) ? a : b)],
    [FIRST, 'first', (a: string, b: string) => (key(a) < key(b) ? a : b)],
  ] as const) {
    const listed = await readAllVersions(objects, collectionId, selector);
    const seen = new Set<string>();
    for (const v of listed) {
      if (seen.has(v.id)) note(`${name}: id listed twice: ${v.id}`);
      seen.add(v.id);
      const versions = versionsById.get(v.id);
      if (!versions) {
        note(`${name}: id listed but not stored: ${v.id}`);
        continue;
      }
      const expected = versions.reduce(pick);
      if (v.version !== expected) note(`${name}: ${v.id} listed at ${v.version}, expected ${expected}`);
    }
    for (const id of versionsById.keys()) if (!seen.has(id)) note(`${name}: stored id missing: ${id}`);
  }
  const count = await objects.countObjects(collectionId);
  if (count !== all.length) note(`countObjects says ${count}, ${all.length} versions stored`);
  if (problems.length > 0) throw new Error(`store inconsistent:\n  ${problems.join('\n  ')}`);
  return all;
}
