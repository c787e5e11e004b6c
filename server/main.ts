/**
 * Wiring: load config → open the store → bootstrap → createApp → start jobs → listen, and an
 * ordered graceful shutdown on SIGTERM/SIGINT with a hard deadline.
 */
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

async function main(): Promise<void> {
  const config = readConfig();
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
    ...(pool ? { prepare: pool.prepare } : {}),
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
    server.close();
    server.closeIdleConnections();
    void (async () => {
      await scheduler.stop();
      await pool?.close();
      await new Promise<void>((r) => (server.listening ? server.once('close', () => r()) : r()));
      await store.close();
      logger.info('stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('tessera: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
