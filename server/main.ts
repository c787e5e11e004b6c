/**
 * Wiring: load config → open the store → bootstrap → createApp → start jobs → listen, and an
 * ordered graceful shutdown on SIGTERM/SIGINT with a hard deadline.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { FeedConfigError, loadFeedFile, scheduleFeeds, type FeedDefinition } from '../feeds';
import { createApp } from './app';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig, type Config } from './config';
import { Scheduler } from './jobs/scheduler';
import { createLogger } from './logger';
import { PreparePool } from './ingest-prepare';
import { openStore } from './store';
import { nowMicros } from './stix/time';
import { stixValidator } from './stix/plug';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tessera: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

function readFeeds(config: Config): FeedDefinition[] {
  if (!config.feedsFile) return [];
  try {
    return loadFeedFile(config.feedsFile);
  } catch (e) {
    if (e instanceof FeedConfigError) {
      console.error(`tessera: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

async function main(config: Config): Promise<void> {
  const feeds = readFeeds(config);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.store);
  await bootstrap(store, config, logger);
  const validate = stixValidator(config.strictValidation);
  const pool =
    config.ingestWorkers > 0 ? new PreparePool(config.ingestWorkers, config.strictValidation) : null;
  const app = await createApp({
    config,
    store,
    logger,
    validate,
    ...(pool ? { prepare: pool.prepare, ready: async () => pool.isReady() } : {}),
  });

  const scheduler = new Scheduler(logger);
  scheduler.add({
    name: 'purge-statuses',
    schedule: '17 * * * *',
    run: async () => {
      const n = await store.purgeStatuses({ before: nowMicros() });
      if (n > 0) logger.info({ purged: n }, 'expired statuses purged');
    },
  });

  scheduleFeeds(scheduler, feeds, {
    store,
    statusTtlHours: config.statusTtlHours,
    owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    logger,
    validate,
  });
  if (feeds.length > 0) logger.info({ feeds: feeds.map((f) => f.name) }, 'feeds scheduled');

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  logger.info(
    { host: config.host, port, store: store.backend },
    `Tessera listening on http://${config.host}:${port}/taxii2/`,
  );

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
    void (async () => {
      await scheduler.stop();
      await closed;
      await pool?.close();
      await store.close();
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
  readFeeds(config); // a bad feeds file stops here, before any process is forked
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.store);
  await bootstrap(store, config, logger);
  await store.close();
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.processes; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (code === 2) {
      logger.error({ pid: worker.process.pid }, 'a hub process refused its configuration; stopping');
      process.exit(2);
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'hub process died; starting another');
    setTimeout(fork, 1000).unref();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, processes: config.processes }, 'stopping hub processes');
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
