/** `tessera collection …`: collections and their grants (the registry; grants name trust groups). */
import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import type { CollectionRecord, Grant, PrincipalStore, RegistryStore } from '../../server/store/contract';
import { UsageError } from './args';
import { out, unique, type Handlers } from './command';
import { collectionText, grantsText, presentCollection } from './output';

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

/** Grants from --read/--write, checking that every group exists. */
async function grantsFrom(
  principals: PrincipalStore,
  options: Record<string, string>,
  usage: string,
): Promise<Grant[]> {
  const { read, write } = options;
  if (read === undefined && write === undefined) {
    throw new UsageError('give the trust groups with --read <g,…> and/or --write <g,…>', usage);
  }
  const readers = groupList(read);
  const writers = groupList(write);
  const all = [...new Set([...readers, ...writers])].sort();
  const existing = new Set((await principals.listGroups()).map((g) => g.name));
  const missing = all.filter((g) => !existing.has(g));
  if (missing.length > 0) {
    throw new NotFoundError(
      `trust group${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (create with: tessera group add <group>)`,
    );
  }
  return all.map((group) => ({ group, read: readers.includes(group), write: writers.includes(group) }));
}

export const collectionCommands: Handlers<'registry' | 'principals'> = {
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
    const grants = await grantsFrom(principals, options, usage);
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
    const c = await findCollectionOrFail(registry, args.root as string, args.collection as string);
    const grants = await grantsFrom(principals, options, usage);
    const updated = await registry.setGrants({ collectionId: c.id, grants });
    await out(json, presentCollection(updated), collectionText(updated));
    return 0;
  },
};
