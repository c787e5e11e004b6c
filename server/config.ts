/**
 * The one place that reads the environment. Every key is documented here and in README.md;
 * `loadConfig` returns every problem at once so the operator can fix them in one go.
 */
import { DEFAULT_CONTENT_LIMITS, DEFAULT_STATUS_BYTES, type ContentLimits } from './ingest';
import { parseStoreUrl } from './store';

/** Defences of the password check (server/access/throttle.ts); per hub process. */
export interface AuthThrottleConfig {
  /** TESSERA_AUTH_ADDRESS_FAILURES: failed authentications per source address in a burst (default 30). */
  addressFailures: number;
  /** TESSERA_AUTH_USER_FAILURES: failed authentications per user name in a burst (default 10). */
  userFailures: number;
  /** TESSERA_AUTH_FAILURE_WINDOW_SECONDS: time in which a full burst is forgiven (default 600). */
  failureWindowSeconds: number;
  /** TESSERA_AUTH_HASH_CONCURRENCY: password checks (scrypt) running at once (default 1). */
  hashConcurrency: number;
  /** TESSERA_AUTH_HASH_QUEUE: password checks allowed to wait for a slot (default 32). */
  hashQueue: number;
}

export interface Config {
  /** TESSERA_PORT: TCP port to listen on (default 8000). */
  port: number;
  /** TESSERA_HOST: interface to bind (default 127.0.0.1; use 0.0.0.0 in containers). */
  host: string;
  /** TESSERA_STORE: `sqlite:<path>` (default sqlite:data/tessera.db) or `mongodb://…`. */
  store: string;
  /** TESSERA_PUBLIC_URL: base URL clients use, e.g. https://hub.example.org (default: none → relative URLs). */
  publicUrl: string | null;
  /** TESSERA_TITLE / TESSERA_DESCRIPTION / TESSERA_CONTACT: discovery resource fields. */
  title: string;
  description: string | null;
  contact: string | null;
  /** TESSERA_DEFAULT_API_ROOT: name of the API root created on first start and advertised as default. */
  defaultApiRoot: string;
  /** TESSERA_PAGE_SIZE (default 100) and TESSERA_MAX_PAGE_SIZE (default 1000). */
  pageSize: number;
  maxPageSize: number;
  /** TESSERA_MAX_CONTENT_LENGTH: maximum request body in bytes (default 10 MiB). */
  maxContentLength: number;
  /** TESSERA_MAX_ENVELOPE_OBJECTS: most objects in one POSTed envelope (default 10000; more → 413). */
  maxEnvelopeObjects: number;
  /** TESSERA_MAX_OBJECT_BYTES: largest object stored, bytes of its JSON (default 4 MiB). */
  maxObjectBytes: number;
  /**
   * TESSERA_MAX_NESTING_DEPTH: deepest nesting accepted in a POSTed object, of JSON arrays and
   * objects and of parentheses and brackets in a STIX pattern (default 100).
   */
  maxNestingDepth: number;
  /** TESSERA_MAX_PATTERN_TOKENS: most tokens in one STIX pattern (default 100000). */
  maxPatternTokens: number;
  /** TESSERA_MAX_PAGE_BYTES: a page of objects ends before its objects exceed this (default 8 MiB). */
  maxPageBytes: number;
  /** TESSERA_MAX_STATUS_BYTES: bound on the detail lists of a status resource (default 2 MiB). */
  maxStatusBytes: number;
  /** TESSERA_STATUS_TTL_HOURS: how long status resources stay queryable (default 168, minimum 24). */
  statusTtlHours: number;
  /** TESSERA_STRICT_VALIDATION: treat STIX SHOULD-rule warnings as failures (default false). */
  strictValidation: boolean;
  /** TESSERA_INGEST_WORKERS: worker threads that parse and validate POSTed envelopes (default 1; 0 = inline). */
  ingestWorkers: number;
  /** TESSERA_PROCESSES: hub processes sharing the port (node:cluster; default 1). */
  processes: number;
  /** TESSERA_LOG_LEVEL: pino level (default info). */
  logLevel: string;
  /** TESSERA_TRUST_PROXY: Express trust proxy setting, e.g. "loopback" (default: off). */
  trustProxy: string | null;
  /** TESSERA_SHUTDOWN_TIMEOUT_MS: hard deadline for graceful shutdown (default 10000). */
  shutdownTimeoutMs: number;
  /** TESSERA_HEADERS_TIMEOUT_MS: time a client has to send the request line and headers (default 10000). */
  headersTimeoutMs: number;
  /** TESSERA_REQUEST_TIMEOUT_MS: time a client has to send the whole request, body included (default 120000). */
  requestTimeoutMs: number;
  /** TESSERA_BODY_TIMEOUT_MS: longest pause allowed between two pieces of a request body (default 30000). */
  bodyTimeoutMs: number;
  /** TESSERA_KEEP_ALIVE_TIMEOUT_MS: how long an idle keep-alive connection stays open (default 65000). */
  keepAliveTimeoutMs: number;
  /**
   * TESSERA_SEND_TIMEOUT_MS: a client that stops reading its answer is disconnected after one to two times this
   * long (Node re-arms the timer once when the answer moved since it was set; default 60000).
   */
  sendTimeoutMs: number;
  /** TESSERA_FEEDS_FILE: JSON list of peer feeds to pull on schedule (default: none). See feeds/examples. */
  feedsFile: string | null;
  authThrottle: AuthThrottleConfig;
  /** TESSERA_AUDIT_RETENTION_DAYS: audit records older than this are purged (default 180). */
  auditRetentionDays: number;
  /**
   * TESSERA_TLS_CERT / TESSERA_TLS_KEY: PEM files of the server certificate (chain) and key: the hub
   * serves HTTPS (TLS 1.2+). TESSERA_TLS_CLIENT_CA: PEM file of the CA(s) client certificates must
   * chain to; enables client-certificate authentication. Default: none (plain HTTP).
   */
  tls: { certFile: string; keyFile: string; clientCaFile: string | null } | null;
  /** TESSERA_METRICS_LISTEN / TESSERA_METRICS_TOKEN: Prometheus metrics, off (null) unless one is set. */
  metrics: MetricsExposure | null;
}

/** Where /metrics is served: its own listener, or the hub's port behind a bearer token. */
export interface MetricsExposure {
  /** TESSERA_METRICS_LISTEN (`host:port`, `[v6]:port` or a port on 127.0.0.1), or null: the hub's port. */
  listen: { host: string; port: number } | null;
  /** TESSERA_METRICS_TOKEN: bearer token required to scrape (required without a listener of its own). */
  token: string | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (key: string, dflt: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return dflt;
    if (!/^\d+$/.test(raw.trim())) {
      problems.push(`${key} must be an integer, got ${JSON.stringify(raw)}`);
      return dflt;
    }
    const n = Number(raw.trim());
    if (n < min || n > max) problems.push(`${key} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const raw = env[key];
    if (raw === undefined || raw === '') return dflt;
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    problems.push(`${key} must be true or false, got ${JSON.stringify(raw)}`);
    return dflt;
  };
  const str = (key: string): string | null => {
    const raw = env[key];
    return raw === undefined || raw.trim() === '' ? null : raw.trim();
  };

  const port = int('TESSERA_PORT', 8000, 0, 65535);
  const host = str('TESSERA_HOST') ?? '127.0.0.1';
  const store = str('TESSERA_STORE') ?? 'sqlite:data/tessera.db';
  if (!parseStoreUrl(store)) {
    problems.push(`TESSERA_STORE must be sqlite:<path> or mongodb://…, got ${JSON.stringify(store)}`);
  }
  let publicUrl = str('TESSERA_PUBLIC_URL');
  if (publicUrl !== null) {
    try {
      const u = new URL(publicUrl);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      if (u.search || u.hash) throw new Error('query');
      publicUrl = publicUrl.replace(/\/+$/, '');
    } catch {
      problems.push(
        `TESSERA_PUBLIC_URL must be an absolute http(s) URL without query, got ${JSON.stringify(publicUrl)}`,
      );
    }
  }
  const defaultApiRoot = str('TESSERA_DEFAULT_API_ROOT') ?? 'api1';
  if (!ROOT_NAME.test(defaultApiRoot)) {
    problems.push(
      `TESSERA_DEFAULT_API_ROOT must match ${ROOT_NAME.source}, got ${JSON.stringify(defaultApiRoot)}`,
    );
  }
  const pageSize = int('TESSERA_PAGE_SIZE', 100, 1, 100_000);
  const maxPageSize = int('TESSERA_MAX_PAGE_SIZE', 1000, 1, 100_000);
  if (pageSize > maxPageSize)
    problems.push(`TESSERA_PAGE_SIZE (${pageSize}) exceeds TESSERA_MAX_PAGE_SIZE (${maxPageSize})`);
  const maxContentLength = int('TESSERA_MAX_CONTENT_LENGTH', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
  const MiB = 1024 * 1024;
  const maxEnvelopeObjects = int(
    'TESSERA_MAX_ENVELOPE_OBJECTS',
    DEFAULT_CONTENT_LIMITS.maxObjects,
    1,
    1_000_000,
  );
  // Below MongoDB's 16 MiB limit on a document, which holds the object's JSON and its metadata.
  const maxObjectBytes = int(
    'TESSERA_MAX_OBJECT_BYTES',
    DEFAULT_CONTENT_LIMITS.maxObjectBytes,
    1024,
    15 * MiB,
  );
  // 1000 levels is what every recursive walk of an object (serialiser, schema validator, pattern
  // parser) is tested to survive; real STIX nests a few levels.
  const maxNestingDepth = int('TESSERA_MAX_NESTING_DEPTH', DEFAULT_CONTENT_LIMITS.maxDepth, 2, 1000);
  const maxPatternTokens = int(
    'TESSERA_MAX_PATTERN_TOKENS',
    DEFAULT_CONTENT_LIMITS.maxPatternTokens,
    10,
    10_000_000,
  );
  const maxPageBytes = int('TESSERA_MAX_PAGE_BYTES', 8 * MiB, 64 * 1024, 256 * MiB);
  // A status is one MongoDB document too.
  const maxStatusBytes = int('TESSERA_MAX_STATUS_BYTES', DEFAULT_STATUS_BYTES, 16 * 1024, 12 * MiB);
  const statusTtlHours = int('TESSERA_STATUS_TTL_HOURS', 168, 24, 24 * 365);
  const logLevel = (str('TESSERA_LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.has(logLevel))
    problems.push(`TESSERA_LOG_LEVEL must be one of ${[...LOG_LEVELS].join(', ')}`);
  const tlsCert = str('TESSERA_TLS_CERT');
  const tlsKey = str('TESSERA_TLS_KEY');
  const tlsClientCa = str('TESSERA_TLS_CLIENT_CA');
  if ((tlsCert === null) !== (tlsKey === null)) {
    problems.push('TESSERA_TLS_CERT and TESSERA_TLS_KEY must be given together');
  }
  if (tlsClientCa !== null && (tlsCert === null || tlsKey === null)) {
    problems.push(
      'TESSERA_TLS_CLIENT_CA needs TESSERA_TLS_CERT and TESSERA_TLS_KEY (client certificates need HTTPS)',
    );
  }
  const shutdownTimeoutMs = int('TESSERA_SHUTDOWN_TIMEOUT_MS', 10_000, 100, 600_000);
  const processes = int('TESSERA_PROCESSES', 1, 1, 64);
  const metrics = metricsExposure(str('TESSERA_METRICS_LISTEN'), str('TESSERA_METRICS_TOKEN'), problems);
  if (metrics && !metrics.listen && processes > 1) {
    problems.push(
      'with TESSERA_PROCESSES > 1, set TESSERA_METRICS_LISTEN: the primary process serves the metrics of all hub processes there',
    );
  }
  if (metrics?.listen && metrics.listen.port === port && metrics.listen.port !== 0) {
    problems.push(`TESSERA_METRICS_LISTEN must use another port than TESSERA_PORT (${port})`);
  }
  const headersTimeoutMs = int('TESSERA_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = int('TESSERA_REQUEST_TIMEOUT_MS', 120_000, 100, 3_600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    problems.push(
      `TESSERA_REQUEST_TIMEOUT_MS (${requestTimeoutMs}) must not be less than TESSERA_HEADERS_TIMEOUT_MS (${headersTimeoutMs})`,
    );
  }
  const bodyTimeoutMs = int('TESSERA_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const keepAliveTimeoutMs = int('TESSERA_KEEP_ALIVE_TIMEOUT_MS', 65_000, 100, 600_000);
  const sendTimeoutMs = int('TESSERA_SEND_TIMEOUT_MS', 60_000, 100, 3_600_000);

  const config: Config = {
    port,
    host,
    store,
    publicUrl,
    title: str('TESSERA_TITLE') ?? 'Tessera threat-intelligence sharing hub',
    description: str('TESSERA_DESCRIPTION'),
    contact: str('TESSERA_CONTACT'),
    defaultApiRoot,
    pageSize,
    maxPageSize,
    maxContentLength,
    maxEnvelopeObjects,
    maxObjectBytes,
    maxNestingDepth,
    maxPatternTokens,
    maxPageBytes,
    maxStatusBytes,
    statusTtlHours,
    strictValidation: bool('TESSERA_STRICT_VALIDATION', false),
    ingestWorkers: int('TESSERA_INGEST_WORKERS', 1, 0, 16),
    processes,
    logLevel,
    trustProxy: str('TESSERA_TRUST_PROXY'),
    shutdownTimeoutMs,
    headersTimeoutMs,
    requestTimeoutMs,
    bodyTimeoutMs,
    keepAliveTimeoutMs,
    sendTimeoutMs,
    feedsFile: str('TESSERA_FEEDS_FILE'),
    tls: tlsCert && tlsKey ? { certFile: tlsCert, keyFile: tlsKey, clientCaFile: tlsClientCa } : null,
    auditRetentionDays: int('TESSERA_AUDIT_RETENTION_DAYS', 180, 1, 36_500),
    authThrottle: {
      addressFailures: int('TESSERA_AUTH_ADDRESS_FAILURES', 30, 1, 1_000_000),
      userFailures: int('TESSERA_AUTH_USER_FAILURES', 10, 1, 1_000_000),
      failureWindowSeconds: int('TESSERA_AUTH_FAILURE_WINDOW_SECONDS', 600, 1, 86_400),
      hashConcurrency: int('TESSERA_AUTH_HASH_CONCURRENCY', 1, 1, 64),
      hashQueue: int('TESSERA_AUTH_HASH_QUEUE', 32, 0, 10_000),
    },
    metrics,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const MIN_METRICS_TOKEN = 16;

function metricsExposure(
  listenRaw: string | null,
  token: string | null,
  problems: string[],
): MetricsExposure | null {
  if (listenRaw === null && token === null) return null;
  let listen: MetricsExposure['listen'] = null;
  if (listenRaw !== null) {
    const m = /^(?:(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):)?(\d{1,5})$/.exec(listenRaw);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) {
      problems.push(
        `TESSERA_METRICS_LISTEN must be host:port, [ipv6]:port or a port, got ${JSON.stringify(listenRaw)}`,
      );
    } else {
      listen = { host: m[1] ?? m[2] ?? '127.0.0.1', port };
    }
  }
  if (token !== null && (token.length < MIN_METRICS_TOKEN || /\s/.test(token))) {
    problems.push(`TESSERA_METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters without spaces`);
  }
  return { listen, token };
}

/** The bounds on POSTed content (server/ingest), from the configuration. */
export function contentLimits(config: Config): ContentLimits {
  return {
    maxObjects: config.maxEnvelopeObjects,
    maxObjectBytes: config.maxObjectBytes,
    maxDepth: config.maxNestingDepth,
    maxPatternTokens: config.maxPatternTokens,
  };
}
