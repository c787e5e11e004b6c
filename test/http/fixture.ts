/**
 * Shared fixture of the TAXII 2.1 conformance suite over real HTTP (not a test file itself).
 *
 * A raw node:http client (so that every header, including Accept, User-Agent, Content-Length and
 * Transfer-Encoding, is exactly what the test says), and the world of checklist section 11:
 * collections RW, RO, WO, NN and a missing UUID X on /api1/; indicator I with three versions
 * (each POSTed on its own, so each has its own date_added), marking-definition M (created only),
 * SCO S (ipv4-addr, no created/modified) and a malware W, all in RW.
 */
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import { startHub, TAXII, type HubOptions, type TestHub } from '../helpers/hub';
import { makeIndicator, makeIpv4Addr, makeMalware, withModified, type StixObject } from '../helpers/stix';

export { TAXII };
export const STIX21 = 'application/stix+json;version=2.1';
/** A TAXII timestamp: exactly six fractional digits, UTC. */
export const TS6 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
export const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ------------------------------------------------------------------------------ wire types

export interface Envelope {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}
export interface ManifestRecord {
  id: string;
  date_added: string;
  version: string;
  media_type?: string;
}
export interface Manifest {
  more?: boolean;
  next?: string;
  objects?: ManifestRecord[];
}
export interface Versions {
  more?: boolean;
  next?: string;
  versions?: string[];
}
export interface CollectionResource {
  id: string;
  title: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
  media_types?: string[];
}
export interface StatusDetailWire {
  id: string;
  version: string;
  message?: string;
}
export interface StatusResource {
  id: string;
  status: string;
  request_timestamp?: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: StatusDetailWire[];
  failures?: StatusDetailWire[];
  pendings?: StatusDetailWire[];
}
export interface ErrorResource {
  title: string;
  http_status?: string;
  description?: string;
}

// ------------------------------------------------------------------------------ raw client

export interface Reply<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body (undefined when the body is empty or not JSON). */
  body: T;
}

export interface CallOptions {
  /** Headers to send; a value of undefined removes a default header. */
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Send the body as these chunks with Transfer-Encoding: chunked (no Content-Length). */
  chunks?: Buffer[];
}

export function rawCall<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply<T>> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = v;
  if (opts.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = undefined;
          if (text !== '') {
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: body as T });
        });
        res.on('error', reject);
      },
    );
    // The server may answer (413) and stop reading before the whole body is written.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') return;
      reject(e);
    });
    if (opts.chunks) {
      const list = [...opts.chunks];
      const pump = () => {
        const c = list.shift();
        if (c === undefined) {
          req.end();
          return;
        }
        if (req.destroyed) return;
        req.write(c, () => setImmediate(pump));
      };
      pump();
    } else {
      if (opts.body !== undefined) req.write(opts.body);
      req.end();
    }
  });
}

export interface User {
  name: string;
  password: string;
}

/** A TAXII client for one member: Accept TAXII 2.1 and Basic credentials unless overridden. */
export class Client {
  constructor(
    readonly hub: TestHub,
    readonly user: User | null,
  ) {}

  private headers(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    const h: Record<string, string | undefined> = { Accept: TAXII };
    if (this.user) h.Authorization = this.hub.basic(this.user.name, this.user.password);
    return { ...h, ...extra };
  }

  get<T = unknown>(path: string, headers?: Record<string, string | undefined>): Promise<Reply<T>> {
    return rawCall<T>(this.hub.url, 'GET', path, { headers: this.headers(headers) });
  }

  delete<T = unknown>(path: string, headers?: Record<string, string | undefined>): Promise<Reply<T>> {
    return rawCall<T>(this.hub.url, 'DELETE', path, { headers: this.headers(headers) });
  }

  /** POST a JSON value (or a raw string) with Content-Type TAXII 2.1 unless overridden. */
  post<T = StatusResource>(
    path: string,
    body: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<Reply<T>> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return rawCall<T>(this.hub.url, 'POST', path, {
      headers: this.headers({ 'Content-Type': TAXII, ...headers }),
      body: text,
    });
  }

  postChunked<T = StatusResource>(path: string, chunks: Buffer[]): Promise<Reply<T>> {
    return rawCall<T>(this.hub.url, 'POST', path, {
      headers: this.headers({ 'Content-Type': TAXII }),
      chunks,
    });
  }
}

// ------------------------------------------------------------------------------ assertions

/** 2xx: Content-Type exactly the TAXII media type. */
export function assertOk<T>(res: Reply<T>, status = 200): T {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.equal(res.headers['content-type'], TAXII, 'Content-Type of a 2xx');
  return res.body;
}

/** An error: this status, Content-Type exactly TAXII, body with title and http_status as a string. */
export function assertTaxiiError(res: Reply, status: number): ErrorResource {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.equal(res.headers['content-type'], TAXII, 'Content-Type of an error');
  const body = res.body as ErrorResource | undefined;
  assert.ok(body && typeof body === 'object', `error body is not JSON: ${res.text.slice(0, 200)}`);
  assert.equal(typeof body.title, 'string', 'error title');
  assert.ok(body.title.length > 0, 'error title is empty');
  assert.equal(body.http_status, String(status), 'http_status is a string equal to the status');
  return body;
}

export function dateHeaders(res: Reply): { first: string | undefined; last: string | undefined } {
  const first = res.headers['x-taxii-date-added-first'];
  const last = res.headers['x-taxii-date-added-last'];
  return {
    first: typeof first === 'string' ? first : undefined,
    last: typeof last === 'string' ? last : undefined,
  };
}

export function assertNoDateHeaders(res: Reply): void {
  const h = dateHeaders(res);
  assert.equal(h.first, undefined, 'X-TAXII-Date-Added-First on an empty result');
  assert.equal(h.last, undefined, 'X-TAXII-Date-Added-Last on an empty result');
}

/** The element at `i`, failing the test when absent. */
export function nth<T>(items: readonly T[] | undefined, i: number): T {
  assert.ok(items, 'list is absent');
  const v = items[i];
  assert.ok(v !== undefined, `no element at index ${i} (length ${items.length})`);
  return v;
}

/** Query string from pairs; values are percent-encoded, keys (match[...]) are kept as is. */
export function qs(pairs: [string, string][]): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
}

/** Microseconds since the epoch of a TAXII timestamp (TS6). */
export function micros(ts: string): number {
  assert.match(ts, TS6);
  return Date.parse(`${ts.slice(0, 23)}Z`) * 1000 + Number(ts.slice(23, 26));
}

/** TS6 string of microseconds since the epoch. */
export function ts6(us: number): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ------------------------------------------------------------------------------ the world

export const ROOT = '/api1';

export const ALICE: User = { name: 'alice', password: 'alice-secret-1' };
/** Same trust group as alice. */
export const BOB: User = { name: 'bob', password: 'bob-secret-1' };
/** In no trust group: no grant anywhere. */
export const CAROL: User = { name: 'carol', password: 'carol-secret-1' };
/** In two groups: one granting read, the other write, on collection U. */
export const DAVE: User = { name: 'dave', password: 'dave-secret-1' };
/** Only in the read group of U. */
export const ERIN: User = { name: 'erin', password: 'erin-secret-1' };
/** Writes into RO (for alice read-only), so RO has content. */
export const FEEDER: User = { name: 'feeder', password: 'feeder-secret-1' };

export function statement(created = '2025-01-02T00:00:00.000Z'): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: `marking-definition--${randomUUID()}`,
    created,
    definition_type: 'statement',
    definition: { statement: 'Copyright 2026 Example' },
  };
}

export interface World {
  hub: TestHub;
  alice: Client;
  bob: Client;
  carol: Client;
  dave: Client;
  erin: Client;
  feeder: Client;
  anon: Client;
  /** Collection ids. */
  RW: string;
  RO: string;
  WO: string;
  NN: string;
  U: string;
  /** Readable and writable by alice, always empty. */
  EMPTY: string;
  /** A UUID that is no collection. */
  X: string;
  RW_ALIAS: string;
  I: { v1: StixObject; v2: StixObject; v3: StixObject };
  M: StixObject;
  S: StixObject;
  W: StixObject;
  /** An indicator stored in RO. */
  R: StixObject;
  /** date_added of each fixture version in RW, keyed `${id}|${version}`. */
  added: Map<string, string>;
  /** Every version in RW, ascending by date_added (as the manifest with match[version]=all lists it). */
  manifestAll: ManifestRecord[];
}

/** Path of a collection (or of something under it) on /api1/. */
export function col(id: string, rest = ''): string {
  return `${ROOT}/collections/${id}/${rest}`;
}

/** POST an envelope as this client and require full success; returns the status. */
export async function postAll(c: Client, collection: string, objects: unknown[]): Promise<StatusResource> {
  const res = await c.post(col(collection, 'objects/'), { objects });
  const status = assertOk(res, 202);
  assert.equal(status.failure_count, 0, `failures: ${JSON.stringify(status.failures)}`);
  assert.equal(status.success_count, objects.length);
  return status;
}

export async function buildWorld(opts: HubOptions = {}): Promise<World> {
  const hub = await startHub(opts);
  await hub.addMember(ALICE.name, ALICE.password, ['analysts']);
  await hub.addMember(BOB.name, BOB.password, ['analysts']);
  await hub.addMember(CAROL.name, CAROL.password, []);
  await hub.addMember(DAVE.name, DAVE.password, ['u-readers', 'u-writers']);
  await hub.addMember(ERIN.name, ERIN.password, ['u-readers']);
  await hub.addMember(FEEDER.name, FEEDER.password, ['feeders']);
  const RW_ALIAS = 'rw-alias';
  const RW = (
    await hub.addCollection({
      title: 'RW',
      alias: RW_ALIAS,
      grants: [{ group: 'analysts', read: true, write: true }],
    })
  ).id;
  const RO = (
    await hub.addCollection({
      title: 'RO',
      grants: [
        { group: 'analysts', read: true, write: false },
        { group: 'feeders', read: false, write: true },
      ],
    })
  ).id;
  const WO = (
    await hub.addCollection({ title: 'WO', grants: [{ group: 'analysts', read: false, write: true }] })
  ).id;
  const NN = (
    await hub.addCollection({ title: 'NN', grants: [{ group: 'analysts', read: false, write: false }] })
  ).id;
  const U = (
    await hub.addCollection({
      title: 'U',
      grants: [
        { group: 'u-readers', read: true, write: false },
        { group: 'u-writers', read: false, write: true },
      ],
    })
  ).id;
  const EMPTY = (
    await hub.addCollection({ title: 'EMPTY', grants: [{ group: 'analysts', read: true, write: true }] })
  ).id;
  const w: World = {
    hub,
    alice: new Client(hub, ALICE),
    bob: new Client(hub, BOB),
    carol: new Client(hub, CAROL),
    dave: new Client(hub, DAVE),
    erin: new Client(hub, ERIN),
    feeder: new Client(hub, FEEDER),
    anon: new Client(hub, null),
    RW,
    RO,
    WO,
    NN,
    U,
    EMPTY,
    X: randomUUID(),
    RW_ALIAS,
    I: { v1: makeIndicator(), v2: makeIndicator(), v3: makeIndicator() },
    M: statement(),
    S: makeIpv4Addr(),
    W: makeMalware(),
    R: makeIndicator(),
    added: new Map(),
    manifestAll: [],
  };
  const v1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
  w.I = {
    v1,
    v2: withModified(v1, '2025-01-01T01:00:00.000Z'),
    v3: withModified(v1, '2025-01-01T02:00:00.000Z'),
  };
  // Each version in its own request, so each has its own date_added.
  for (const o of [w.I.v1, w.I.v2, w.I.v3, w.M, w.S, w.W]) await postAll(w.alice, RW, [o]);
  await postAll(w.feeder, RO, [w.R]);
  const man = assertOk(await w.alice.get<Manifest>(col(RW, 'manifest/?match[version]=all')));
  w.manifestAll = man.objects ?? [];
  assert.equal(w.manifestAll.length, 6, 'fixture: six versions in RW');
  for (const r of w.manifestAll) w.added.set(`${r.id}|${r.version}`, r.date_added);
  return w;
}

/** date_added of a fixture version of RW. */
export function addedOf(w: World, obj: StixObject): string {
  const version = obj.modified ?? obj.created;
  const hit =
    version === undefined
      ? w.manifestAll.find((r) => r.id === obj.id)
      : w.manifestAll.find((r) => r.id === obj.id && r.version === version);
  assert.ok(hit, `no manifest record for ${obj.id} ${version ?? ''}`);
  return hit.date_added;
}

/** Ids of the objects of an envelope, in order. */
export function ids(env: Envelope | undefined): string[] {
  return (env?.objects ?? []).map((o) => o.id);
}
