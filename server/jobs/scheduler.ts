/**
 * The job scheduler: named jobs on cron schedules (node-cron). A job never overlaps itself; each
 * run is logged with its duration; stop() waits for running jobs (bounded by the caller).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

export interface Job {
  name: string;
  /** Cron expression (node-cron syntax, seconds optional). */
  schedule: string;
  run(): Promise<void>;
}

export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  add(job: Job): void {
    const task = cron.schedule(job.schedule, () => {
      void this.trigger(job);
    });
    this.tasks.push(task);
  }

  /** Run a job now unless it is already running; resolves when that run ends. */
  trigger(job: Job): Promise<void> {
    const current = this.running.get(job.name);
    if (current) return current;
    const started = Date.now();
    const p = job
      .run()
      .then(() => this.logger.info({ job: job.name, ms: Date.now() - started }, 'job finished'))
      .catch((err: unknown) => this.logger.error({ job: job.name, err }, 'job failed'))
      .finally(() => this.running.delete(job.name));
    this.running.set(job.name, p);
    return p;
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.stop();
    await Promise.all(this.running.values());
  }
}
