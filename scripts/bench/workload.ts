/**
 * The benchmark workload, identical for every server: load N indicators in TAXII envelopes from a few
 * concurrent posters, then let several clients each page through the whole collection by `next`.
 *
 * The client side is kept cheap because it shares the machine with the server: responses stay
 * Buffers; `next` is read from the envelope and objects are counted by their id prefix, and only the
 * first page of each client is fully parsed (to check that the count agrees with the JSON).
 */
import http from 'node:http';
import { envelopes } from './generate';

const TAXII = 'application/taxii+json;version=2.1';

export interface Target {
  /** Base URL, e.g. http://127.0.0.1:8000 */
  url: string;
  apiRoot: string;
  collectionId: string;
  authorization: string;
}

interface Reply {
  status: number;
  body: Buffer;
}

export class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  constructor(private readonly target: Target) {}

  get objectsPath(): string {
    return `/${this.target.apiRoot}/collections/${this.target.collectionId}/objects/`;
  }

  request(method: 'GET' | 'POST', path: string, body?: Buffer, timeoutMs = 600_000): Promise<Reply> {
    const url = new URL(path, this.target.url);
    const headers: Record<string, string | number> = {
      Accept: TAXII,
      Authorization: this.target.authorization,
    };
    if (body) {
      headers['Content-Type'] = TAXII;
      headers['Content-Length'] = body.length;
    }
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          method,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function fail(what: string, r: Reply): never {
  throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString('utf8', 0, 600)}`);
}

export interface LoadResult {
  objects: number;
  seconds: number;
  perSecond: number;
  /** True when the time cap stopped the load before N objects. */
  capped: boolean;
}

/**
 * POST `total` generated indicators in envelopes of `envelopeSize` from `posters` concurrent
 * posters. Every object must be reported as a success; otherwise the run stops with the first failure.
 */
export async function load(
  client: Client,
  total: number,
  opts: { envelopeSize: number; posters: number; capSeconds?: number },
): Promise<LoadResult> {
  const gen = envelopes(total, opts.envelopeSize);
  const start = process.hrtime.bigint();
  const capNs = opts.capSeconds === undefined ? null : BigInt(Math.round(opts.capSeconds * 1e9));
  let loaded = 0;
  let capped = false;
  const poster = async () => {
    for (;;) {
      if (capNs !== null && process.hrtime.bigint() - start > capNs) {
        capped = true;
        return;
      }
      const next = gen.next();
      if (next.done) return;
      const r = await client.request('POST', client.objectsPath, next.value.body);
      if (r.status !== 202) fail('POST objects', r);
      const st = JSON.parse(r.body.toString('utf8')) as {
        success_count?: number;
        failure_count?: number;
        failures?: { id: string; message?: string }[];
      };
      if (st.success_count !== next.value.count) {
        throw new Error(
          `POST objects: ${st.success_count ?? '?'} of ${next.value.count} succeeded; first failure: ${JSON.stringify(st.failures?.[0] ?? null)}`,
        );
      }
      loaded += next.value.count;
    }
  };
  await Promise.all(Array.from({ length: opts.posters }, poster));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { objects: loaded, seconds, perSecond: loaded / seconds, capped };
}

const NEXT = Buffer.from('"next"');
const ID_PREFIX = Buffer.from('"indicator--');

/** The `next` token of an envelope without parsing the whole of it, or null. */
function nextToken(body: Buffer): string | null {
  const at = body.indexOf(NEXT);
  if (at < 0) return null;
  let i = at + NEXT.length;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x3a)) i++; // spaces and ':'
  if (body[i] !== 0x22) return null; // a quoted string
  const end = body.indexOf(0x22, i + 1);
  return end < 0 ? null : body.toString('utf8', i + 1, end);
}

function countObjects(body: Buffer): number {
  let n = 0;
  for (let at = body.indexOf(ID_PREFIX); at >= 0; at = body.indexOf(ID_PREFIX, at + ID_PREFIX.length)) n++;
  return n;
}

export interface ReadResult {
  clients: number;
  objects: number;
  pages: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** True when the time cap stopped the clients before the end of the collection. */
  capped: boolean;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] as number;
}

/**
 * `clients` concurrent clients each read the whole collection from the start, following `next`
 * with `limit`. Each client must see exactly `expected` objects (unless capped).
 */
export async function read(
  client: Client,
  expected: number,
  opts: { clients: number; limit: number; capSeconds?: number },
): Promise<ReadResult> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  const capNs = opts.capSeconds === undefined ? null : BigInt(Math.round(opts.capSeconds * 1e9));
  let total = 0;
  let capped = false;
  const reader = async (n: number) => {
    let seen = 0;
    let next: string | null = null;
    let first = true;
    for (;;) {
      if (capNs !== null && process.hrtime.bigint() - start > capNs) {
        capped = true;
        return;
      }
      const qs = new URLSearchParams({ limit: String(opts.limit) });
      if (next !== null) qs.set('next', next);
      const t0 = process.hrtime.bigint();
      const r = await client.request('GET', `${client.objectsPath}?${qs.toString()}`);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.status !== 200) fail(`GET objects (client ${n}, after ${seen})`, r);
      const count = countObjects(r.body);
      if (first) {
        const env = JSON.parse(r.body.toString('utf8')) as { objects?: unknown[] };
        if ((env.objects?.length ?? 0) !== count) {
          throw new Error(
            `client ${n}: counted ${count} objects but the envelope holds ${env.objects?.length}`,
          );
        }
        first = false;
      }
      seen += count;
      total += count;
      next = nextToken(r.body);
      if (next === null) break;
    }
    if (seen !== expected) throw new Error(`client ${n} read ${seen} objects, expected ${expected}`);
  };
  await Promise.all(Array.from({ length: opts.clients }, (_, n) => reader(n)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    clients: opts.clients,
    objects: total,
    pages: latencies.length,
    seconds,
    perSecond: total / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    capped,
  };
}
