/**
 * Declarative API roots, trust groups and collections with their grants: a JSON file that an
 * operator keeps under version control and applies with `tessera apply <file>`. Applying is
 * idempotent: missing things are created, grants are set to what the file says, nothing is deleted.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type JSONSchemaType } from 'ajv';
import type { CreateCollectionArgs, Grant, PrincipalStore, RegistryStore } from '../server/store/contract';

export interface CollectionDefinition {
  apiRoot: string;
  /** UUIDv4 (Microsoft Sentinel requires UUIDv4 collection ids). */
  id: string;
  title: string;
  description?: string;
  alias?: string;
  read: string[];
  write: string[];
}

export interface HubDefinitions {
  apiRoots?: { name: string; title: string; description?: string }[];
  groups?: string[];
  collections?: CollectionDefinition[];
}

const UUID4 = '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const schema: JSONSchemaType<HubDefinitions> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiRoots: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'title'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string', nullable: true },
        },
      },
    },
    groups: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
    collections: {
      type: 'array',
      nullable: true,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['apiRoot', 'id', 'title', 'read', 'write'],
        properties: {
          apiRoot: { type: 'string', minLength: 1 },
          id: { type: 'string', pattern: UUID4 },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string', nullable: true },
          alias: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
          read: { type: 'array', items: { type: 'string', minLength: 1 } },
          write: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: true }).compile(schema);

export class DefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid definitions:\n  - ${problems.join('\n  - ')}`);
  }
}

export function parseDefinitions(data: unknown): HubDefinitions {
  if (!validate(data)) {
    throw new DefinitionError(
      (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    );
  }
  return data;
}

export function loadDefinitions(path: string): HubDefinitions {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DefinitionError([`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return parseDefinitions(data);
}

export function grantsOf(read: string[], write: string[]): Grant[] {
  const groups = [...new Set([...read, ...write])].sort();
  return groups.map((group) => ({ group, read: read.includes(group), write: write.includes(group) }));
}

/** Apply definitions; returns one line per change made. */
export async function applyDefinitions(
  stores: { registry: RegistryStore; principals: PrincipalStore },
  defs: HubDefinitions,
): Promise<string[]> {
  const { registry, principals } = stores;
  const changes: string[] = [];
  for (const r of defs.apiRoots ?? []) {
    if (!(await registry.getApiRoot(r.name))) {
      await registry.createApiRoot(r.description ? r : { name: r.name, title: r.title });
      changes.push(`created API root ${r.name}`);
    }
  }
  const groups = new Set((await principals.listGroups()).map((g) => g.name));
  const wanted = new Set([
    ...(defs.groups ?? []),
    ...(defs.collections ?? []).flatMap((c) => [...c.read, ...c.write]),
  ]);
  for (const g of [...wanted].sort()) {
    if (!groups.has(g)) {
      await principals.createGroup(g);
      changes.push(`created trust group ${g}`);
    }
  }
  for (const c of defs.collections ?? []) {
    const grants = grantsOf(c.read, c.write);
    const existing = await registry.findCollection({ apiRoot: c.apiRoot, idOrAlias: c.id });
    if (!existing) {
      const args: CreateCollectionArgs = {
        id: c.id,
        apiRoot: c.apiRoot,
        title: c.title,
        mediaTypes: ['application/stix+json;version=2.1'],
        grants,
      };
      if (c.description !== undefined) args.description = c.description;
      if (c.alias !== undefined) args.alias = c.alias;
      await registry.createCollection(args);
      changes.push(`created collection ${c.apiRoot}/${c.id}${c.alias ? ` (${c.alias})` : ''}`);
    } else if (JSON.stringify(existing.grants) !== JSON.stringify(grants)) {
      await registry.setGrants({ collectionId: c.id, grants });
      changes.push(`updated grants of ${c.apiRoot}/${c.id}`);
    }
  }
  return changes;
}
