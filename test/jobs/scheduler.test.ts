/**
 * The scheduler (server/jobs/scheduler.ts) and the feed jobs it runs: a job never overlaps itself,
 * scheduled starts are jittered and cancelled by stop(), running jobs are asked to stop, and a feed
 * that failed backs off its scheduled starts.
 */
import assert from 'node:assert/strict';
import { feedJob, readFeedState, type FeedDefinition } from '../../feeds';
import { Scheduler, type Job } from '../../server/jobs/scheduler';
import { createLogger } from '../../server/logger';
import { openTestStore, type TestStores } from '../helpers/store';

const logger = createLogger('silent');
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('scheduler', () => {
  it('never runs a job twice at once', async () => {
    const s = new Scheduler(logger);
    let runs = 0;
    let release: () => void = () => undefined;
    let hold = true;
    const job: Job = {
      name: 'j',
      schedule: '0 0 1 1 *',
      run: () => {
        runs++;
        return hold ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    };
    const a = s.trigger(job);
    const b = s.trigger(job);
    assert.equal(runs, 1, 'the second start is skipped while the first runs');
    hold = false;
    release();
    await Promise.all([a, b]);
    await s.trigger(job).then(() => undefined);
    assert.equal(runs, 2, 'once finished, it may run again');
  });

  it('delays a scheduled start by its jitter; stop() cancels a pending start and aborts a running job', async () => {
    const s = new Scheduler(logger, () => 0.5);
    let started = 0;
    const job: Job = {
      name: 'jittered',
      schedule: '0 0 1 1 *',
      jitterMs: 400,
      run: async () => void started++,
    };
    s.fireScheduled(job);
    await tick(50);
    assert.equal(started, 0, 'not before its jitter (0.5 x 400 ms)');
    await tick(300);
    assert.equal(started, 1);

    s.fireScheduled(job);
    let aborted = false;
    const long: Job = {
      name: 'long',
      schedule: '0 0 1 1 *',
      run: (signal) =>
        new Promise<void>((r) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            r();
          }),
        ),
    };
    void s.trigger(long);
    await s.stop();
    await tick(300);
    assert.equal(started, 1, 'the pending jittered start was cancelled');
    assert.equal(aborted, true, 'the running job was asked to stop');
  });
});

describe('feed jobs', () => {
  let ts: TestStores;
  before(async () => {
    ts = await openTestStore();
  });
  after(async () => {
    await ts.cleanup();
  });

  it('a scheduled start is skipped while the feed backs off, and runs once the back-off has passed', async () => {
    const def: FeedDefinition = {
      name: 'failing',
      kind: 'ioc-list',
      schedule: '0 * * * *',
      url: 'http://127.0.0.1:9/never',
      target: { apiRoot: 'api1', collection: 'none' },
    };
    const { registry, objects, statuses } = ts;
    const deps = { registry, objects, statuses, state: ts.state, statusTtlHours: 24, owner: 'me', logger };
    const job = feedJob(def, deps);
    const never = new AbortController().signal;
    await job.run(never);
    let state = await readFeedState(ts.state, 'failing');
    assert.deepEqual([state.runs.length, state.failures], [1, 1]);
    await job.run(never);
    state = await readFeedState(ts.state, 'failing');
    assert.equal(state.runs.length, 1, 'backing off: the scheduled start did not run');
    // Once the back-off has passed, the next scheduled start runs.
    await ts.state.putState({
      key: 'feed:failing',
      value: JSON.stringify({ ...state, backoffUntil: new Date(Date.now() - 1000).toISOString() }),
      expectedVersion: (await ts.state.getState('feed:failing'))?.version ?? 0,
    });
    await job.run(never);
    state = await readFeedState(ts.state, 'failing');
    assert.deepEqual([state.runs.length, state.failures], [2, 2]);
    assert.equal(state.runs[0]?.trigger, 'schedule');
  });
});
