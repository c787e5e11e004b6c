#!/usr/bin/env node
/**
 * `tessera`: the admin CLI. Non-interactive; works directly on TESSERA_STORE (read through
 * loadConfig, so its defaults are the hub's), also while the hub is running. `--json` gives
 * machine-readable output on stdout; errors go to stderr as `tessera: <message>`.
 * Exit codes: 0 ok, 1 operation failed, 2 usage error.
 */
import { ConfigError, loadConfig, type Config } from '../server/config';
import { TesseraError } from '../server/errors';
import type { Stores } from '../server/store/contract';
import { parseArgs, usageText, UsageError, type Parsed } from './cli/args';

function fail(message: string): void {
  process.stderr.write(`tessera: ${message}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      fail(e.message);
      process.stderr.write(
        `usage: ${e.usage ?? 'tessera <command> [options]  (tessera --help lists the commands)'}\n`,
      );
      return 2;
    }
    throw e;
  }
  const name = parsed.command?.words.join(' ');
  if (parsed.help || name === 'help') {
    process.stdout.write(
      parsed.command && name !== 'help'
        ? `usage: tessera ${parsed.command.usage}\n       ${parsed.command.summary}\n`
        : `${usageText()}\n`,
    );
    return 0;
  }
  if (!parsed.command) {
    fail('missing command');
    process.stderr.write(`${usageText()}\n`);
    return 2;
  }

  if (name === 'validate') {
    const { runValidate } = await import('./validate');
    return runValidate(parsed.args.file as string, {
      json: parsed.json,
      strict: parsed.options.strict !== undefined,
    });
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      fail(e.message);
      return 2;
    }
    throw e;
  }
  let stores: Stores | null = null;
  try {
    const [{ describeStore, openStore, storeExists }, { bootstrap }, { createLogger }, { run }] =
      await Promise.all([
        import('../server/store'),
        import('../server/bootstrap'),
        import('../server/logger'),
        import('./cli/commands'),
      ]);
    // Only `tessera init` (and the hub's first start) creates a store: a wrong TESSERA_STORE, or a
    // relative path run from another folder, is reported instead of creating an empty store.
    const existed = await storeExists(config.store);
    const where = describeStore(config.store);
    if (!existed && name !== 'init') {
      fail(
        `no Tessera store at ${where} (TESSERA_STORE=${config.store}${
          config.store.startsWith('sqlite:') ? `, relative to ${process.cwd()}` : ''
        }): check TESSERA_STORE, or create the store with \`tessera init\` (the hub creates it on its first start)`,
      );
      return 1;
    }
    stores = await openStore(config.store);
    // Same first-start set-up as the hub: the default API root exists.
    await bootstrap(stores, config, createLogger('silent'));
    return await run(parsed, config, stores, !existed);
  } catch (e) {
    if (e instanceof UsageError) {
      fail(e.message);
      process.stderr.write(`usage: ${e.usage ?? `tessera ${parsed.command.usage}`}\n`);
      return 2;
    }
    if (e instanceof TesseraError) {
      fail(e.message);
      return 1;
    }
    if ((e as { code?: unknown }).code === 'EPIPE') return 1;
    fail(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    await stores?.close().catch(() => {});
  }
}

if (require.main === module) {
  // A closed pipe (e.g. `tessera export … | head`) ends the output quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      fail(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 1;
    },
  );
}
