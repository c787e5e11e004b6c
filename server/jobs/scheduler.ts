/**
 * The job scheduler: named jobs on cron schedules (node-cron). A job never overlaps itself; a
 * scheduled start may be delayed by a random jitter (so instances and feeds do not all start on
 * the same second); each run is logged with its duration; stop() cancels pending starts, asks
 * running jobs to stop (their AbortSignal) and waits for them (bounded by the caller).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

export interface Job {
  name: string;
  /** Cron expression (node-cron syntax, seconds optional). */
  schedule: string;
  /** A scheduled start waits a random delay from 0 to this many ms (default 0). */
  jitterMs?: number;
  /** `signal` aborts when the scheduler stops. */
  run(signal: AbortSignal): Promise<void>;
}

export class Scheduler {
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  add(job: Job): void {
    const task = cron.schedule(job.schedule, () => this.fireScheduled(job));
    this.tasks.set(job.name, task);
  }

  /** The next scheduled start of a job (before jitter), if it is scheduled. */
  nextRun(name: string): Date | null {
    return this.tasks.get(name)?.getNextRun() ?? null;
  }

  /** A scheduled start (what the cron tick does): after the job's jitter, unless stopping. */
  fireScheduled(job: Job): void {
    if (this.stopping.signal.aborted) return;
    const delay = Math.floor(this.random() * (job.jitterMs ?? 0));
    if (delay <= 0) {
      void this.trigger(job);
      return;
    }
    const t = setTimeout(() => {
      this.pending.delete(t);
      void this.trigger(job);
    }, delay);
    t.unref();
    this.pending.add(t);
  }

  /** Run a job now unless it is already running; resolves when that run ends. */
  trigger(job: Job): Promise<void> {
    const current = this.running.get(job.name);
    if (current) {
      this.logger.info({ job: job.name }, 'job still running: this start is skipped');
      return current;
    }
    const started = Date.now();
    const p = job
      .run(this.stopping.signal)
      .then(() => this.logger.info({ job: job.name, ms: Date.now() - started }, 'job finished'))
      .catch((err: unknown) => this.logger.error({ job: job.name, err }, 'job failed'))
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, p);
    return p;
  }

  async stop(): Promise<void> {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const t of this.tasks.values()) await t.stop();
    this.stopping.abort(new Error('the hub is shutting down'));
    await Promise.all(this.running.values());
  }
}
