/**
 * Wiring: load config → open the store → bootstrap → createApp → start jobs → listen, and an
 * ordered graceful shutdown on SIGTERM/SIGINT with a hard deadline.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { FeedConfigError, loadFeedFile, missingTargets, scheduleFeeds, type FeedDefinition } from '../feeds';
import { createApp } from './app';
import { auditOfFeedRun, type FeedRunOutcome } from './audit/records';
import { auditRetentionJob } from './audit/retention';
import { AuditTrail } from './audit/trail';
import { bootstrap } from './bootstrap';
import { ConfigError, contentLimits, loadConfig, type Config } from './config';
import { Scheduler } from './jobs/scheduler';
import { createServer, listen, loadTls, type TlsMaterial } from './listen';
import { createLogger } from './logger';
import { PreparePool, validationLimits } from './ingest';
import { openStore } from './store';
import type { Stores } from './store/contract';
import { nowMicros } from './time';
import { stixValidator } from './stix/plug';
import { clusterCollector, metricsHandler, Metrics } from './telemetry/metrics';
import type { Logger } from './logger';

/** Exit codes: 0 stopped, 1 failed, 2 configuration refused, 3 could not listen. */
const EXIT_CONFIG = 2;
const EXIT_LISTEN = 3;

/**
 * What an operator should read when the hub cannot take its address: the address, what the
 * system said, and what to do about it.
 */
function listenFailureMessage(
  host: string,
  port: number,
  err: NodeJS.ErrnoException,
  keys = { host: 'TESSERA_HOST', port: 'TESSERA_PORT' },
): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return (
        `cannot listen on ${where}: the address is already in use (EADDRINUSE). ` +
        `Another process holds port ${port} (perhaps another Tessera hub: check with ` +
        `\`ss -ltnp 'sport = :${port}'\`); stop it, or set ${keys.port} to a free port.`
      );
    case 'EACCES':
      return (
        `cannot listen on ${where}: permission denied (EACCES). Ports below 1024 need privileges: ` +
        `use a port of 1024 or more (${keys.port}) behind a reverse proxy, or grant CAP_NET_BIND_SERVICE.`
      );
    case 'EADDRNOTAVAIL':
      return (
        `cannot listen on ${where}: ${host} is not an address of this machine (EADDRNOTAVAIL). ` +
        `Set ${keys.host} to one of its addresses, 127.0.0.1, or 0.0.0.0 for all.`
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name ${host} does not resolve (${err.code}). Check ${keys.host}.`;
    default:
      return `cannot listen on ${where}: ${err.message}${err.code ? ` (${err.code})` : ''}. Check ${keys.host} and ${keys.port}.`;
  }
}

/**
 * Listens, or says why not (log and stderr), runs `cleanup` and exits with EXIT_LISTEN. Returns
 * the port actually bound.
 */
async function listenOrExit(
  server: Server,
  where: { host: string; port: number; keys?: { host: string; port: string } },
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<number> {
  try {
    await listen(server, where.port, where.host);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message = listenFailureMessage(where.host, where.port, err, where.keys);
    logger.fatal({ host: where.host, port: where.port, code: err.code }, message);
    console.error(`tessera: ${message}`);
    await cleanup().catch(() => {});
    process.exit(EXIT_LISTEN);
  }
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : where.port;
}

const METRICS_KEYS = { host: 'TESSERA_METRICS_LISTEN', port: 'TESSERA_METRICS_LISTEN' };

/** The separate /metrics listener (TESSERA_METRICS_LISTEN); any other path is 404. */
async function startMetricsServer(
  config: Config,
  listenAt: { host: string; port: number },
  token: string | null,
  source: { collect: () => Promise<string>; contentType: string },
  logger: Logger,
  cleanup: () => Promise<void>,
): Promise<Server> {
  const handle = metricsHandler(source.collect, token, source.contentType);
  // Plain HTTP, also when the hub serves HTTPS: the listener belongs on the monitoring network.
  const server = createServer(
    (req, res) => {
      if ((req.url ?? '').split('?')[0] === '/metrics') {
        handle(req, res);
        return;
      }
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('only /metrics is served here\n');
    },
    null,
    config,
    logger,
  );
  const port = await listenOrExit(server, { ...listenAt, keys: METRICS_KEYS }, logger, cleanup);
  logger.info({ host: listenAt.host, port }, `metrics on http://${listenAt.host}:${port}/metrics`);
  return server;
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tessera: ${e.message}`);
      process.exit(EXIT_CONFIG);
    }
    throw e;
  }
}

/**
 * The feeds of TESSERA_FEEDS_FILE, or else every problem with them at once: the definitions'
 * problems, then the target collections (of the definitions without problems) that do not exist;
 * the hub stops there (exit 2).
 */
async function checkFeeds(config: Config, stores: Stores): Promise<FeedDefinition[]> {
  if (!config.feedsFile) return [];
  let feeds: FeedDefinition[];
  let problems: string[] = [];
  try {
    feeds = loadFeedFile(config.feedsFile);
  } catch (e) {
    if (!(e instanceof FeedConfigError)) throw e;
    ({ feeds, problems } = e);
  }
  const lost = await missingTargets(
    feeds,
    async (apiRoot, collection) =>
      (await stores.registry.findCollection({ apiRoot, idOrAlias: collection })) !== null,
  );
  if (problems.length === 0 && lost.length === 0) return feeds;
  console.error(`tessera: ${new FeedConfigError([...problems, ...lost]).message}`);
  await stores.close();
  process.exit(EXIT_CONFIG);
}

function readTls(config: Config): TlsMaterial | null {
  try {
    return loadTls(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tessera: ${e.message}`);
      process.exit(EXIT_CONFIG);
    }
    throw e;
  }
}

async function main(config: Config): Promise<void> {
  const tls = readTls(config);
  const logger = createLogger(config.logLevel);
  const metrics = config.metrics ? new Metrics() : null;
  if (metrics && !cluster.isPrimary) metrics.shareWithPrimary();
  const opened = await openStore(config.store);
  // With metrics on, every store operation of the hub (requests, jobs, feeds) is timed.
  const stores = metrics ? metrics.instrument(opened) : opened;
  const { objects, registry, state, statuses } = stores;
  await bootstrap(stores, config, logger);
  const feeds = await checkFeeds(config, stores);
  const limits = contentLimits(config);
  const validate = stixValidator(config.strictValidation, validationLimits(limits));
  const pool =
    config.ingestWorkers > 0 ? new PreparePool(config.ingestWorkers, config.strictValidation, limits) : null;
  // Audit records are written in batches; closed (everything written) at shutdown, after the server.
  const audit = new AuditTrail(stores.audit, logger);
  const app = await createApp({
    config,
    stores,
    logger,
    validate,
    feeds,
    audit,
    ...(pool ? { prepare: pool.prepare, ready: async () => pool.isReady() } : {}),
    ...(metrics ? { metrics } : {}),
  });

  // Listen before any job starts: a hub that cannot take its address stops here, having done nothing.
  const server = createServer(app, tls, config, logger);
  const release = async () => {
    await pool?.close();
    await stores.close();
  };
  const port = await listenOrExit(server, config, logger, release);
  logger.info(
    {
      host: config.host,
      port,
      store: stores.backend,
      tls: tls !== null,
      clientCertificates: !!tls?.clientCa,
    },
    `Tessera listening on ${tls ? 'https' : 'http'}://${config.host}:${port}/taxii2/`,
  );
  const metricsServer =
    metrics && config.metrics?.listen && cluster.isPrimary
      ? await startMetricsServer(
          config,
          config.metrics.listen,
          config.metrics.token,
          { collect: () => metrics.registry.metrics(), contentType: metrics.registry.contentType },
          logger,
          async () => {
            server.close();
            await release();
          },
        )
      : null;

  const scheduler = new Scheduler(logger);
  scheduler.add({
    name: 'purge-statuses',
    schedule: '17 * * * *',
    run: async () => {
      const n = await statuses.purgeStatuses({ before: nowMicros() });
      if (n > 0) logger.info({ purged: n }, 'expired statuses purged');
    },
  });

  const purgeAudit = auditRetentionJob(stores.audit, config.auditRetentionDays, logger);
  scheduler.add(purgeAudit);
  void scheduler.trigger(purgeAudit); // now too: a lowered retention applies from the start

  /** A run of the hub's scheduler in the audit trail, with its target collection (as the run found it). */
  const auditFeedRun = async (run: FeedRunOutcome): Promise<void> => {
    const def = feeds.find((f) => f.name === run.feed);
    const collection = def
      ? await registry
          .findCollection({ apiRoot: def.target.apiRoot, idOrAlias: def.target.collection })
          .catch(() => null)
      : null;
    audit.record(auditOfFeedRun(run, collection));
  };
  scheduleFeeds(scheduler, feeds, {
    registry,
    objects,
    statuses,
    state,
    statusTtlHours: config.statusTtlHours,
    owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    logger,
    validate,
    limits,
    onRun: (feed, outcome, seconds, result) => {
      metrics?.feedRun(feed, outcome, seconds);
      if (!result?.ran) return;
      metrics?.ingestedByFeed(result);
      void auditFeedRun(result);
    },
  });
  if (feeds.length > 0) logger.info({ feeds: feeds.map((f) => f.name) }, 'feeds scheduled');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    // Stop accepting, let in-flight requests finish (idle keep-alive sockets are closed now).
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    void (async () => {
      await scheduler.stop();
      await closed;
      await audit.close(); // every request has ended: its audit record is written now
      await pool?.close();
      await stores.close();
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * With TESSERA_PROCESSES > 1 the primary prepares the store once, then forks that many hub
 * processes sharing the listening socket (node:cluster); each is a full, stateless hub instance
 * (paging cursors, clock and leases live in the store). Signals are relayed for an ordered stop.
 */
async function primary(config: Config): Promise<void> {
  readTls(config); // unreadable or mismatched TLS files stop here, before any process is forked
  const logger = createLogger(config.logLevel);
  const stores = await openStore(config.store);
  await bootstrap(stores, config, logger);
  await checkFeeds(config, stores); // so does a feeds file with problems
  await stores.close();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.processes; i++) fork();
  // The primary serves the metrics of every hub process (summed over the cluster IPC channel).
  const metricsServer = config.metrics?.listen
    ? await startMetricsServer(
        config,
        config.metrics.listen,
        config.metrics.token,
        clusterCollector(),
        logger,
        async () => {
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        },
      )
    : null;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (code === EXIT_CONFIG || code === EXIT_LISTEN) {
      // Restarting would fail the same way: stop every process and report why.
      stopping = true;
      logger.error(
        { pid: worker.process.pid, code },
        code === EXIT_LISTEN
          ? 'a hub process could not listen (see its message); stopping'
          : 'a hub process refused its configuration; stopping',
      );
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exit(code);
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'hub process died; starting another');
    setTimeout(fork, 1000).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, processes: config.processes }, 'stopping hub processes');
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const startup = (() => {
  const config = readConfig();
  return cluster.isPrimary && config.processes > 1 ? primary(config) : main(config);
})();
startup.catch((err: unknown) => {
  console.error('tessera: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
