/**
 * Prometheus metrics (prom-client): off unless TESSERA_METRICS_LISTEN or TESSERA_METRICS_TOKEN is
 * set. One registry per process with the hub's own metrics and prom-client's default process and
 * Node.js metrics (CPU, memory, file descriptors, GC, event-loop lag). In cluster mode the
 * primary serves the sum over its hub processes (prom-client's AggregatorRegistry over the
 * cluster IPC channel).
 *
 * prom-client rather than hand-written exposition: it is the Prometheus client the Node.js world
 * uses, gets the text format, histogram buckets, default process metrics and cluster aggregation
 * right, and is maintained.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Histogram,
  Registry,
  type PrometheusContentType,
} from 'prom-client';
import type { IngestSummary } from '../ingest';
import type { Stores } from '../store/contract';

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
const FEED_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export type IngestSource = 'taxii' | 'feed';

export class Metrics {
  readonly registry = new Registry<PrometheusContentType>();
  readonly httpRequests: Histogram<'route' | 'method' | 'status'>;
  readonly objectsIngested: Counter<'source' | 'outcome' | 'rule'>;
  readonly objectsServed: Counter<'route'>;
  readonly authFailures: Counter<'scheme' | 'status'>;
  readonly storeOperations: Histogram<'concern' | 'operation' | 'outcome'>;
  readonly feedRuns: Counter<'feed' | 'outcome'>;
  readonly feedRunDuration: Histogram<'feed' | 'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'HTTP requests by TAXII endpoint (URL template), method and status; _count is the request count',
      labelNames: ['route', 'method', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.objectsIngested = new Counter({
      name: 'tessera_objects_ingested_total',
      help: 'Objects received through TAXII POST or feeds: added, duplicate, or failed (with the first rule broken)',
      labelNames: ['source', 'outcome', 'rule'],
      registers,
    });
    this.objectsServed = new Counter({
      name: 'tessera_objects_served_total',
      help: 'Objects (or manifest records, or versions) served, by TAXII endpoint',
      labelNames: ['route'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'tessera_auth_failures_total',
      help: 'Refused authentications, by credential scheme and status (401, 429)',
      labelNames: ['scheme', 'status'],
      registers,
    });
    this.storeOperations = new Histogram({
      name: 'tessera_store_operation_duration_seconds',
      help: 'Store operations by concern (registry, principals, objects, statuses, state, …), operation and outcome',
      labelNames: ['concern', 'operation', 'outcome'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.feedRuns = new Counter({
      name: 'tessera_feed_runs_total',
      help: 'Feed runs by feed and outcome',
      labelNames: ['feed', 'outcome'],
      registers,
    });
    this.feedRunDuration = new Histogram({
      name: 'tessera_feed_run_duration_seconds',
      help: 'Feed run duration by feed and outcome',
      labelNames: ['feed', 'outcome'],
      buckets: FEED_BUCKETS,
      registers,
    });
  }

  /** In a cluster worker: answer the primary's requests for this registry. */
  shareWithPrimary(): void {
    // Constructing an AggregatorRegistry installs the worker's reply listener (prom-client).
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([this.registry]);
  }

  /**
   * The same stores with every operation of every concern timed; the rest (backend, init, ping,
   * close, backup) passed through. A concern is any member that is an object, so a concern added
   * to `Stores` later is timed without a change here.
   */
  instrument(stores: Stores): Stores {
    const out: Record<string, unknown> = { ...stores };
    for (const [name, value] of Object.entries(stores))
      if (typeof value === 'object' && value !== null) out[name] = this.timed(name, value as object);
    return out as unknown as Stores;
  }

  /** Counts a committed batch: added, duplicates, failures by rule. */
  ingested(source: IngestSource, summary: IngestSummary): void {
    if (summary.added > 0) this.objectsIngested.inc({ source, outcome: 'added', rule: '' }, summary.added);
    if (summary.duplicates > 0) {
      this.objectsIngested.inc({ source, outcome: 'duplicate', rule: '' }, summary.duplicates);
    }
    for (const [rule, n] of summary.failedByRule)
      this.objectsIngested.inc({ source, outcome: 'failed', rule }, n);
  }

  /** A feed run's objects: added, duplicates, rejected by the rule their reason names. */
  ingestedByFeed(run: {
    added: number;
    duplicates: number;
    rejected: number;
    rejections: { reason: string }[];
  }): void {
    const failedByRule = new Map<string, number>();
    let named = 0;
    for (const r of run.rejections) {
      const rule = /^([a-z0-9-]+) at /.exec(r.reason)?.[1];
      if (!rule || named >= run.rejected) continue;
      failedByRule.set(rule, (failedByRule.get(rule) ?? 0) + 1);
      named++;
    }
    // The run keeps only the first rejections: the rest are counted without a rule.
    if (run.rejected > named)
      failedByRule.set('unknown', (failedByRule.get('unknown') ?? 0) + run.rejected - named);
    this.ingested('feed', {
      total: run.added + run.duplicates + run.rejected,
      added: run.added,
      duplicates: run.duplicates,
      failed: run.rejected,
      failedByRule,
    });
  }

  /** Counts a feed run by outcome (ok, failed, skipped: another instance held the lease, backoff). */
  feedRun(feed: string, outcome: string, seconds: number): void {
    this.feedRuns.inc({ feed, outcome });
    if (outcome === 'ok' || outcome === 'failed') this.feedRunDuration.observe({ feed, outcome }, seconds);
  }

  /**
   * Times every method of `target` that returns a promise (or a value), under `concern`: one
   * wrapper around a whole store concern instead of timing code in every backend file.
   */
  timed<T extends object>(concern: string, target: T): T {
    const histogram = this.storeOperations;
    const cache = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get(obj, prop, receiver) {
        const value: unknown = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function' || typeof prop === 'symbol') return value;
        let wrapped = cache.get(prop);
        if (!wrapped) {
          const fn = value as (...args: unknown[]) => unknown;
          const operation = prop;
          wrapped = (...args: unknown[]): unknown => {
            const end = histogram.startTimer({ concern, operation });
            let result: unknown;
            try {
              result = fn.apply(obj, args);
            } catch (e) {
              end({ outcome: 'error' });
              throw e;
            }
            if (result instanceof Promise) {
              return result.then(
                (v: unknown) => {
                  end({ outcome: 'ok' });
                  return v;
                },
                (e: unknown) => {
                  end({ outcome: 'error' });
                  throw e;
                },
              );
            }
            end({ outcome: 'ok' });
            return result;
          };
          cache.set(prop, wrapped);
        }
        return wrapped;
      },
    });
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Whether the request carries `Authorization: Bearer <token>` (constant-time comparison). */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(req.headers.authorization ?? '');
  return m !== null && timingSafeEqual(digest(m[1] as string), digest(token));
}

/**
 * The /metrics handler: the text exposition of `collect()`, behind the bearer token when one is
 * configured (401 with a Bearer challenge otherwise). Only GET (and HEAD).
 */
export function metricsHandler(collect: () => Promise<string>, token: string | null, contentType: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.statusCode = status;
      res.setHeader('Content-Type', type);
      res.setHeader('Cache-Control', 'no-store');
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(405, 'method not allowed\n');
      return;
    }
    if (token !== null && !hasToken(req, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="tessera-metrics"');
      send(401, 'a bearer token is required (TESSERA_METRICS_TOKEN)\n');
      return;
    }
    collect().then(
      (text) => send(200, text, contentType),
      (e: unknown) => send(500, `metrics collection failed: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  };
}

/** The cluster primary's view: every hub process's registry, summed. */
export function clusterCollector(): { collect: () => Promise<string>; contentType: string } {
  const aggregator = new AggregatorRegistry<PrometheusContentType>();
  return { collect: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}
