/** Registers every enabled feed as a scheduled job. */
import type { Scheduler } from '../server/jobs/scheduler';
import type { FeedDefinition } from './definition';
import { runFeed, type FeedDeps } from './runner';

export function scheduleFeeds(scheduler: Scheduler, feeds: FeedDefinition[], deps: FeedDeps): void {
  for (const def of feeds) {
    if (def.enabled === false) continue;
    scheduler.add({
      name: `feed:${def.name}`,
      schedule: def.schedule,
      run: async () => {
        await runFeed(def, deps);
      },
    });
  }
}

export { checkFeedDefinitions, loadFeedFile, FeedConfigError, type FeedDefinition } from './definition';
export { runFeed, readFeedState, type FeedRunResult } from './runner';
