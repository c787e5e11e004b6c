/**
 * `tessera collection …`: collections, their grants to trust groups with TLP ceilings, and their
 * default TLP (the registry; grants name trust groups); removing a collection with its objects and
 * statuses.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_TLP, parseTlpLevel, TLP_LEVELS, type TlpLevel } from '../../server/access/tlp';
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import type { Config } from '../../server/config';
import type {
  CollectionRecord,
  GrantInput,
  ObjectStore,
  PrincipalStore,
  RegistryStore,
  StatusStore,
} from '../../server/store/contract';
import { UsageError } from './args';
import { out, unique, type Handlers } from './command';
import { collectionText, grantsText, presentCollection } from './output';
import { progressBar } from './progress';

const UUID4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const UUID_ANY_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALIAS_RE = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;
const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

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

/** The collection `idOrAlias` of API root `root`; NotFoundError naming what is missing. */
export async function findCollectionOrFail(
  registry: RegistryStore,
  root: string,
  idOrAlias: string,
): Promise<CollectionRecord> {
  if (!(await registry.getApiRoot(root)))
    throw new NotFoundError(`API root ${JSON.stringify(root)} does not exist`);
  const c = await registry.findCollection({ apiRoot: root, idOrAlias });
  if (!c) {
    throw new NotFoundError(`collection ${JSON.stringify(idOrAlias)} does not exist in API root ${root}`);
  }
  return c;
}

/** The TLP level of option `name`, or undefined when not given; a usage error when not a level. */
function tlpOption(options: Record<string, string>, name: string, usage: string): TlpLevel | undefined {
  const v = options[name];
  if (v === undefined) return undefined;
  const level = v === 'true' ? null : parseTlpLevel(v);
  if (level === null) {
    throw new UsageError(
      `--${name}: ${JSON.stringify(v)} is not a TLP level (${TLP_LEVELS.join(', ')})`,
      usage,
    );
  }
  return level;
}

async function checkGroupsExist(principals: PrincipalStore, groups: string[]): Promise<void> {
  const existing = new Set((await principals.listGroups()).map((g) => g.name));
  const missing = groups.filter((g) => !existing.has(g));
  if (missing.length > 0) {
    throw new NotFoundError(
      `trust group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (create with: tessera group add <group>)`,
    );
  }
}

/** Grants from the list form --read <g,…> / --write <g,…> (none: []), checking every group exists. */
async function grantsFrom(
  principals: PrincipalStore,
  options: Record<string, string>,
  usage: string,
  maxTlp: TlpLevel | undefined,
): Promise<GrantInput[]> {
  const { read, write } = options;
  for (const [name, v] of [
    ['read', read],
    ['write', write],
  ] as const) {
    if (v === 'true') throw new UsageError(`--${name} needs a list of trust groups here`, usage);
  }
  const readers = groupList(read);
  const writers = groupList(write);
  const all = [...new Set([...readers, ...writers])].sort();
  await checkGroupsExist(principals, all);
  return all.map((group) => ({
    group,
    read: readers.includes(group),
    write: writers.includes(group),
    ...(maxTlp !== undefined ? { maxTlp } : {}),
  }));
}

/** Versions deleted per store call: small enough that the hub's writes get their turn in between. */
const PURGE_BATCH = 2000;

/** Deletes every version of the collection, batch by batch; returns how many. */
async function purgeObjects(
  objects: ObjectStore,
  collectionId: string,
  onBatch: (removed: number) => void = () => undefined,
): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = await objects.purgeCollection({ collectionId, limit: PURGE_BATCH });
    if (n === 0) return removed;
    removed += n;
    onBatch(removed);
  }
}

/** The feeds of TESSERA_FEEDS_FILE (as this CLI sees it) that write into the collection. */
async function feedsInto(config: Config, c: CollectionRecord): Promise<string[]> {
  if (!config.feedsFile) return [];
  const { loadFeedFile, FeedConfigError } = await import('../../feeds/definition');
  try {
    return loadFeedFile(config.feedsFile)
      .filter(
        (f) =>
          f.target.apiRoot === c.apiRoot && (f.target.collection === c.id || f.target.collection === c.alias),
      )
      .map((f) => f.name);
  } catch (e) {
    if (e instanceof FeedConfigError) throw new BadRequestError(e.message);
    throw e;
  }
}

/**
 * What goes with a collection and in which order, so that the hub may keep running and a run cut
 * short (crash, ^C, lost MongoDB connection) is finished by running the command again:
 *   1. its grants are removed: from then on every member's request gets 404, as for a collection
 *      that does not exist (the hub reads the registry on every request: there is no cache); a
 *      POST that passed its checks before this step may still commit (see step 4);
 *   2. its object versions are deleted in batches, then its statuses;
 *   3. its record goes (the alias is free again);
 *   4. versions a POST accepted before step 1 committed meanwhile are deleted.
 * Until step 3 the collection is still listed (without grants), so the same command finishes the
 * job; after it, a leftover can only come from a POST that was already past its checks, and
 * `collection remove <root> <id>` removes such leftovers by id.
 */
async function removeCollectionAndData(
  stores: { registry: RegistryStore; objects: ObjectStore; statuses: StatusStore },
  c: CollectionRecord,
  onProgress: (removed: number) => void,
): Promise<{ objects: number; statuses: number }> {
  const { registry, objects, statuses } = stores;
  if (c.grants.length > 0) await registry.setGrants({ collectionId: c.id, grants: [] });
  let removed = await purgeObjects(objects, c.id, onProgress);
  const statusCount = await statuses.purgeCollectionStatuses({ collectionId: c.id });
  await registry.removeCollection({ collectionId: c.id });
  removed += await purgeObjects(objects, c.id, (n) => onProgress(removed + n));
  return { objects: removed, statuses: statusCount };
}

export const collectionCommands: Handlers<'registry' | 'principals' | 'objects' | 'statuses'> = {
  'collection add': async ({ args, options, json, usage, stores: { registry, principals } }) => {
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
    const defaultTlp = tlpOption(options, 'default-tlp', usage);
    const grants = await grantsFrom(principals, options, usage, undefined);
    if (!(await registry.getApiRoot(root))) {
      throw new NotFoundError(
        `API root ${JSON.stringify(root)} does not exist (create with: tessera root add)`,
      );
    }
    if (await registry.findCollection({ apiRoot: root, idOrAlias: id })) {
      throw new ConflictError(`a collection with id ${id} already exists in API root ${root}`);
    }
    if (alias !== undefined && (await registry.findCollection({ apiRoot: root, idOrAlias: alias }))) {
      throw new ConflictError(`a collection with alias ${alias} already exists in API root ${root}`);
    }
    const c = await unique(`collection ${alias ?? id} in API root ${root}`, () =>
      registry.createCollection({
        id,
        apiRoot: root,
        title: options.title as string,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(alias !== undefined ? { alias } : {}),
        mediaTypes: [STIX_MEDIA_TYPE],
        grants,
        ...(defaultTlp !== undefined ? { defaultTlp } : {}),
      }),
    );
    await out(json, presentCollection(c), collectionText(c));
    return 0;
  },

  'collection list': async ({ args, json, stores: { registry } }) => {
    const root = args.root as string;
    if (!(await registry.getApiRoot(root)))
      throw new NotFoundError(`API root ${JSON.stringify(root)} does not exist`);
    const cols = await registry.listCollections({ apiRoot: root, visibleTo: 'all' });
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
  },

  'collection grant': async ({ args, options, json, usage, stores: { registry, principals } }) => {
    const maxTlp = tlpOption(options, 'max-tlp', usage);
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    let updated: CollectionRecord;
    const group = args.group;
    if (group === undefined) {
      // The list form: every grant replaced.
      if (options.read === undefined && options.write === undefined) {
        throw new UsageError(
          'give a trust group, or the groups with --read <g,…> and/or --write <g,…>',
          usage,
        );
      }
      const grants = await grantsFrom(principals, options, usage, maxTlp);
      updated = await registry.setGrants({ collectionId: c.id, grants });
    } else {
      for (const name of ['read', 'write']) {
        const v = options[name];
        if (v !== undefined && v !== 'true') {
          throw new UsageError(
            `with a trust group, --${name} takes no value (got ${JSON.stringify(v)})`,
            usage,
          );
        }
      }
      const read = options.read === 'true';
      const write = options.write === 'true';
      if (!read && !write) {
        throw new UsageError(
          `give --read and/or --write (to remove the grant: tessera collection revoke ${args.root} ${args.collection} ${group})`,
          usage,
        );
      }
      await checkGroupsExist(principals, [group]);
      const current = c.grants.find((g) => g.group === group);
      updated = await registry.putGrant({
        collectionId: c.id,
        grant: { group, read, write, maxTlp: maxTlp ?? current?.maxTlp ?? DEFAULT_TLP },
      });
    }
    await out(json, presentCollection(updated), collectionText(updated));
    return 0;
  },

  'collection revoke': async ({ args, json, stores: { registry } }) => {
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    const group = args.group as string;
    if (!c.grants.some((g) => g.group === group)) {
      throw new NotFoundError(`trust group ${group} has no grant on collection ${c.alias ?? c.id}`);
    }
    const updated = await registry.removeGrant({ collectionId: c.id, group });
    await out(json, presentCollection(updated), collectionText(updated));
    return 0;
  },

  'collection set': async ({ args, options, json, usage, stores: { registry } }) => {
    const defaultTlp = tlpOption(options, 'default-tlp', usage);
    if (defaultTlp === undefined) throw new UsageError('missing option --default-tlp', usage);
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    const updated = await registry.setDefaultTlp({ collectionId: c.id, defaultTlp });
    await out(json, presentCollection(updated), collectionText(updated));
    return 0;
  },

  'collection remove': async ({ args, options, json, config, stores, audit }) => {
    const { registry, objects, statuses } = stores;
    const root = args.root as string;
    const idOrAlias = args.collection as string;
    const yes = options.yes !== undefined;
    if (!(await registry.getApiRoot(root)))
      throw new NotFoundError(`API root ${JSON.stringify(root)} does not exist`);
    audit.apiRoot = root;
    const c = await registry.findCollection({ apiRoot: root, idOrAlias });
    if (!c) {
      // What an earlier removal left behind (see removeCollectionAndData), asked for by id.
      const id = idOrAlias.toLowerCase();
      const left = UUID_ANY_RE.test(id) ? await objects.countObjects(id) : 0;
      if (left === 0) {
        throw new NotFoundError(`collection ${JSON.stringify(idOrAlias)} does not exist in API root ${root}`);
      }
      if (!yes) {
        throw new BadRequestError(
          `collection ${id} no longer exists, but ${left} object version(s) of it are left from its removal; nothing removed: add --yes to remove them`,
        );
      }
      audit.collection = id;
      const bar = json ? null : progressBar(process.stderr, 'object versions');
      const removed = await purgeObjects(objects, id, (n) => bar?.update(n, left));
      bar?.end();
      const statusCount = await statuses.purgeCollectionStatuses({ collectionId: id });
      audit.count = removed;
      audit.detail = `leftovers of a removed collection: ${removed} object version(s), ${statusCount} status(es)`;
      await out(
        json,
        { id, api_root: root, removed: true, objects: removed, statuses: statusCount, leftovers: true },
        `removed what was left of collection ${id}: ${removed} object version(s), ${statusCount} status(es)`,
      );
      return 0;
    }
    const label = c.alias !== undefined ? `${c.alias} (${c.id})` : c.id;
    audit.collection = c.id;
    const feeds = await feedsInto(config, c);
    if (feeds.length > 0) {
      throw new ConflictError(
        `feed${feeds.length > 1 ? 's' : ''} ${feeds.join(', ')} of ${config.feedsFile} write${feeds.length > 1 ? '' : 's'} into collection ${label}: remove or retarget ${feeds.length > 1 ? 'them' : 'it'} there (and restart the hub) first; a hub does not start with a feed whose collection is missing`,
      );
    }
    const count = await objects.countObjects(c.id);
    const groups = c.grants.map((g) => g.group);
    if (!yes) {
      throw new BadRequestError(
        `collection ${label} in API root ${root} holds ${count} object version(s)${groups.length ? ` and is shared with ${groups.join(', ')}` : ''}; nothing removed: add --yes to remove it with its objects and statuses`,
      );
    }
    const bar = json ? null : progressBar(process.stderr, 'object versions');
    const removed = await removeCollectionAndData(stores, c, (n) => bar?.update(n, Math.max(n, count)));
    bar?.end();
    audit.count = removed.objects;
    audit.detail = `${removed.objects} object version(s), ${removed.statuses} status(es) removed; grants of ${groups.join(',') || '-'} withdrawn`;
    await out(
      json,
      {
        id: c.id,
        ...(c.alias !== undefined ? { alias: c.alias } : {}),
        api_root: root,
        removed: true,
        objects: removed.objects,
        statuses: removed.statuses,
        groups,
      },
      `removed collection ${label} from API root ${root}: ${removed.objects} object version(s), ${removed.statuses} status(es)${groups.length ? `, grants of ${groups.join(', ')}` : ''}`,
    );
    return 0;
  },
};
