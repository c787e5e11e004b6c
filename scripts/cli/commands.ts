/**
 * The commands of `tessera` that work on the store (everything but help and validate). Loaded
 * lazily by scripts/cli.ts so that help and usage errors stay fast.
 */
import { randomUUID } from 'node:crypto';
import { hashSecret } from '../../server/access/secrets';
import type { Config } from '../../server/config';
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import type { CollectionRecord, Grant, Store } from '../../server/store/contract';
import { UsageError, type Parsed } from './args';
import {
  collectionText,
  grantsText,
  presentCollection,
  presentGroup,
  presentMember,
  presentRoot,
  printJson,
  writeStdout,
} from './output';
import {
  exportBundle,
  findCollectionOrFail,
  importObjects,
  importText,
  progressReporter,
  readObjects,
} from './transfer';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const ROOT_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Paths the hub serves itself; an API root of that name would be unreachable. */
const RESERVED_ROOTS = new Set(['taxii2', 'healthz', 'readyz']);
const UUID4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const UUID_ANY_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALIAS_RE = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;
const MIN_SECRET = 12;
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** A name given on the command line that the hub would not accept (exit 1, like any refused operation). */
function checkName(kind: string, value: string, re: RegExp = NAME_RE): void {
  if (!re.test(value)) {
    throw new BadRequestError(
      `invalid ${kind} name ${JSON.stringify(value)}: use letters, digits and ${re === ROOT_RE ? '"-_"' : '".-_@"'}, starting with a letter or digit`,
    );
  }
}

async function readSecret(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new BadRequestError(
      '--password-stdin reads the secret from standard input: pipe it, e.g. printf \'%s\' "$SECRET" | tessera …',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  let secret = Buffer.concat(chunks).toString('utf8');
  if (secret.endsWith('\r\n')) secret = secret.slice(0, -2);
  else if (secret.endsWith('\n')) secret = secret.slice(0, -1);
  if (secret.length === 0) throw new BadRequestError('the secret read from stdin is empty');
  if ([...secret].length < MIN_SECRET) {
    throw new BadRequestError(`the secret read from stdin is too short: at least ${MIN_SECRET} characters`);
  }
  return secret;
}

function groupList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== ''),
    ),
  ];
}

/** Grants from --read/--write, checking that every group exists. */
async function grantsFrom(store: Store, parsed: Parsed, usage: string): Promise<Grant[]> {
  const { read, write } = parsed.options;
  if (read === undefined && write === undefined) {
    throw new UsageError('give the trust groups with --read <g,…> and/or --write <g,…>', usage);
  }
  const readers = groupList(read);
  const writers = groupList(write);
  const all = [...new Set([...readers, ...writers])].sort();
  const existing = new Set((await store.listGroups()).map((g) => g.name));
  const missing = all.filter((g) => !existing.has(g));
  if (missing.length > 0) {
    throw new NotFoundError(
      `trust group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (create with: tessera group add <group>)`,
    );
  }
  return all.map((group) => ({ group, read: readers.includes(group), write: writers.includes(group) }));
}

/** Runs a store write, turning a uniqueness conflict into a clear message. */
async function unique<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ConflictError) throw new ConflictError(`${what} already exists`);
    throw e;
  }
}

async function out(json: boolean, value: unknown, text: string): Promise<void> {
  if (json) await printJson(value);
  else await writeStdout(`${text}\n`);
}

export async function run(parsed: Parsed, config: Config, store: Store): Promise<number> {
  const command = parsed.command;
  if (!command) return 2;
  const { args, options, json } = parsed;
  const usage = `tessera ${command.usage}`;
  if (command.words[0] === 'feed') {
    const { runFeedCommand } = await import('./feeds');
    return runFeedCommand(parsed, config, store);
  }
  switch (command.words.join(' ')) {
    case 'root add': {
      checkName('API root', args.name as string, ROOT_RE);
      if (RESERVED_ROOTS.has(args.name as string)) {
        throw new BadRequestError(`${JSON.stringify(args.name)} is reserved by the hub; choose another name`);
      }
      if (options.title === undefined) throw new UsageError('missing option --title', usage);
      if (options.title.trim() === '') throw new UsageError('--title must not be empty', usage);
      const root = await unique(`API root ${args.name}`, () =>
        store.createApiRoot({
          name: args.name as string,
          title: options.title as string,
          ...(options.description !== undefined ? { description: options.description } : {}),
        }),
      );
      await out(json, presentRoot(root), `created API root ${root.name} (${root.title}) at /${root.name}/`);
      return 0;
    }
    case 'root list': {
      const roots = await store.listApiRoots();
      await out(
        json,
        { roots: roots.map(presentRoot) },
        roots.length === 0
          ? 'no API roots'
          : roots
              .map((r) => `${r.name}\t${r.title}${r.name === config.defaultApiRoot ? '\t(default)' : ''}`)
              .join('\n'),
      );
      return 0;
    }
    case 'group add': {
      checkName('trust group', args.group as string);
      const g = await unique(`trust group ${args.group}`, () => store.createGroup(args.group as string));
      await out(json, presentGroup(g), `created trust group ${g.name}`);
      return 0;
    }
    case 'group list': {
      const groups = await store.listGroups();
      await out(
        json,
        { groups: groups.map(presentGroup) },
        groups.length === 0
          ? 'no trust groups'
          : groups
              .map((g) => `${g.name}\t${g.members.length ? g.members.join(',') : '(no members)'}`)
              .join('\n'),
      );
      return 0;
    }
    case 'group join': {
      await store.joinGroup({ group: args.group as string, member: args.member as string });
      const g = (await store.listGroups()).find((x) => x.name === args.group);
      if (!g) throw new NotFoundError(`trust group ${args.group} does not exist`);
      await out(json, presentGroup(g), `${args.member} is a member of ${g.name}`);
      return 0;
    }
    case 'group leave': {
      const before = (await store.listGroups()).find((x) => x.name === args.group);
      if (!before) throw new NotFoundError(`trust group ${args.group} does not exist`);
      if (!before.members.includes(args.member as string)) {
        throw new NotFoundError(`${args.member} is not a member of ${args.group}`);
      }
      await store.leaveGroup({ group: args.group as string, member: args.member as string });
      const g = (await store.listGroups()).find((x) => x.name === args.group) ?? before;
      await out(json, presentGroup(g), `${args.member} left ${g.name}`);
      return 0;
    }
    case 'member add':
    case 'member passwd': {
      const name = args.member as string;
      if (options['password-stdin'] === undefined) {
        throw new UsageError('the secret must be given on stdin with --password-stdin', usage);
      }
      if (command.words[1] === 'add') {
        checkName('member', name);
        if (await store.getMember(name)) throw new ConflictError(`member ${name} already exists`);
      } else if (!(await store.getMember(name))) {
        throw new NotFoundError(`member ${name} does not exist`);
      }
      const secretHash = await hashSecret(await readSecret());
      if (command.words[1] === 'add') {
        await unique(`member ${name}`, () => store.createMember({ name, secretHash }));
      } else {
        await store.setMemberSecret({ name, secretHash });
      }
      const m = await store.getMember(name);
      if (!m) throw new NotFoundError(`member ${name} does not exist`);
      await out(
        json,
        presentMember(m),
        command.words[1] === 'add'
          ? `created member ${name} (add it to a trust group: tessera group join <group> ${name})`
          : `secret of member ${name} replaced`,
      );
      return 0;
    }
    case 'member list': {
      const members = await store.listMembers();
      await out(
        json,
        { members: members.map(presentMember) },
        members.length === 0
          ? 'no members'
          : members
              .map(
                (m) =>
                  `${m.name}\t${m.groups.length ? m.groups.join(',') : '(no groups)'}${m.disabled ? '\t(disabled)' : ''}`,
              )
              .join('\n'),
      );
      return 0;
    }
    case 'collection add': {
      const root = args.root as string;
      if (options.title === undefined) throw new UsageError('missing option --title', usage);
      if (options.title.trim() === '') throw new UsageError('--title must not be empty', usage);
      let id: string = randomUUID();
      if (options.id !== undefined) {
        if (!UUID4_RE.test(options.id)) {
          throw new BadRequestError(
            `--id ${JSON.stringify(options.id)} is not a UUIDv4 (collection ids are UUIDv4)`,
          );
        }
        id = options.id.toLowerCase();
      }
      const alias = options.alias;
      if (alias !== undefined && (!ALIAS_RE.test(alias) || UUID_ANY_RE.test(alias))) {
        throw new BadRequestError(
          `invalid alias ${JSON.stringify(alias)}: use letters, digits and ".-_~" (and not a UUID)`,
        );
      }
      const grants = await grantsFrom(store, parsed, usage);
      if (!(await store.getApiRoot(root))) {
        throw new NotFoundError(
          `API root ${JSON.stringify(root)} does not exist (create with: tessera root add)`,
        );
      }
      if (await store.findCollection({ apiRoot: root, idOrAlias: id })) {
        throw new ConflictError(`a collection with id ${id} already exists in API root ${root}`);
      }
      if (alias !== undefined && (await store.findCollection({ apiRoot: root, idOrAlias: alias }))) {
        throw new ConflictError(`a collection with alias ${alias} already exists in API root ${root}`);
      }
      const c = await unique(`collection ${alias ?? id} in API root ${root}`, () =>
        store.createCollection({
          id,
          apiRoot: root,
          title: options.title as string,
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(alias !== undefined ? { alias } : {}),
          mediaTypes: [STIX_MEDIA_TYPE],
          grants,
        }),
      );
      await out(json, presentCollection(c), collectionText(c));
      return 0;
    }
    case 'collection list': {
      const root = args.root as string;
      if (!(await store.getApiRoot(root)))
        throw new NotFoundError(`API root ${JSON.stringify(root)} does not exist`);
      const cols = await store.listCollections({ apiRoot: root, visibleTo: 'all' });
      await out(
        json,
        { collections: cols.map(presentCollection) },
        cols.length === 0
          ? `no collections in API root ${root}`
          : cols
              .map((c: CollectionRecord) => `${c.id}\t${c.alias ?? '-'}\t${c.title}\t${grantsText(c)}`)
              .join('\n'),
      );
      return 0;
    }
    case 'collection grant': {
      const c = await findCollectionOrFail(store, args.root as string, args.collection as string);
      const grants = await grantsFrom(store, parsed, usage);
      const updated = await store.setGrants({ collectionId: c.id, grants });
      await out(json, presentCollection(updated), collectionText(updated));
      return 0;
    }
    case 'import': {
      const c = await findCollectionOrFail(store, args.root as string, args.collection as string);
      const objects = await readObjects(args.file as string);
      // The full STIX validator is loaded only when needed (compiling its schemas takes a moment).
      const { stixValidator } = await import('../../server/stix/plug');
      const validate = stixValidator(config.strictValidation);
      const reporter = json ? null : progressReporter(process.stderr);
      let totals;
      try {
        totals = await importObjects(
          { store, statusTtlHours: config.statusTtlHours, validate },
          c,
          objects,
          args.file as string,
          reporter ? reporter.update : null,
        );
      } finally {
        reporter?.end();
      }
      await out(json, totals, importText(totals));
      return totals.failed > 0 ? 1 : 0;
    }
    case 'export': {
      const c = await findCollectionOrFail(store, args.root as string, args.collection as string);
      await exportBundle(store, c, options['all-versions'] !== undefined);
      return 0;
    }
    case 'apply': {
      const { applyDefinitions, DefinitionError, loadDefinitions } =
        await import('../../collections/definitions');
      let defs;
      try {
        defs = loadDefinitions(args.file as string);
      } catch (e) {
        throw e instanceof DefinitionError ? new BadRequestError(e.message) : e;
      }
      const changes = await applyDefinitions(store, defs);
      await out(json, { changes }, changes.length === 0 ? 'nothing to change' : changes.join('\n'));
      return 0;
    }
    default:
      throw new Error(`command ${command.words.join(' ')} is not implemented`);
  }
}
