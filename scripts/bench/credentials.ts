/**
 * `npm run bench -- --auth-only` (or `--auth` beside the rest): what authentication costs per
 * request for each credential form, and what the audit trail costs on paged reads (issue 9).
 *
 * Authentication is measured on the authenticator itself (server/access/authenticate.ts) over a
 * real SQLite store, so the figure is its own (the member, key or certificate is read from the
 * store on every request — that read is part of it):
 *
 *   Basic secret, cached    the (name, secret) was verified before: one member read, no scrypt
 *   Basic secret, uncached  a fresh authenticator each time: one member read and one scrypt
 *   key as Basic password   the key record and the member read, a SHA-256 compared in constant time
 *   Bearer / Token          the same, from their own header
 *
 * Medians of single calls, one after the other (the uncached secret over fewer calls: scrypt).
 *
 * The audit trail: two hubs (createApp, in this process, on loopback) over one SQLite store with N
 * indicators (./generate.ts); one writes its audit records to the store (as in production), the other's trail
 * discards them. One client pages through the collection (limit 100), alternating between the hubs
 * phase by phase; the figure is the median over rounds of each phase's page p50.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { generateApiKey } from '../../server/access/apikeys';
import { MemberAuthenticator, type AuthRequest } from '../../server/access/authenticate';
import { hashSecret } from '../../server/access/secrets';
import { createApp } from '../../server/app';
import { AuditTrail } from '../../server/audit/trail';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import { envelopes } from './generate';
import { percentile } from './workload';

const TAXII = 'application/taxii+json;version=2.1';
const MEMBER = 'bench';
const SECRET = 'bench-secret-not-secret';

export interface AuthRow {
  form: string;
  calls: number;
  medianUs: number;
}

export interface AuditRow {
  audit: 'written' | 'discarded';
  n: number;
  limit: number;
  rounds: number;
  pagesPerPhase: number;
  /** Median over rounds of each phase's page p50. */
  p50PageMs: number;
  /** Each round's page p50, in order (the spread behind the median). */
  roundsP50Ms: number[];
  recordsWritten: number;
}

export interface CredentialBench {
  auth: AuthRow[];
  audit: AuditRow[];
}

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

async function timeCalls(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

async function benchAuth(stores: Stores, calls: number): Promise<AuthRow[]> {
  const { key, id, hash } = generateApiKey();
  await stores.principals.createApiKey({ id, member: MEMBER, name: 'bench', hash, expiresAt: null });
  const { authThrottle } = loadConfig({ TESSERA_STORE: 'sqlite::memory:' });
  const make = () => new MemberAuthenticator(stores.principals, { throttle: authThrottle });
  const req = (authorization: string): AuthRequest => ({
    headers: { authorization },
    address: '127.0.0.1',
  });
  const auth = make();
  const rows: AuthRow[] = [];
  const run = async (form: string, authorization: string, n: number, fresh = false) => {
    await auth.authenticate(req(authorization)); // warm: verified once, statements prepared
    const xs = await timeCalls(n, () => (fresh ? make() : auth).authenticate(req(authorization)));
    rows.push({ form, calls: n, medianUs: median(xs) });
  };
  await run('Basic secret, cached', basic(MEMBER, SECRET), calls);
  await run(
    'Basic secret, uncached (scrypt)',
    basic(MEMBER, SECRET),
    Math.max(5, Math.round(calls / 100)),
    true,
  );
  await run('API key as Basic password', basic(MEMBER, key), calls);
  await run('API key as Bearer', `Bearer ${key}`, calls);
  await run('API key as Token', `Token ${key}`, calls);
  return rows;
}

interface Hub {
  url: string;
  trail: AuditTrail;
  close(): Promise<void>;
}

async function startHub(stores: Stores, storeUrl: string, writeAudit: boolean): Promise<Hub> {
  const config = loadConfig({ TESSERA_STORE: storeUrl, TESSERA_LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const trail = new AuditTrail(writeAudit ? stores.audit : { appendAudit: async () => {} }, logger);
  const app = await createApp({ config, stores, logger, audit: trail });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    trail,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await trail.close();
    },
  };
}

function get(agent: http.Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.get(
      url,
      { agent, headers: { Accept: TAXII, Authorization: basic(MEMBER, SECRET) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
  });
}

async function benchAudit(
  stores: Stores,
  storeUrl: string,
  collectionId: string,
  n: number,
  rounds: number,
  pagesPerPhase: number,
): Promise<AuditRow[]> {
  const limit = 100;
  const hubs = {
    written: await startHub(stores, storeUrl, true),
    discarded: await startHub(stores, storeUrl, false),
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const p50s: Record<'written' | 'discarded', number[]> = { written: [], discarded: [] };
  const before = (await stores.audit.queryAudit({ since: 0, limit: 1_000_000 })).length;
  try {
    const phase = async (which: 'written' | 'discarded') => {
      const base = `${hubs[which].url}/api1/collections/${collectionId}/objects/?limit=${limit}`;
      const xs: number[] = [];
      let next: string | undefined;
      while (xs.length < pagesPerPhase) {
        const t = process.hrtime.bigint();
        const r = await get(agent, next ? `${base}&next=${encodeURIComponent(next)}` : base);
        xs.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (r.status !== 200) throw new Error(`bench: a page answered ${r.status}: ${r.body.slice(0, 200)}`);
        const page = JSON.parse(r.body) as { more?: boolean; next?: string };
        next = page.more ? page.next : undefined;
      }
      p50s[which].push(median(xs));
    };
    await phase('written'); // warm-up of both, not counted
    await phase('discarded');
    p50s.written = [];
    p50s.discarded = [];
    for (let r = 0; r < rounds; r++) {
      for (const which of r % 2 ? (['discarded', 'written'] as const) : (['written', 'discarded'] as const))
        await phase(which);
    }
  } finally {
    agent.destroy();
    await hubs.written.close();
    await hubs.discarded.close();
  }
  const written = (await stores.audit.queryAudit({ since: 0, limit: 1_000_000 })).length - before;
  return (['written', 'discarded'] as const).map((which) => ({
    audit: which,
    n,
    limit,
    rounds,
    pagesPerPhase,
    p50PageMs: median(p50s[which]),
    roundsP50Ms: p50s[which].map((x) => Number(x.toFixed(3))),
    recordsWritten: which === 'written' ? written : 0,
  }));
}

/** Both measurements on a fresh SQLite store of `n` indicators. */
export async function benchCredentials(
  n: number,
  opts: { calls?: number; rounds?: number; pagesPerPhase?: number } = {},
  progress: (s: string) => void = () => {},
): Promise<CredentialBench> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-auth-'));
  const url = `sqlite:${path.join(dir, 'hub.sqlite')}`;
  const stores = await openStore(url);
  try {
    await stores.registry.createApiRoot({ name: 'api1', title: 'Bench API root' });
    await stores.principals.createGroup('bench');
    await stores.principals.createMember({ name: MEMBER, secretHash: await hashSecret(SECRET) });
    await stores.principals.joinGroup({ group: 'bench', member: MEMBER });
    const collectionId = randomUUID();
    await stores.registry.createCollection({
      id: collectionId,
      apiRoot: 'api1',
      title: 'Bench',
      mediaTypes: ['application/stix+json;version=2.1'],
      grants: [{ group: 'bench', read: true, write: true }],
    });
    progress(`auth bench: authenticator over sqlite, ${opts.calls ?? 2000} calls per form`);
    const auth = await benchAuth(stores, opts.calls ?? 2000);
    progress(`audit bench: loading ${n} indicators`);
    const hub = await startHub(stores, url, false);
    try {
      for (const { body } of envelopes(n, 500)) {
        const r = await fetch(`${hub.url}/api1/collections/${collectionId}/objects/`, {
          method: 'POST',
          headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: basic(MEMBER, SECRET) },
          body,
        });
        if (r.status !== 202) throw new Error(`bench: POST answered ${r.status}`);
        await r.arrayBuffer();
      }
    } finally {
      await hub.close();
    }
    progress('audit bench: paging with the audit trail written vs discarded');
    const audit = await benchAudit(stores, url, collectionId, n, opts.rounds ?? 5, opts.pagesPerPhase ?? 200);
    return { auth, audit };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
