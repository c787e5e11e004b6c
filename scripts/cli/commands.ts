/**
 * The commands of `tessera` that work on the store (everything but help and validate): one file
 * per concern, each exporting the handlers of its commands with the concern stores they use; this
 * file merges them and runs the parsed command. Loaded lazily by scripts/cli.ts so that help and
 * usage errors stay fast. To add a command: its row in COMMANDS (./args.ts), its handler in the
 * file of its concern (or a new file, merged below).
 */
import type { Config } from '../../server/config';
import type { Stores } from '../../server/store/contract';
import { applyCommands } from './apply';
import type { Parsed } from './args';
import { collectionCommands } from './collections';
import { lazyHandlers, type Handlers } from './command';
import { groupCommands } from './groups';
import { memberCommands } from './members';
import { rootCommands } from './roots';
import { transferCommands } from './transfer';

const HANDLERS: Handlers = {
  ...rootCommands,
  ...groupCommands,
  ...memberCommands,
  ...collectionCommands,
  ...transferCommands,
  ...applyCommands,
  // The feed runner, the feed formats and the STIX validator load only for `tessera feed …`.
  ...lazyHandlers(
    ['feed list', 'feed run', 'feed status'],
    async () => (await import('./feeds')).feedCommands,
  ),
};

export async function run(parsed: Parsed, config: Config, stores: Stores): Promise<number> {
  const command = parsed.command;
  if (!command) return 2;
  const name = command.words.join(' ');
  const handler = HANDLERS[name];
  if (!handler) throw new Error(`command ${name} is not implemented`);
  const { args, options, json } = parsed;
  return handler({
    args,
    options,
    json,
    words: command.words,
    usage: `tessera ${command.usage}`,
    config,
    stores,
  });
}
