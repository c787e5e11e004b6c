/**
 * The commands of `tessera` that work on the store (everything but help and validate): one file
 * per concern, each exporting the handlers of its commands with the concern stores they use; this
 * file merges them and runs the parsed command. Loaded lazily by scripts/cli.ts so that help and
 * usage errors stay fast. To add a command: its row in COMMANDS (./args.ts), its handler in the
 * file of its concern (or a new file, merged below).
 */
import os from 'node:os';
import type { Config } from '../../server/config';
import { isTesseraError } from '../../server/errors';
import type { Stores } from '../../server/store/contract';
import { auditOfCommand } from '../../server/audit/records';
import { applyCommands } from './apply';
import { backupCommands } from './backup';
import type { Parsed } from './args';
import { auditCommands } from './audit';
import { collectionCommands } from './collections';
import { lazyHandlers, type AuditNote, type Handlers } from './command';
import { groupCommands } from './groups';
import { initCommands } from './init';
import { keyCommands } from './keys';
import { memberCommands } from './members';
import { rootCommands } from './roots';
import { transferCommands } from './transfer';

const HANDLERS: Handlers = {
  ...initCommands,
  ...rootCommands,
  ...groupCommands,
  ...memberCommands,
  ...collectionCommands,
  ...transferCommands,
  ...applyCommands,
  ...backupCommands,
  // The feed runner, the feed formats and the STIX validator load only for `tessera feed …`.
  ...lazyHandlers(
    ['feed list', 'feed run', 'feed status'],
    async () => (await import('./feeds')).feedCommands,
  ),
  ...keyCommands,
  ...auditCommands,
};

/** Who runs the CLI, for the audit trail: the OS user (the CLI has no member identity). */
function operator(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The command line as the audit trail shows it (secrets never appear on it: they come on stdin). */
function commandLine(parsed: Parsed): string {
  const parts = Object.values(parsed.args).map((v) => JSON.stringify(v));
  for (const [k, v] of Object.entries(parsed.options))
    parts.push(v === 'true' ? `--${k}` : `--${k} ${JSON.stringify(v)}`);
  return parts.join(' ');
}

export async function run(
  parsed: Parsed,
  config: Config,
  stores: Stores,
  storeCreated: boolean,
): Promise<number> {
  const command = parsed.command;
  if (!command) return 2;
  const name = command.words.join(' ');
  const handler = HANDLERS[name];
  if (!handler) throw new Error(`command ${name} is not implemented`);
  const { args, options, json } = parsed;
  const audit: AuditNote = {};
  let status = 200;
  try {
    return await handler({
      args,
      options,
      json,
      words: command.words,
      usage: `tessera ${command.usage}`,
      config,
      stores,
      audit,
      storeCreated,
    });
  } catch (e) {
    status = isTesseraError(e) ? e.httpStatus : 500;
    if (!audit.detail && e instanceof Error) audit.detail = e.message.slice(0, 300);
    throw e;
  } finally {
    if (command.audit) {
      const line = commandLine(parsed);
      try {
        await stores.audit.appendAudit([
          auditOfCommand({
            kind: command.audit,
            operator: operator(),
            command: name,
            line,
            note: audit,
            status,
          }),
        ]);
      } catch (e) {
        process.stderr.write(
          `tessera: warning: the audit trail could not record this command: ${e instanceof Error ? e.message : String(e)}\n`,
        );
      }
    }
  }
}
