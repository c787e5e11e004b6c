/**
 * A seeded fuzz test (issue 8): ten thousand generated malformed and hostile requests over every
 * TAXII endpoint — paths, query parameters, `next` tokens, headers, bodies, methods and raw
 * HTTP — against a hub with the production worker pool. Every answer must be below 500, every 4xx
 * a TAXII error resource; the hub must stay alive and answer a good request throughout; the
 * objects stored before the fuzz must be exactly as they were; every object a 202 reported as
 * added must be stored.
 *
 * Reproduce a failure with the seed it prints: TESSERA_FUZZ_SEED=<seed> npx mocha test/hostile/fuzz.test.ts
 * (TESSERA_FUZZ_COUNT changes the number of requests). The requests depend only on the seed,
 * except for the values the hub issues (status ids, `next` tokens) that some of them reuse.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { PreparePool } from '../../server/ingest';
import type { StoredVersion } from '../../server/store/contract';
import { QUERY_PARAMS } from '../../server/taxii/query';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { rawExchange } from '../helpers/raw';
import { backendName } from '../helpers/store';
import { makeIndicator, makeIpv4Addr, makeMalware, type StixObject } from '../helpers/stix';

const SEED = Number(process.env.TESSERA_FUZZ_SEED ?? 20_260_801);
/**
 * 10,000 on SQLite (about 10 s). On MongoDB the default is 2,500: FerretDB 1.24, the test server,
 * filters most queries in Go after reading every document of the collection and journals every
 * write, so 10,000 take about 6 minutes there on a quiet machine (over ten on a busy one);
 * `TESSERA_FUZZ_COUNT=10000` runs the full set.
 */
const COUNT = Number(process.env.TESSERA_FUZZ_COUNT ?? (backendName() === 'mongodb' ? 2_500 : 10_000));
const CONCURRENCY = Number(process.env.TESSERA_FUZZ_CONCURRENCY ?? 8);

// ------------------------------------------------------------------------------ seeded choices

/** mulberry32: a small, fast, seedable generator (uniform in [0, 1)). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(private readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /** A UUID (v4 form) made from the dice, so that it is reproducible. */
  uuid(): string {
    const h = Array.from({ length: 32 }, () => '0123456789abcdef'[this.int(16)]).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  junkString(): string {
    return this.pick([
      '',
      ' ',
      'a',
      '%',
      '%zz',
      '%00',
      '\u0000',
      '\ud800',
      'é',
      '🙂',
      "'; DROP TABLE objects; --",
      '{"$gt": ""}',
      '../../etc/passwd',
      'x'.repeat(1 + this.int(5000)),
      '9'.repeat(400),
      '-1',
      '1e309',
      'NaN',
      'null',
      'true',
      '[]',
      '{}',
      '\r\nX-Injected: 1',
    ]);
  }
  junkValue(depth = 0): unknown {
    switch (this.int(depth > 2 ? 7 : 10)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64]);
      case 3:
      case 4:
      case 5:
        return this.junkString();
      case 6:
        return this.pick([
          '2025-01-01T00:00:00Z',
          '2025-02-30T00:00:00.000Z',
          '9999-12-31T23:59:60.999999999Z',
        ]);
      case 7:
        return Array.from({ length: this.int(4) }, () => this.junkValue(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(4); i > 0; i--)
          o[this.pick(['a', 'x_y', '__proto__', 'constructor', ''])] = this.junkValue(depth + 1);
        return o;
      }
    }
  }
}

// ------------------------------------------------------------------------------ requests

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as on the wire). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface HttpRequestSpec {
  kind: 'http';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Which endpoint it aims at (for the coverage summary). */
  endpoint: string;
}
interface RawRequestSpec {
  kind: 'raw';
  bytes: Buffer;
  endpoint: string;
}
type RequestSpec = HttpRequestSpec | RawRequestSpec;

interface World {
  PLAY: string;
  RO: string;
  HIDDEN: string;
  WO: string;
  seededIds: string[];
  good: string;
  /** `next` tokens the hub issued, by endpoint, and a status id. */
  tokens: string[];
  statusId: string;
}

/**
 * A placeholder for a value nested `depth` levels deep: JSON.stringify would overflow on the value
 * itself, so the text is put in place of the placeholder after serialising (see serialise).
 */
function nested(depth: number, dice: Dice): string {
  return `@@deep-${depth}-${dice.chance(0.5) ? 'a' : 'o'}@@`;
}

/** JSON text of `value`, with the nested values of its placeholders. */
function serialise(value: unknown): string {
  return JSON.stringify(value).replace(/"@@deep-(\d+)-([ao])@@"/g, (_m, n: string, kind: string) => {
    const depth = Number(n);
    return kind === 'a'
      ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  });
}

function objectFor(dice: Dice): StixObject {
  const id = dice.uuid();
  const kind = dice.int(3);
  if (kind === 0) return makeIndicator({ id: `indicator--${id}` });
  if (kind === 1) return makeMalware({ id: `malware--${id}` });
  return makeIpv4Addr({ id: `ipv4-addr--${id}`, value: `198.51.100.${dice.int(256)}` });
}

const PATTERNS = (dice: Dice): string =>
  dice.pick([
    `${'('.repeat(20_000)}[ipv4-addr:value = '1.2.3.4']${')'.repeat(20_000)}`,
    `[${'('.repeat(5_000)}ipv4-addr:value = '1.2.3.4'${')'.repeat(5_000)}]`,
    `[ipv4-addr:value = ${'0'.repeat(50_000)}]`,
    `[ipv4-addr:value IN (${Array.from({ length: 30_000 }, () => "'1.1.1.1'").join(',')})]`,
    "[ipv4-addr:value = '1.2.3.4'",
    "[file:hashes.'SHA-256' = 'zz']",
    "[x:y MATCHES '(a+)+$']",
    '[a:b = 1] FOLLOWEDBY [c:d = 2] WITHIN 0 SECONDS',
    "[ipv4-addr:value = '1.2.3.4'] START t'2025-01-01T00:00:00Z' STOP t'2025-13-01T00:00:00Z'",
    dice.junkString(),
  ]);

/** A STIX object with 1–3 hostile mutations. */
function mutatedObject(dice: Dice): unknown {
  if (dice.chance(0.05)) return dice.junkValue();
  const o: Record<string, unknown> = objectFor(dice);
  for (let n = 1 + dice.int(3); n > 0; n--) {
    const keys = Object.keys(o);
    switch (dice.int(9)) {
      case 0:
        delete o[dice.pick(keys)];
        break;
      case 1:
        o[dice.pick(keys)] = dice.junkValue();
        break;
      case 2:
        o[dice.pick(['created', 'modified', 'valid_from'])] = dice.junkValue();
        break;
      case 3:
        o.id = dice.pick([`indicator--${dice.junkString()}`, dice.junkString(), `x--${dice.uuid()}`]);
        break;
      case 4:
        o[dice.pick(['x_deep', 'extensions', 'external_references', 'x_' + 'k'.repeat(300)])] = nested(
          dice.pick([10, 99, 101, 1_000, 20_000]),
          dice,
        );
        break;
      case 5:
        o.pattern = PATTERNS(dice);
        o.pattern_type = 'stix';
        break;
      case 6:
        o[dice.junkString()] = dice.junkValue();
        break;
      case 7:
        o.spec_version = dice.pick(['2.0', '2.1 ', 2.1, null, '']);
        break;
      default:
        o.description = dice.pick(['y'.repeat(200_000), 42, ['a'], { a: 1 }]);
    }
  }
  return o;
}

/** An envelope (`sensible`: of valid and hostile objects) or any hostile body. */
function body(dice: Dice, world: World, sensible: boolean): Buffer {
  switch (sensible ? 99 : dice.int(14)) {
    case 0:
      return Buffer.from(dice.junkString());
    case 1:
      return Buffer.from(serialise(dice.junkValue()));
    case 2:
      return Buffer.from('{"objects": [' + '1,'.repeat(dice.pick([10, 5_000, 60_000])) + '1]}');
    case 3:
      return Buffer.from(serialise({ objects: dice.pick([null, 1, {}, [], 'x']) }));
    case 4:
      return Buffer.from(
        serialise({ type: 'bundle', id: `bundle--${dice.uuid()}`, objects: [objectFor(dice)] }),
      );
    case 5: {
      const text = serialise({ objects: [objectFor(dice), objectFor(dice)] });
      return Buffer.from(text.slice(0, dice.int(text.length)));
    }
    case 6:
      return Buffer.concat([
        Buffer.from('{"objects":[{"type":"x-a","id":"'),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}]}'),
      ]);
    case 7:
      return Buffer.from('\ufeff' + serialise({ objects: [objectFor(dice)] }));
    case 8:
      return Buffer.from(`{"objects":[${serialise(objectFor(dice))}],"objects":[1]}`);
    case 9: {
      // Copies of the seeded objects (their ids) into the collection the request names.
      const copies = world.seededIds.slice(0, 3).map((id) => ({ ...objectFor(dice), id }));
      return Buffer.from(serialise({ objects: copies }));
    }
    default: {
      // Mostly hostile objects; valid ones in a few envelopes only, as storing is what costs
      // (on FerretDB most of all), and what is stored is checked at the end.
      const valid = dice.chance(0.05) ? 0.5 : 0;
      const objects = Array.from({ length: 1 + dice.int(12) }, () =>
        dice.chance(valid) ? objectFor(dice) : mutatedObject(dice),
      );
      return Buffer.from(serialise({ objects }));
    }
  }
}

/** A query string: with probability `fuzz` hostile parameters, otherwise one or two sensible ones. */
function query(dice: Dice, world: World, fuzz: number): string {
  const params: string[] = [];
  if (!dice.chance(fuzz)) {
    if (dice.chance(0.5)) params.push(`limit=${1 + dice.int(5)}`);
    if (dice.chance(0.3)) params.push(`match[version]=${dice.pick(['all', 'first', 'last'])}`);
    if (dice.chance(0.2)) params.push(`next=${pct(dice.pick(world.tokens))}`);
    return params.length === 0 ? '' : `?${params.join('&')}`;
  }
  const enc = (s: string) => (dice.chance(0.8) ? pct(s) : s.replace(/[^\x21-\x7e]/g, '%'));
  for (let n = dice.int(4); n > 0; n--) {
    const name = dice.pick([...QUERY_PARAMS, 'match[foo]', 'match[id][]', 'unknown', '', '%']);
    let value: string;
    switch (name) {
      case 'added_after':
        value = dice.pick([
          '2025-01-01T00:00:00Z',
          '2025-01-01',
          '0',
          '9999-99-99T99:99:99Z',
          dice.junkString(),
        ]);
        break;
      case 'limit':
        value = dice.pick(['1', '0', '-1', '1.5', '100000000000000000000', 'ten', '', dice.junkString()]);
        break;
      case 'next': {
        const token = world.tokens.length > 0 ? dice.pick(world.tokens) : 'x.y';
        value = dice.pick([
          token,
          token.slice(0, dice.int(token.length)),
          token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
          `${Buffer.from(JSON.stringify({ v: 1, e: 'objects', c: world.PLAY, p: 0, f: {}, l: 1e9 })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
          'x'.repeat(9000),
          dice.junkString(),
        ]);
        break;
      }
      case 'match[id]':
        value = dice.pick([
          ...world.seededIds,
          `indicator--${dice.uuid()}`,
          dice.junkString(),
          world.seededIds.join(','),
        ]);
        break;
      case 'match[version]':
        value = dice.pick([
          'all',
          'first',
          'last',
          'all,first',
          '2025-01-01T00:00:00.000Z',
          dice.junkString(),
        ]);
        break;
      default:
        value = dice.junkString();
    }
    params.push(`${name}=${enc(value)}`);
    if (dice.chance(0.05)) params.push(`${name}=${enc(value)}`);
  }
  return params.length === 0 ? '' : `?${params.join('&')}`;
}

/** What a request aims at, and how its path is made from its parts. */
const ENDPOINTS = [
  { name: 'discovery', weight: 3, path: () => '/taxii2/' },
  { name: 'api-root', weight: 3, path: (p: Parts) => `/${p.root}/` },
  { name: 'status', weight: 4, path: (p: Parts) => `/${p.root}/status/${p.status}/` },
  { name: 'collections', weight: 3, path: (p: Parts) => `/${p.root}/collections/` },
  { name: 'collection', weight: 3, path: (p: Parts) => `/${p.root}/collections/${p.col}/` },
  { name: 'manifest', weight: 8, path: (p: Parts) => `/${p.root}/collections/${p.col}/manifest/` },
  { name: 'objects', weight: 40, path: (p: Parts) => `/${p.root}/collections/${p.col}/objects/` },
  { name: 'object', weight: 10, path: (p: Parts) => `/${p.root}/collections/${p.col}/objects/${p.obj}/` },
  {
    name: 'versions',
    weight: 6,
    path: (p: Parts) => `/${p.root}/collections/${p.col}/objects/${p.obj}/versions/`,
  },
  { name: 'unknown', weight: 2, path: () => '/api1/nothing/here/' },
] as const;
const TOTAL_WEIGHT = ENDPOINTS.reduce((n, e) => n + e.weight, 0);

interface Parts {
  root: string;
  col: string;
  obj: string;
  status: string;
}

/**
 * A request that is valid in every respect but 0–3 hostile mutations (of a path segment, the
 * query, a header, the method or the body), or now and then raw bytes on the socket: most requests
 * get deep into the hub before something is wrong with them.
 */
function generate(dice: Dice, world: World): RequestSpec {
  let roll = dice.int(TOTAL_WEIGHT);
  let endpoint: (typeof ENDPOINTS)[number] = ENDPOINTS[0];
  for (const e of ENDPOINTS) {
    if (roll < e.weight) {
      endpoint = e;
      break;
    }
    roll -= e.weight;
  }
  const parts: Parts = {
    root: 'api1',
    col: dice.pick([world.PLAY, world.PLAY, 'play', world.RO]),
    obj: dice.pick(world.seededIds),
    status: world.statusId,
  };
  let method = 'GET';
  if (endpoint.name === 'objects' && dice.chance(0.6)) method = 'POST';
  if (endpoint.name === 'object' && dice.chance(0.3)) method = 'DELETE';
  const headers: Record<string, string> = { accept: TAXII, authorization: world.good };
  if (method === 'POST') headers['content-type'] = TAXII;
  let search = method === 'POST' ? '' : query(dice, world, 0.5);
  let payload: Buffer | undefined = method === 'POST' ? body(dice, world, true) : undefined;

  for (let n = dice.pick([0, 1, 1, 1, 2, 2, 3]); n > 0; n--) {
    switch (dice.int(7)) {
      case 0: {
        const junk = pct(dice.junkString()) || '%20';
        const which = dice.pick(['root', 'col', 'obj', 'status'] as const);
        parts[which] = dice.pick([
          junk,
          dice.uuid(),
          `indicator--${dice.uuid()}`,
          '..',
          '%2e%2e',
          '%2F',
          'a'.repeat(3000),
          which === 'col' ? dice.pick([world.HIDDEN, world.WO]) : 'API1',
        ]);
        break;
      }
      case 1:
        search = query(dice, world, 1);
        break;
      case 2:
        mutateHeaders(dice, world, headers);
        break;
      case 3:
        method = dice.pick(['PUT', 'PATCH', 'OPTIONS', 'HEAD', 'DELETE', 'POST', 'GET', 'TRACE', 'FOO']);
        if (method === 'POST' && !payload) payload = body(dice, world, false);
        break;
      default:
        payload = body(dice, world, false);
    }
  }
  let path = endpoint.path(parts);
  if (dice.chance(0.03)) path = path.replace(/\/$/, '');
  if (dice.chance(0.03)) path = path.replace(/\//g, '//');
  if (dice.chance(0.06)) return rawRequest(dice, world, path, endpoint.name);
  const spec: HttpRequestSpec = {
    kind: 'http',
    method,
    path: `${path}${search}`,
    headers,
    endpoint: endpoint.name,
  };
  if (payload && method !== 'GET' && method !== 'HEAD') spec.body = payload;
  return spec;
}

function mutateHeaders(dice: Dice, world: World, headers: Record<string, string>): void {
  const printable = (v: string) => v.replace(/[^\x20-\x7e]/g, '');
  switch (dice.int(6)) {
    case 0:
      if (dice.chance(0.2)) delete headers.accept;
      else
        headers.accept = dice.pick([
          'application/taxii+json',
          '*/*',
          'application/json',
          'application/taxii+json;version=2.0',
          'application/taxii+json;version=2.1;q=0',
          'text/html',
          '',
          printable(dice.junkString()),
        ]);
      break;
    case 1: {
      const roll = dice.int(100);
      if (roll < 10) delete headers.authorization;
      else if (roll < 14)
        headers.authorization = `Basic ${Buffer.from(`fuzz:wrong-${dice.int(5)}`).toString('base64')}`;
      else if (roll < 18)
        headers.authorization = `Basic ${Buffer.from(`nobody-${dice.int(3)}:x`).toString('base64')}`;
      else
        headers.authorization = dice.pick([
          'Basic',
          'Basic !!!',
          `Basic ${Buffer.from('no-colon').toString('base64')}`,
          `Basic ${Buffer.from(':').toString('base64')}`,
          `${world.good}==x`,
          `${world.good} extra`,
          'Bearer x',
          'Bearer ' + 'k'.repeat(500),
          'Token abc',
          'Digest username="x"',
          `Basic ${'A'.repeat(8000)}`,
          printable(dice.junkString()),
        ]);
      break;
    }
    case 2:
      headers['content-type'] = dice.pick([
        'application/taxii+json',
        'application/json',
        'application/stix+json;version=2.1',
        'text/plain',
        'application/taxii+json;version=2.0',
        'application/taxii+json;charset=utf-16',
        'multipart/form-data; boundary=x',
        '',
      ]);
      break;
    case 3:
      headers[dice.pick(['content-encoding', 'transfer-encoding-x', 'expect', 'range', 'if-none-match'])] =
        dice.pick(['gzip', 'br', 'bytes=0-10', '100-continue', '*']);
      break;
    case 4:
      headers['x-forwarded-for'] = dice.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', '']);
      break;
    default:
      headers['x-junk'] = 'j'.repeat(dice.pick([10, 4000, 12_000]));
  }
}

function rawRequest(dice: Dice, world: World, path: string, endpoint: string): RawRequestSpec {
  const auth = `Authorization: ${world.good}\r\nAccept: ${TAXII}\r\n`;
  const env = JSON.stringify({ objects: [objectFor(dice)] });
  const text = dice.pick([
    `GET ${path} HTTP/1.1\r\nHost: hub\r\n${auth}\r\n`,
    `GET ${path} HTTP/1.1\r\n${auth}\r\n`,
    `GET ${path}\r\n\r\n`,
    `GET ${path} HTTP/2.0\r\nHost: hub\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: hub\r\nBad Header: x\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nHost: hub\r\nNoColon\r\n\r\n`,
    `GET ${path.replace(/^\//, '/ ')} HTTP/1.1\r\nHost: hub\r\n\r\n`,
    `GET /api1/collections/\u00ff\u0001/ HTTP/1.1\r\nHost: hub\r\n${auth}\r\n`,
    `\u0000\u0001\u0002 garbage\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nContent-Length: ${env.length}\r\nContent-Length: ${env.length + 1}\r\n\r\n${env}`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nContent-Length: ${env.length}\r\nTransfer-Encoding: chunked\r\n\r\n${env}`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${env}\r\n0\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nTransfer-Encoding: chunked\r\n\r\n${env.length.toString(16)}\r\n${env}\r\n0\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nContent-Length: -5\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Type: ${TAXII}\r\nContent-Length: 99999999999999999999\r\n\r\n`,
    `DELETE ${path} HTTP/1.1\r\nHost: hub\r\n${auth}Content-Length: 3\r\n\r\nabc`,
  ]);
  return { kind: 'raw', bytes: Buffer.from(text, 'latin1'), endpoint: `${endpoint} (raw)` };
}

// ------------------------------------------------------------------------------ sending

interface Answer {
  status: number | null;
  contentType: string | undefined;
  body: string;
  /** No answer at all (reset, timeout). */
  lost: string | null;
}

function sendHttp(base: URL, agent: http.Agent, spec: HttpRequestSpec): Promise<Answer> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        headers: { ...spec.headers, ...(spec.body ? { 'content-length': String(spec.body.length) } : {}) },
        agent,
        timeout: 30_000,
      });
    } catch (e) {
      resolve({
        status: null,
        contentType: undefined,
        body: '',
        lost: `client refused to send: ${(e as Error).message}`,
      });
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? null,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
          lost: null,
        }),
      );
      res.on('error', (e) =>
        resolve({ status: res.statusCode ?? null, contentType: undefined, body: '', lost: e.message }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', (e) => resolve({ status: null, contentType: undefined, body: '', lost: e.message }));
    req.end(spec.body);
  });
}

async function sendRaw(url: string, spec: RawRequestSpec): Promise<Answer> {
  const r = await rawExchange(url, (s) => s.write(spec.bytes), 10_000, { untilResponse: true });
  if (r.status === null)
    return {
      status: null,
      contentType: undefined,
      body: '',
      lost: r.closed ? 'closed without an answer' : 'no answer within 10 s',
    };
  return { status: r.status, contentType: r.headers['content-type'], body: r.body, lost: null };
}

// ------------------------------------------------------------------------------ the test

describe(`hostile: seeded fuzz of every endpoint (seed ${SEED}, ${COUNT} requests)`, function () {
  // 60 ms a request (FerretDB on a busy machine), never less than 5 minutes.
  this.timeout(Math.max(300_000, COUNT * 60));
  let hub: TestHub;
  let pool: PreparePool;
  const world = {} as World;
  let stored0: Map<string, StoredVersion[]>;

  /** Every version in a collection, in dateAdded order. */
  async function versionsOf(collectionId: string, withBody: boolean): Promise<StoredVersion[]> {
    const all: StoredVersion[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await hub.stores.objects.queryObjects({
        visibleTo: 'all',
        collectionId,
        filter: { versions: { kind: 'all' } },
        limit: 1000,
        withBody,
        ...(after !== undefined ? { after } : {}),
      });
      all.push(...page.items);
      const last = page.items[page.items.length - 1];
      if (!page.more || !last) return all;
      after = last.dateAdded;
    }
  }

  async function snapshot(): Promise<Map<string, StoredVersion[]>> {
    return new Map([
      [world.RO, await versionsOf(world.RO, true)],
      [world.HIDDEN, await versionsOf(world.HIDDEN, true)],
    ]);
  }

  before(async () => {
    pool = new PreparePool(1, false);
    hub = await startHub({
      prepare: pool.prepare,
      env: {
        TESSERA_MAX_CONTENT_LENGTH: String(1024 * 1024),
        TESSERA_BODY_TIMEOUT_MS: '2000',
        TESSERA_PAGE_SIZE: '5',
      },
    });
    while (!pool.isReady()) await new Promise((r) => setTimeout(r, 20));
    await hub.addMember('fuzz', 'fuzz-secret-1', ['fuzzers']);
    await hub.addMember('owner', 'owner-secret-1', ['owners']);
    const play = await hub.addCollection({
      grants: [{ group: 'fuzzers', read: true, write: true }],
      alias: 'play',
    });
    const ro = await hub.addCollection({
      grants: [
        { group: 'owners', read: true, write: true },
        { group: 'fuzzers', read: true, write: false },
      ],
    });
    const hidden = await hub.addCollection({ grants: [{ group: 'owners', read: true, write: true }] });
    const wo = await hub.addCollection({ grants: [{ group: 'fuzzers', read: false, write: true }] });
    Object.assign(world, { PLAY: play.id, RO: ro.id, HIDDEN: hidden.id, WO: wo.id, tokens: [] });
    world.good = hub.basic('fuzz', 'fuzz-secret-1');
    const owner = hub.basic('owner', 'owner-secret-1');

    // The data that must come through intact: three versions of some objects, SCOs, in RO and HIDDEN.
    const seeded: StixObject[] = [];
    for (let i = 0; i < 8; i++) {
      const ind = makeIndicator();
      seeded.push(
        ind,
        { ...ind, modified: '2025-06-01T00:00:00.000Z' },
        { ...ind, modified: '2025-07-01T00:00:00.000Z' },
      );
      seeded.push(makeMalware(), makeIpv4Addr({ value: `203.0.113.${i}` }));
    }
    world.seededIds = [...new Set(seeded.map((o) => o.id))];
    const post = async (c: string, objects: unknown[], auth: string) => {
      const res = await fetch(`${hub.url}/api1/collections/${c}/objects/`, {
        method: 'POST',
        headers: { authorization: auth, accept: TAXII, 'content-type': TAXII },
        body: JSON.stringify({ objects }),
      });
      assert.equal(res.status, 202);
      return (await res.json()) as { id: string; success_count: number };
    };
    for (const c of [ro.id, hidden.id]) {
      const s = await post(c, seeded, owner);
      assert.equal(s.success_count, seeded.length);
    }
    world.statusId = (await post(play.id, [makeIndicator()], world.good)).id;
    // Real paging tokens of every paged endpoint.
    for (const p of ['objects/', 'manifest/', `objects/${world.seededIds[0]}/versions/`]) {
      const res = await fetch(`${hub.url}/api1/collections/${ro.id}/${p}?limit=1&match[version]=all`, {
        headers: { authorization: world.good, accept: TAXII },
      });
      const next = ((await res.json()) as { next?: string }).next;
      assert.ok(next, `no next on ${p}`);
      world.tokens.push(next);
    }
    stored0 = await snapshot();
  });

  after(async () => {
    await hub?.close();
    await pool?.close();
  });

  it(`answers ${COUNT} generated requests with no 5xx, TAXII errors for every 4xx, and keeps every stored object`, async () => {
    const dice = new Dice(generator(SEED));
    const specs = Array.from({ length: COUNT }, () => generate(dice, world));
    const base = new URL(hub.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const problems: string[] = [];
    const coverage = new Map<string, number>();
    const statuses = new Map<number, number>();
    /** Versions a 202 reported as added to PLAY (by id or alias). */
    const acknowledged: { id: string; version: string }[] = [];
    const deleted = new Set<string>();
    let nextIndex = 0;
    const describeSpec = (i: number, s: RequestSpec) =>
      s.kind === 'raw'
        ? `#${i} raw ${JSON.stringify(s.bytes.toString('latin1').slice(0, 300))}`
        : `#${i} ${s.method} ${s.path.slice(0, 300)} ${JSON.stringify(s.headers).slice(0, 300)} body ${s.body?.toString('utf8').slice(0, 200) ?? '-'}`;

    const check = (i: number, s: RequestSpec, a: Answer) => {
      const where = () => `(TESSERA_FUZZ_SEED=${SEED}) ${describeSpec(i, s)}`;
      if (a.lost !== null) {
        problems.push(`no answer (${a.lost}): ${where()}`);
        return;
      }
      const status = a.status as number;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) {
        problems.push(`${status} ${a.body.slice(0, 300)}: ${where()}`);
        return;
      }
      const head = s.kind === 'http' && s.method === 'HEAD';
      if (status >= 400) {
        if (a.contentType !== TAXII)
          problems.push(`${status} with Content-Type ${a.contentType}: ${where()}`);
        else if (!head) {
          let e: { title?: unknown; http_status?: unknown } | null;
          try {
            e = JSON.parse(a.body) as { title?: unknown; http_status?: unknown } | null;
          } catch {
            e = null;
          }
          if (!e || typeof e.title !== 'string' || e.http_status !== String(status)) {
            problems.push(`${status} without a TAXII error resource (${a.body.slice(0, 200)}): ${where()}`);
          }
        }
        return;
      }
      const playPath = (p: string) =>
        p.startsWith(`/api1/collections/${world.PLAY}/`) || p.startsWith('/api1/collections/play/');
      if (s.kind === 'http' && s.method === 'POST' && status === 202 && playPath(s.path)) {
        const st = JSON.parse(a.body) as { successes?: { id: string; version: string; message?: string }[] };
        for (const d of st.successes ?? []) if (d.message?.startsWith('added')) acknowledged.push(d);
      }
      if (s.kind === 'http' && s.method === 'DELETE' && status === 200) {
        const m = /\/objects\/([^/]+)\//.exec(s.path);
        if (m) deleted.add(decodeURIComponent(m[1] as string));
      }
    };

    const alive = async (i: number) => {
      const res = await fetch(`${hub.url}/api1/collections/${world.RO}/manifest/?limit=1`, {
        headers: { authorization: world.good, accept: TAXII },
      });
      if (res.status !== 200)
        problems.push(`the hub stopped answering a good request after #${i}: ${res.status}`);
    };

    const timing = new Map<string, [number, number]>();
    const slowest: [number, string][] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = nextIndex++;
          const s = specs[i];
          if (!s) return;
          coverage.set(s.endpoint, (coverage.get(s.endpoint) ?? 0) + 1);
          const t0 = Date.now();
          const a = s.kind === 'raw' ? await sendRaw(hub.url, s) : await sendHttp(base, agent, s);
          const key = `${s.endpoint} ${s.kind === 'http' ? s.method : ''} ${a.status}`;
          const prof = timing.get(key) ?? [0, 0];
          timing.set(key, [prof[0] + 1, prof[1] + Date.now() - t0]);
          slowest.push([Date.now() - t0, describeSpec(i, s).slice(0, 400)]);
          slowest.sort((x, y) => y[0] - x[0]);
          slowest.length = Math.min(slowest.length, 8);
          check(i, s, a);
          if (i % 500 === 0) await alive(i);
        }
      }),
    );
    agent.destroy();
    if (process.env.TESSERA_FUZZ_PROFILE) {
      const rows = [...timing].sort((x, y) => y[1][1] - x[1][1]).slice(0, 15);
      for (const [k, [n, ms]] of rows)
        console.log(`      ${k}: ${n} requests, ${ms} ms, ${(ms / n).toFixed(1)} ms each`);
      for (const [ms, d] of slowest) console.log(`      slow ${ms} ms: ${d}`);
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `      fuzz: ${COUNT} requests in ${seconds.toFixed(1)} s (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}; endpoints ${JSON.stringify(Object.fromEntries(coverage))}`,
    );
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);

    // Alive and ready, and what was stored before is exactly as it was.
    const ready = await fetch(`${hub.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await snapshot(), stored0);
    // Every version a 202 reported as added is stored (unless a later DELETE removed its object).
    const stored = new Set((await versionsOf(world.PLAY, false)).map((v) => `${v.id}|${v.version}`));
    const lost = acknowledged.filter((d) => !deleted.has(d.id) && !stored.has(`${d.id}|${d.version}`));
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged versions are not stored`);
    assert.ok(
      acknowledged.length > 100,
      `only ${acknowledged.length} objects were acknowledged: the fuzz is too hostile to test ingest`,
    );
  });
});
