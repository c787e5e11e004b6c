/**
 * Command-line parsing for `tessera`: no dependency, one table of commands. Global options
 * (`--json`, `--help`/`-h`) may appear anywhere; each command declares its positionals and options.
 * `--name value` and `--name=value` are both accepted; `--` ends the options.
 */

/**
 * `flag`: no value; `value`: always a value; `flag-or-value`: takes the next token as its value
 * unless there is none or it is another option (`grant … <group> --read --write` and the list form
 * `grant … --read <g,…> --write <g,…>` share their option names).
 */
export type OptionKind = 'flag' | 'value' | 'flag-or-value';

export interface CommandSpec {
  /** Command words, e.g. ['collection', 'add']. */
  words: string[];
  /** Positional argument names, in order (all required). */
  positionals: string[];
  /** Optional positionals after the required ones. */
  optional?: string[];
  options: Record<string, OptionKind>;
  /** Usage line without the leading "tessera ". */
  usage: string;
  summary: string;
  /**
   * How a run of the command is recorded in the audit trail (server/store/contract/audit.ts):
   * `admin` for every change, `read`/`write` for commands that read or add a collection's objects;
   * absent: not recorded (listings, help).
   */
  audit?: 'admin' | 'read' | 'write';
}

export const COMMANDS: CommandSpec[] = [
  {
    words: ['root', 'add'],
    positionals: ['name'],
    options: { title: 'value', description: 'value' },
    usage: 'root add <name> --title <title> [--description <d>]',
    summary: 'create an API root',
    audit: 'admin',
  },
  { words: ['root', 'list'], positionals: [], options: {}, usage: 'root list', summary: 'list API roots' },
  {
    words: ['root', 'remove'],
    positionals: ['name'],
    options: { yes: 'flag' },
    usage: 'root remove <name> --yes',
    summary: 'remove an API root that holds no collection (remove its collections first)',
    audit: 'admin',
  },
  {
    words: ['group', 'add'],
    positionals: ['group'],
    options: {},
    usage: 'group add <group>',
    summary: 'create a trust group',
    audit: 'admin',
  },
  {
    words: ['group', 'list'],
    positionals: [],
    options: {},
    usage: 'group list',
    summary: 'list trust groups and their members',
  },
  {
    words: ['group', 'join'],
    positionals: ['group', 'member'],
    options: {},
    usage: 'group join <group> <member>',
    summary: 'add a member to a trust group',
    audit: 'admin',
  },
  {
    words: ['group', 'leave'],
    positionals: ['group', 'member'],
    options: {},
    usage: 'group leave <group> <member>',
    summary: 'remove a member from a trust group',
    audit: 'admin',
  },
  {
    words: ['group', 'remove'],
    positionals: ['group'],
    options: {},
    usage: 'group remove <group>',
    summary: 'delete a trust group: its memberships and its grants on every collection end at once',
    audit: 'admin',
  },
  {
    words: ['member', 'add'],
    positionals: ['member'],
    options: { 'password-stdin': 'flag' },
    usage: 'member add <member> --password-stdin',
    summary: 'create a member; the secret (12+ characters) is read from stdin',
    audit: 'admin',
  },
  {
    words: ['member', 'passwd'],
    positionals: ['member'],
    options: { 'password-stdin': 'flag' },
    usage: 'member passwd <member> --password-stdin',
    summary: "replace a member's secret, read from stdin",
    audit: 'admin',
  },
  {
    words: ['member', 'list'],
    positionals: [],
    options: {},
    usage: 'member list',
    summary: 'list members and their trust groups',
  },
  {
    words: ['member', 'disable'],
    positionals: ['member'],
    options: {},
    usage: 'member disable <member>',
    summary: 'refuse every credential of a member from the next request on (memberships and keys stay)',
    audit: 'admin',
  },
  {
    words: ['member', 'enable'],
    positionals: ['member'],
    options: {},
    usage: 'member enable <member>',
    summary: 'accept the credentials of a disabled member again',
    audit: 'admin',
  },
  {
    words: ['member', 'remove'],
    positionals: ['member'],
    options: {},
    usage: 'member remove <member>',
    summary:
      'delete a member with its memberships, keys and certificates; what it published stays, attributed; the name stays reserved',
    audit: 'admin',
  },
  {
    words: ['member', 'cert'],
    positionals: ['member', 'certificate'],
    options: { remove: 'flag' },
    usage: 'member cert <member> <fingerprint-or-PEM-file> [--remove]',
    summary:
      'bind a client certificate (SHA-256 fingerprint, or a PEM file) to a member; --remove unbinds it',
    audit: 'admin',
  },
  {
    words: ['key', 'create'],
    positionals: ['member'],
    options: { name: 'value', expires: 'value' },
    usage: 'key create <member> [--name <n>] [--expires <date|Nd>]',
    summary: 'create an API key for a member and print it (once: only a hash is stored)',
    audit: 'admin',
  },
  {
    words: ['key', 'list'],
    positionals: [],
    optional: ['member'],
    options: {},
    usage: 'key list [<member>]',
    summary: 'list API keys (id, member, name, created, expires, state), never the keys themselves',
  },
  {
    words: ['key', 'revoke'],
    positionals: ['key'],
    options: {},
    usage: 'key revoke <key-id>',
    summary: 'refuse an API key from the next request on',
    audit: 'admin',
  },
  {
    words: ['audit'],
    positionals: [],
    options: { member: 'value', collection: 'value', since: 'value', limit: 'value' },
    usage: 'audit [--member <m>] [--collection <id>] [--since <time|Nh|Nd>] [--limit <n>]',
    summary: 'print the audit trail (default: the last 24 hours, oldest first, at most 1000 records)',
  },
  {
    words: ['collection', 'add'],
    positionals: ['root'],
    options: {
      title: 'value',
      id: 'value',
      alias: 'value',
      description: 'value',
      read: 'value',
      write: 'value',
      'default-tlp': 'value',
    },
    usage:
      'collection add <root> --title <t> [--id <uuid>] [--alias <a>] [--description <d>] [--read <g,…>] [--write <g,…>] [--default-tlp <level>]',
    summary: 'create a collection, granting read/write to trust groups (or to nobody yet)',
    audit: 'admin',
  },
  {
    words: ['collection', 'list'],
    positionals: ['root'],
    options: {},
    usage: 'collection list <root>',
    summary: 'list the collections of an API root with their grants',
  },
  {
    words: ['collection', 'grant'],
    positionals: ['root', 'collection'],
    optional: ['group'],
    options: { read: 'flag-or-value', write: 'flag-or-value', 'max-tlp': 'value' },
    usage:
      'collection grant <root> <id-or-alias> <group> [--read] [--write] [--max-tlp <level>]  |  collection grant <root> <id-or-alias> --read <g,…> --write <g,…> [--max-tlp <level>]',
    summary:
      "set one trust group's grant (its TLP ceiling kept unless --max-tlp; amber for a new grant), or replace every grant (list form)",
    audit: 'admin',
  },
  {
    words: ['collection', 'revoke'],
    positionals: ['root', 'collection', 'group'],
    options: {},
    usage: 'collection revoke <root> <id-or-alias> <group>',
    summary: "remove a trust group's grant",
    audit: 'admin',
  },
  {
    words: ['collection', 'set'],
    positionals: ['root', 'collection'],
    options: { 'default-tlp': 'value' },
    usage: 'collection set <root> <id-or-alias> --default-tlp <level>',
    summary: "set the TLP of the collection's objects that carry no TLP marking",
    audit: 'admin',
  },
  {
    words: ['collection', 'remove'],
    positionals: ['root', 'collection'],
    options: { yes: 'flag' },
    usage: 'collection remove <root> <id-or-alias> --yes',
    summary:
      'remove a collection with its objects, statuses and grants (without --yes: only says what would go)',
    audit: 'admin',
  },
  {
    words: ['import'],
    positionals: ['root', 'collection', 'file'],
    options: {},
    usage: 'import <root> <collection-id-or-alias> <file>',
    summary: 'import a STIX bundle or TAXII envelope (same checks as POST)',
    audit: 'write',
  },
  {
    words: ['export'],
    positionals: ['root', 'collection'],
    options: { 'all-versions': 'flag' },
    usage: 'export <root> <collection-id-or-alias> [--all-versions]',
    summary: 'write the collection as a STIX 2.1 bundle to stdout',
    audit: 'read',
  },
  {
    words: ['apply'],
    positionals: ['file'],
    options: {},
    usage: 'apply <file>',
    summary: 'create the API roots, trust groups and collections a definitions file declares (idempotent)',
    audit: 'admin',
  },
  {
    words: ['validate'],
    positionals: ['file'],
    options: { strict: 'flag' },
    usage: 'validate <file> [--strict]',
    summary: 'print the STIX 2.1 verdict of every object of a bundle or envelope',
  },
  {
    words: ['feed', 'list'],
    positionals: [],
    options: {},
    usage: 'feed list',
    summary: 'list the feeds of TESSERA_FEEDS_FILE with their kind, schedule and target',
  },
  {
    words: ['feed', 'run'],
    positionals: ['name'],
    options: {},
    usage: 'feed run <name>',
    summary: 'run a feed now, whatever its schedule or back-off (progress bar on a terminal)',
    audit: 'write',
  },
  {
    words: ['feed', 'status'],
    positionals: [],
    optional: ['name'],
    options: { runs: 'value' },
    usage: 'feed status [<name>] [--runs <n>]',
    summary: 'last runs of each feed (or one), failures, back-off and next run',
  },
  {
    words: ['init'],
    positionals: [],
    options: {},
    usage: 'init',
    summary:
      'create the store named by TESSERA_STORE (and the default API root); every other command refuses a missing store',
    audit: 'admin',
  },
  {
    words: ['backup'],
    positionals: ['file'],
    options: {},
    usage: 'backup <file>',
    summary: 'copy the embedded SQLite store to a new file while the hub runs (online backup)',
    audit: 'read',
  },
  { words: ['help'], positionals: [], options: {}, usage: 'help', summary: 'show this help' },
];

const GLOBAL_OPTIONS: Record<string, OptionKind> = { json: 'flag', help: 'flag' };

export function usageText(): string {
  const lines = [
    'usage: tessera <command> [options]',
    '',
    'Administers the Tessera hub directly on TESSERA_STORE (default sqlite:data/tessera.db),',
    'also while the hub is running.',
    '',
    'Commands:',
  ];
  for (const c of COMMANDS) {
    lines.push(`  tessera ${c.usage}`, `      ${c.summary}`);
  }
  lines.push(
    '',
    'Global options:',
    '  --json       machine-readable output on stdout',
    '  --help, -h   show this help',
    '',
    'Exit codes: 0 ok, 1 operation failed, 2 usage error.',
  );
  return lines.join('\n');
}

/** A mistake in the command line: reported with the usage line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string | null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Parsed {
  command: CommandSpec | null;
  /** Positional values by name. */
  args: Record<string, string>;
  /** Option values by name (flags: 'true'). */
  options: Record<string, string>;
  json: boolean;
  help: boolean;
}

function isOption(token: string): boolean {
  return token.startsWith('-') && token !== '-';
}

function optionName(token: string): { name: string; inline: string | null } {
  if (token === '-h') return { name: 'help', inline: null };
  if (!token.startsWith('--')) return { name: token, inline: null };
  const eq = token.indexOf('=');
  return eq === -1
    ? { name: token.slice(2), inline: null }
    : { name: token.slice(2, eq), inline: token.slice(eq + 1) };
}

export function parseArgs(argv: string[]): Parsed {
  let json = false;
  let help = false;
  let i = 0;
  const words: string[] = [];

  // Command words, possibly interleaved with global flags.
  const groups = new Set(COMMANDS.filter((c) => c.words.length > 1).map((c) => c.words[0] as string));
  while (i < argv.length) {
    const t = argv[i] as string;
    if (isOption(t)) {
      const { name, inline } = optionName(t);
      if (name === 'json' && inline === null) json = true;
      else if (name === 'help' && inline === null) help = true;
      else if (words.length === 0 || (groups.has(words[0] as string) && words.length === 1)) {
        if (help) break;
        throw new UsageError(`unknown option ${t}`, null);
      } else break;
      i++;
      continue;
    }
    if (words.length === 0 || (words.length === 1 && groups.has(words[0] as string))) {
      words.push(t);
      i++;
      continue;
    }
    break;
  }

  if (words.length === 0) return { command: null, args: {}, options: {}, json, help };
  const first = words[0] as string;
  const command = COMMANDS.find(
    (c) => c.words.length === words.length && c.words.every((w, k) => w === words[k]),
  );
  if (!command) {
    if (help) return { command: null, args: {}, options: {}, json, help };
    if (groups.has(first)) {
      const subs = COMMANDS.filter((c) => c.words[0] === first).map((c) => c.words[1] as string);
      const sub = words[1];
      throw new UsageError(
        sub === undefined
          ? `${first}: missing subcommand (one of ${subs.join(', ')})`
          : `${first}: unknown subcommand ${JSON.stringify(sub)} (one of ${subs.join(', ')})`,
        null,
      );
    }
    throw new UsageError(`unknown command ${JSON.stringify(first)}`, null);
  }

  const usage = `tessera ${command.usage}`;
  const known: Record<string, OptionKind> = { ...command.options, ...GLOBAL_OPTIONS };
  const options: Record<string, string> = {};
  const positionals: string[] = [];
  let endOfOptions = false;
  for (; i < argv.length; i++) {
    const t = argv[i] as string;
    if (endOfOptions || !isOption(t)) {
      positionals.push(t);
      continue;
    }
    if (t === '--') {
      endOfOptions = true;
      continue;
    }
    const { name, inline } = optionName(t);
    const kind = known[name];
    if (kind === undefined) throw new UsageError(`unknown option ${t.split('=')[0]}`, usage);
    if (name === 'json' || name === 'help') {
      if (inline !== null) throw new UsageError(`option --${name} takes no value`, usage);
      if (name === 'json') json = true;
      else help = true;
      continue;
    }
    if (name in options) throw new UsageError(`option --${name} given twice`, usage);
    if (kind === 'flag') {
      if (inline !== null) throw new UsageError(`option --${name} takes no value`, usage);
      options[name] = 'true';
      continue;
    }
    if (inline !== null) {
      options[name] = inline;
      continue;
    }
    const next = argv[i + 1];
    if (kind === 'flag-or-value' && (next === undefined || isOption(next))) {
      options[name] = 'true';
      continue;
    }
    if (next === undefined || next.startsWith('--')) {
      throw new UsageError(`option --${name} needs a value`, usage);
    }
    options[name] = next;
    i++;
  }
  if (help) return { command, args: {}, options, json, help };
  if (positionals.length < command.positionals.length) {
    const missing = command.positionals[positionals.length] as string;
    throw new UsageError(`missing argument <${missing}>`, usage);
  }
  const names = [...command.positionals, ...(command.optional ?? [])];
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, usage);
  }
  const args: Record<string, string> = {};
  positionals.forEach((v, k) => (args[names[k] as string] = v));
  return { command, args, options, json, help };
}
