/**
 * The audit trail's writer: requests hand it records (`record`, synchronous, never throws) and it
 * writes them to the store in batches — every `flushMs` or as soon as `batchSize` are waiting — so a
 * paged read pays for a push onto an array, not for a store write.
 *
 * Durability: `close()` (graceful shutdown, after the server stopped taking requests) writes
 * everything still waiting. A crash (SIGKILL, power loss) loses what was recorded since the last
 * flush: at most `flushMs` (1 s by default) of records, or `batchSize` of them. A store that refuses
 * a write keeps the batch waiting for the next flush; the buffer is bounded (`maxPending`): beyond
 * it the oldest records are dropped and the count of dropped records is logged, so a dead store
 * cannot exhaust the memory of the hub.
 */
import type { Logger } from 'pino';
import type { AuditRecord, AuditStore } from '../store/contract';

export interface AuditTrailOptions {
  flushMs?: number;
  batchSize?: number;
  maxPending?: number;
}

export class AuditTrail {
  private pending: AuditRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;
  private closed = false;
  private readonly flushMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(
    private readonly store: Pick<AuditStore, 'appendAudit'>,
    private readonly logger: Logger,
    opts: AuditTrailOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 1000;
    this.batchSize = opts.batchSize ?? 500;
    this.maxPending = opts.maxPending ?? 100_000;
  }

  record(r: AuditRecord): void {
    this.pending.push(r);
    if (this.pending.length > this.maxPending) {
      const over = this.pending.length - this.maxPending;
      this.pending.splice(0, over);
      this.dropped += over;
    }
    if (this.closed) return; // after close: written by the final flush only if one is running
    if (this.pending.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.flushMs);
      this.timer.unref();
    }
  }

  /** Write what is waiting (one flush at a time; resolves when the store has it or refused it). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        await this.store.appendAudit(batch);
      } catch (err) {
        // Put the batch back in front of what arrived meanwhile, within the bound.
        this.pending = batch.concat(this.pending);
        const over = this.pending.length - this.maxPending;
        if (over > 0) {
          this.pending.splice(0, over);
          this.dropped += over;
        }
        this.logger.error(
          { err, waiting: this.pending.length },
          'audit records could not be written; will retry',
        );
        if (!this.closed && !this.timer) {
          this.timer = setTimeout(() => {
            this.timer = null;
            void this.flush();
          }, this.flushMs);
          this.timer.unref();
        }
      } finally {
        this.flushing = null;
      }
      if (this.dropped > 0) {
        this.logger.error(
          { dropped: this.dropped },
          'audit records dropped: the store did not take them in time',
        );
        this.dropped = 0;
      }
    })();
    await this.flushing;
  }

  /** Records waiting to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Final flush (graceful shutdown); later records are kept only in memory. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.flush();
    // Whatever arrived while the last batch was written.
    if (this.pending.length > 0) await this.flush();
  }
}
