/**
 * Feeds: scheduling (every enabled feed a job; jitter; exponential back-off after failures) and
 * the status shown by `tessera feed status` and GET /feeds/status.
 */
import cron from 'node-cron';
import type { Job, Scheduler } from '../server/jobs/scheduler';
import type { StateStore } from '../server/store/contract';
import type { FeedDefinition } from './definition';
import { runFeed, type FeedDeps } from './runner';
import { leaseHolder, readFeedState, type FeedRun } from './state';

const MAX_JITTER_MS = 60_000;

/** When the schedule fires next after `from`, and the usual gap between two starts. */
export function cronTimes(
  schedule: string,
  from = new Date(),
): { next: Date | null; intervalMs: number | null } {
  const task = cron.createTask(schedule, () => undefined);
  try {
    const [a, b] = task.getNextRuns(2).filter((d) => d.getTime() > from.getTime());
    return { next: a ?? null, intervalMs: a && b ? b.getTime() - a.getTime() : null };
  } finally {
    void task.destroy();
  }
}

/** Jitter of a feed's scheduled starts: a tenth of its interval, at most a minute. */
export function jitterFor(schedule: string): number {
  const { intervalMs } = cronTimes(schedule);
  return intervalMs === null ? 0 : Math.min(MAX_JITTER_MS, Math.floor(intervalMs / 10));
}

/** The scheduled job of a feed: skipped while the feed backs off after failures. */
export function feedJob(def: FeedDefinition, deps: FeedDeps): Job {
  return {
    name: `feed:${def.name}`,
    schedule: def.schedule,
    jitterMs: jitterFor(def.schedule),
    run: async (signal) => {
      const state = await readFeedState(deps.state, def.name);
      if (state.backoffUntil && Date.parse(state.backoffUntil) > Date.now()) {
        deps.logger.info(
          { feed: def.name, failures: state.failures, until: state.backoffUntil },
          'feed backing off after failures: this start is skipped',
        );
        deps.onRun?.(def.name, 'backoff', 0, null);
        return;
      }
      const started = process.hrtime.bigint();
      const result = await runFeed(def, deps, { trigger: 'schedule', signal });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.onRun?.(def.name, !result.ran ? 'skipped' : result.ok ? 'ok' : 'failed', seconds, result);
    },
  };
}

/** Registers every enabled feed as a scheduled job. */
export function scheduleFeeds(scheduler: Scheduler, feeds: FeedDefinition[], deps: FeedDeps): void {
  for (const def of feeds) if (def.enabled !== false) scheduler.add(feedJob(def, deps));
}

export interface FeedStatus {
  name: string;
  kind: string;
  enabled: boolean;
  schedule: string;
  target: { apiRoot: string; collection: string };
  /** Instance running it now, if any. */
  runningOn: string | null;
  /** Failed runs in a row. */
  failures: number;
  backoffUntil: string | null;
  /** Next scheduled start (after any back-off); null when disabled. */
  nextRun: string | null;
  lastRuns: FeedRun[];
}

/** The status of each feed (newest runs first, at most `runs` of them). */
export async function feedStatus(
  state: StateStore,
  feeds: FeedDefinition[],
  runs = 5,
  now = new Date(),
): Promise<FeedStatus[]> {
  const out: FeedStatus[] = [];
  for (const def of feeds) {
    const s = await readFeedState(state, def.name);
    const enabled = def.enabled !== false;
    const backoff =
      s.backoffUntil && Date.parse(s.backoffUntil) > now.getTime() ? new Date(s.backoffUntil) : null;
    const next = enabled ? cronTimes(def.schedule, backoff ?? now).next : null;
    out.push({
      name: def.name,
      kind: def.kind,
      enabled,
      schedule: def.schedule,
      target: def.target,
      runningOn: await leaseHolder(state, def.name),
      failures: s.failures,
      backoffUntil: backoff ? backoff.toISOString() : null,
      nextRun: next ? next.toISOString() : null,
      lastRuns: s.runs.slice(0, runs),
    });
  }
  return out;
}

export {
  checkFeedDefinitions,
  loadFeedFile,
  missingTargets,
  FeedConfigError,
  FEED_KINDS,
  type FeedDefinition,
} from './definition';
export { runFeed, type FeedDeps, type FeedRunResult, type FeedProgress } from './runner';
export { readFeedState, type FeedRun, type FeedState } from './state';
