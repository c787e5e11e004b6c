/**
 * `tessera feed list | run | status`: the feeds of TESSERA_FEEDS_FILE (the file the hub reads),
 * run on demand through the same runner as the hub's scheduler (same lease, so a run never
 * overlaps the hub's), and their recorded runs. Loaded only when a feed command runs (see
 * ./commands.ts).
 */
import { hostname } from 'node:os';
import { contentLimits, type Config } from '../../server/config';
import { validationLimits } from '../../server/ingest';
import { BadRequestError, NotFoundError } from '../../server/errors';
import { feedRunCount, feedRunDetail, feedRunStatus } from '../../server/audit/records';
import { createLogger } from '../../server/logger';
import { stixValidator } from '../../server/stix/plug';
import {
  feedStatus,
  FeedConfigError,
  loadFeedFile,
  runFeed,
  type FeedDefinition,
  type FeedRun,
  type FeedStatus,
} from '../../feeds';
import type { FeedProgress } from '../../feeds/runner';
import type { Handlers } from './command';
import { printJson, writeStdout } from './output';
import { progressBar } from './progress';

function definitions(config: Config): FeedDefinition[] {
  if (!config.feedsFile)
    throw new BadRequestError('TESSERA_FEEDS_FILE is not set: there are no feeds to show or run');
  try {
    return loadFeedFile(config.feedsFile);
  } catch (e) {
    if (e instanceof FeedConfigError) throw new BadRequestError(e.message);
    throw e;
  }
}

function pick(feeds: FeedDefinition[], name: string): FeedDefinition {
  const def = feeds.find((f) => f.name === name);
  if (!def)
    throw new NotFoundError(
      `no feed named ${JSON.stringify(name)} in ${feeds.length ? feeds.map((f) => f.name).join(', ') : 'the feeds file'}`,
    );
  return def;
}

function counts(r: FeedRun): string {
  if (r.unchanged) return 'source unchanged since the last complete copy (not modified), nothing fetched';
  const parts = [
    `fetched ${r.fetched}`,
    `added ${r.added}`,
    `duplicates ${r.duplicates}`,
    `rejected ${r.rejected}`,
  ];
  if (r.skipped) parts.push(`skipped ${r.skipped}`);
  if (r.expired) parts.push(`expired ${r.expired}`);
  return parts.join(', ');
}

function runText(r: FeedRun, indent = '  '): string[] {
  const secs = ((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1);
  const lines = [
    `${indent}${r.startedAt} → ${r.endedAt} (${secs} s, ${r.trigger}) ${r.ok ? 'ok' : 'FAILED'}: ${counts(r)}`,
  ];
  if (r.error) lines.push(`${indent}  error: ${r.error}`);
  for (const x of r.rejections.slice(0, 5)) lines.push(`${indent}  rejected ${x.where}: ${x.reason}`);
  if (r.rejected > 5)
    lines.push(`${indent}  … ${r.rejected - Math.min(5, r.rejections.length)} more rejected`);
  return lines;
}

function statusText(s: FeedStatus): string {
  const lines = [
    `${s.name}  (${s.kind}, ${s.enabled ? s.schedule : 'disabled'}) → ${s.target.apiRoot}/${s.target.collection}`,
  ];
  if (s.runningOn) lines.push(`  running now on ${s.runningOn}`);
  if (s.failures > 0)
    lines.push(`  ${s.failures} failed run(s) in a row; backing off until ${s.backoffUntil ?? '-'}`);
  lines.push(`  next run: ${s.nextRun ?? '-'}`);
  if (s.lastRuns.length === 0) lines.push('  no run yet');
  for (const r of s.lastRuns) lines.push(...runText(r));
  return lines.join('\n');
}

/** The run's progress on a terminal (stderr): the shared bar of ./progress.ts. */
function feedProgress(): { update: (p: FeedProgress) => void; end: () => void } {
  const bar = progressBar(process.stderr, 'entries');
  return {
    update: (p) =>
      bar.update(
        p.done,
        p.total,
        `fetched ${p.fetched}, added ${p.added}, duplicates ${p.duplicates}, rejected ${p.rejected}`,
      ),
    end: () => bar.end(),
  };
}

/** The feed commands: a run touches what the feed runner does; list and status read the state. */
export const feedCommands: Handlers<'registry' | 'objects' | 'statuses' | 'state'> = {
  'feed list': async ({ json, config }) => {
    const feeds = definitions(config);
    if (json) {
      await printJson({ feeds });
      return 0;
    }
    await writeStdout(
      feeds.length === 0
        ? 'no feeds\n'
        : feeds
            .map(
              (f) =>
                `${f.name}  ${f.kind}  ${f.enabled === false ? 'disabled' : f.schedule}  → ${f.target.apiRoot}/${f.target.collection}  ${f.url}`,
            )
            .join('\n') + '\n',
    );
    return 0;
  },

  'feed run': async ({ args, json, config, stores: { registry, objects, statuses, state }, audit }) => {
    const feeds = definitions(config);
    const def = pick(feeds, args.name as string);
    const bar = json ? { update: () => undefined, end: () => undefined } : feedProgress();
    const result = await runFeed(
      def,
      {
        registry,
        objects,
        statuses,
        state,
        validate: stixValidator(config.strictValidation, validationLimits(contentLimits(config))),
        limits: contentLimits(config),
        statusTtlHours: config.statusTtlHours,
        owner: `cli:${hostname()}:${process.pid}`,
        logger: createLogger('silent'),
      },
      { trigger: 'manual', onProgress: bar.update },
    );
    bar.end();
    if (result.ran) {
      const target = await registry.findCollection({
        apiRoot: def.target.apiRoot,
        idOrAlias: def.target.collection,
      });
      audit.apiRoot = def.target.apiRoot;
      audit.collection = target?.id ?? null;
      audit.count = feedRunCount(result);
      audit.detail = feedRunDetail(result);
      audit.status = feedRunStatus(result);
    }
    if (!result.ran)
      throw new BadRequestError(
        `feed ${def.name} is being run by ${result.runningOn ?? 'another instance'} right now; try again later`,
      );
    if (json) await printJson(result);
    else
      await writeStdout(`feed ${def.name}: ${result.ok ? 'ok' : 'FAILED'}\n${runText(result).join('\n')}\n`);
    return result.ok ? 0 : 1;
  },

  'feed status': async ({ args, options, json, config, stores: { state } }) => {
    const feeds = definitions(config);
    const chosen = args.name !== undefined ? [pick(feeds, args.name)] : feeds;
    const n = options.runs === undefined ? 5 : Number(options.runs);
    if (!Number.isInteger(n) || n < 1 || n > 20)
      throw new BadRequestError('--runs must be a whole number from 1 to 20');
    const status = await feedStatus(state, chosen, n);
    if (json) await printJson({ feeds: status });
    else await writeStdout(status.length === 0 ? 'no feeds\n' : `${status.map(statusText).join('\n\n')}\n`);
    return 0;
  },
};
