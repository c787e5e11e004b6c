/**
 * Preparing a POSTed envelope (parse, check, validate, serialise) is CPU work with no I/O: it runs
 * in a pool of worker threads so that the event loop stays free for reads and for the store, and
 * so that a second core is used. With no workers (TESSERA_INGEST_WORKERS=0) it runs inline.
 */
import { existsSync } from 'node:fs';
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

function errorFromReply(status: number, message: string): TesseraError {
  if (status === 400) return new BadRequestError(message);
  if (status === 413) return new PayloadTooLargeError(message);
  if (status === 422) return new UnprocessableError(message);
  return new StoreError(`ingest worker failed: ${message}`);
}

interface Pending {
  resolve: (p: Prepared) => void;
  reject: (e: Error) => void;
}

class PrepareWorker {
  readonly pending = new Map<number, Pending>();
  /** True once the worker has compiled the validator and warmed it up. */
  ready = false;
  private worker: Worker;
  private closing = false;

  constructor(
    private readonly file: string,
    private readonly data: WorkerData,
  ) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    // Under tsx (tests, `node --import tsx server/main.ts`) the worker loads the TypeScript source
    // through tsx's CommonJS hook; compiled builds start the .js file directly.
    const w = this.file.endsWith('.ts')
      ? new Worker(
          `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(this.file)});`,
          {
            eval: true,
            workerData: this.data,
            execArgv: [],
          },
        )
      : new Worker(this.file, { workerData: this.data });
    w.unref();
    this.ready = false;
    w.on('message', (reply: WorkerMessage) => {
      if ('ready' in reply) {
        this.ready = true;
        return;
      }
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.prepared);
      else p.reject(errorFromReply(reply.status, reply.message));
    });
    w.on('error', (err) => this.failAll(err));
    w.on('exit', (code) => {
      if (this.closing) return;
      this.failAll(new Error(`ingest worker exited with code ${code}`));
      this.worker = this.spawn();
    });
    return w;
  }

  private failAll(err: Error): void {
    for (const [, p] of this.pending) p.reject(new StoreError(`ingest worker failed: ${err.message}`));
    this.pending.clear();
  }

  send(req: PrepareRequest, pending: Pending): void {
    this.pending.set(req.id, pending);
    this.worker.postMessage(req);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

/** A fixed pool of prepare workers; each request goes to the least busy one. */
export class PreparePool {
  private readonly workers: PrepareWorker[];
  private nextId = 1;

  constructor(size: number, strict: boolean, limits: ContentLimits = DEFAULT_CONTENT_LIMITS) {
    // ./worker.js next to this file in a build (dist/server/ingest/), ./worker.ts under tsx.
    const base = `${__dirname}/worker`;
    const file = existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
    this.workers = Array.from({ length: size }, () => new PrepareWorker(file, { strict, limits }));
  }

  prepare: PrepareFn = (text) =>
    new Promise<Prepared>((resolve, reject) => {
      let best = this.workers[0] as PrepareWorker;
      for (const w of this.workers) if (w.pending.size < best.pending.size) best = w;
      best.send({ id: this.nextId++, text }, { resolve, reject });
    });

  /** Whether every worker has finished compiling and warming up its validator (for /readyz). */
  isReady(): boolean {
    return this.workers.every((w) => w.ready);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
