/**
 * Preparing a POSTed envelope (parse, check, validate, serialise) is CPU work with no I/O: it runs
 * in a pool of worker threads so that the event loop stays free for reads and for the store, and
 * so that a second core is used. With no workers (TESSERA_INGEST_WORKERS=0) it runs inline.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  BadRequestError,
  PayloadTooLargeError,
  StoreError,
  TesseraError,
  UnprocessableError,
} from '../errors';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits, type PrepareFn, type Prepared } from './prepare';
import type { PrepareRequest, WorkerData, WorkerMessage } from './worker';

/**
 * The worker script next to this file: ./worker.js in a build (dist/server/ingest/), else
 * ./worker.ts (under tsx: tests, `node --import tsx server/main.ts`).
 */
export function workerFile(dir: string = __dirname): string {
  const base = path.join(dir, 'worker');
  return existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
}

/**
 * What a worker thread runs: `serve(parentPort, workerData)` of the worker script. A TypeScript
 * script is loaded through tsx's CommonJS hook; a compiled one needs nothing else (tsx is a
 * development dependency, absent from a production install).
 */
export function bootCode(file: string): string {
  const load = `const { parentPort, workerData } = require('node:worker_threads'); require(${JSON.stringify(file)}).serve(parentPort, workerData);`;
  return file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs'))}); ${load}` : load;
}

function errorFromReply(status: number, message: string): TesseraError {
  if (status === 400) return new BadRequestError(message);
  if (status === 413) return new PayloadTooLargeError(message);
  if (status === 422) return new UnprocessableError(message);
  return new StoreError(`ingest worker failed: ${message}`);
}

const CLOSED = 'the ingest worker pool is closed';

/**
 * A worker that dies before it is ready (it cannot even start: out of memory, a broken install) is
 * started again after a pause that doubles with each such failure, from 100 ms up to 30 s, so that a
 * worker that can never start does not spin a core; one that dies after it was ready is replaced at once.
 */
const START_RETRY_MS = { first: 100, max: 30_000 };

interface Pending {
  resolve: (p: Prepared) => void;
  reject: (e: Error) => void;
}

class PrepareWorker {
  readonly pending = new Map<number, Pending>();
  /** True once the worker has compiled the validator and warmed it up. */
  ready = false;
  /** How many times the worker thread died and was started again. */
  restarts = 0;
  private worker: Worker;
  private closing = false;
  /** Deaths in a row before a worker was ready (reset when one is), and the restart waiting after one. */
  private failedStarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly data: WorkerData,
  ) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const w = new Worker(bootCode(this.file), { eval: true, workerData: this.data, execArgv: [] });
    w.unref();
    this.ready = false;
    w.on('message', (reply: WorkerMessage) => {
      if ('ready' in reply) {
        this.ready = true;
        this.failedStarts = 0;
        return;
      }
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.prepared);
      else p.reject(errorFromReply(reply.status, reply.message));
    });
    w.on('error', (err) => this.failAll(err.message));
    w.on('exit', (code) => {
      if (this.closing) return this.failAll(CLOSED);
      // Whatever it was preparing is lost: refused (500), and a new worker takes its place.
      this.failAll(`ingest worker exited with code ${code}`);
      if (this.ready) this.restart();
      else {
        const pause = Math.min(START_RETRY_MS.first * 2 ** this.failedStarts, START_RETRY_MS.max);
        this.failedStarts++;
        this.restartTimer = setTimeout(() => this.restart(), pause).unref();
      }
    });
    return w;
  }

  private restart(): void {
    this.restartTimer = undefined;
    this.restarts++;
    this.worker = this.spawn();
  }

  /** What the pool weighs when it picks a worker: its pending requests; one that failed to start, last. */
  load(): number {
    return this.failedStarts === 0 ? this.pending.size : Infinity;
  }

  private failAll(why: string): void {
    for (const [, p] of this.pending) p.reject(new StoreError(`ingest worker failed: ${why}`));
    this.pending.clear();
  }

  send(req: PrepareRequest, pending: Pending): void {
    if (this.closing) return pending.reject(new StoreError(`ingest worker failed: ${CLOSED}`));
    if (this.restartTimer !== undefined) {
      return pending.reject(
        new StoreError(`ingest worker failed: it could not start (${this.failedStarts} times in a row)`),
      );
    }
    this.pending.set(req.id, pending);
    this.worker.postMessage(req);
  }

  /** Stops the thread; a request still pending is refused. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    await this.worker.terminate();
  }
}

/** A fixed pool of prepare workers; each request goes to the least busy one. */
export class PreparePool {
  private readonly workers: PrepareWorker[];
  private nextId = 1;

  /** `file`: the worker script, see workerFile (tests give one of their own). */
  constructor(
    size: number,
    strict: boolean,
    limits: ContentLimits = DEFAULT_CONTENT_LIMITS,
    file: string = workerFile(),
  ) {
    this.workers = Array.from({ length: size }, () => new PrepareWorker(file, { strict, limits }));
  }

  prepare: PrepareFn = (text) =>
    new Promise<Prepared>((resolve, reject) => {
      let best = this.workers[0] as PrepareWorker;
      for (const w of this.workers) if (w.load() < best.load()) best = w;
      // Stryker disable next-line UpdateOperator: counting down gives unique ids as well
      best.send({ id: this.nextId++, text }, { resolve, reject });
    });

  /** Whether every worker has finished compiling and warming up its validator (for /readyz). */
  isReady(): boolean {
    return this.workers.every((w) => w.ready);
  }

  /** How many worker threads died and were started again (each refused what it was preparing). */
  restarts(): number {
    return this.workers.reduce((n, w) => n + w.restarts, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
