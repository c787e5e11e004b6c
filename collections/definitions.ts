/**
 * Declarative API roots, trust groups and collections with their grants: a JSON file that an
 * operator keeps under version control and applies with `tessera apply <file>`. Applying is
 * idempotent: missing things are created, grants (with their TLP ceilings) and each collection's
 * default TLP are set to what the file says (absent: amber), nothing is deleted.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type JSONSchemaType } from 'ajv';
import { DEFAULT_TLP, TLP_LEVELS, type TlpLevel } from '../server/access/tlp';
import type { CreateCollectionArgs, Grant, PrincipalStore, RegistryStore } from '../server/store/contract';
import { completeGrants } from '../server/store/grants';

export interface GrantDefinition {
  group: string;
  read?: boolean;
  write?: boolean;
  /** TLP ceiling of what the group may read (default amber). */
  maxTlp?: TlpLevel;
}

export interface CollectionDefinition {
  apiRoot: string;
  /** UUIDv4 (Microsoft Sentinel requires UUIDv4 collection ids). */
  id: string;
  title: string;
  description?: string;
  alias?: string;
  /** List form: groups that may read / write, each with the default ceiling. */
  read?: string[];
  write?: string[];
  /** One grant per group, with its ceiling (a group may not also be in read/write). */
  grants?: GrantDefinition[];
  /** TLP of the collection's objects without TLP marking (default amber). */
  defaultTlp?: TlpLevel;
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
        required: ['apiRoot', 'id', 'title'],
        properties: {
          apiRoot: { type: 'string', minLength: 1 },
          id: { type: 'string', pattern: UUID4 },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string', nullable: true },
          alias: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
          read: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
          write: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
          grants: {
            type: 'array',
            nullable: true,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['group'],
              properties: {
                group: { type: 'string', minLength: 1 },
                read: { type: 'boolean', nullable: true },
                write: { type: 'boolean', nullable: true },
                maxTlp: { type: 'string', nullable: true, enum: [...TLP_LEVELS] },
              },
            },
          },
          defaultTlp: { type: 'string', nullable: true, enum: [...TLP_LEVELS] },
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
      (validate.errors ?? []).map((e) => {
        const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
        return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${allowed ? `: ${allowed.join(', ')}` : ''}`;
      }),
    );
  }
  const problems: string[] = [];
  (data.collections ?? []).forEach((c, i) => {
    const listed = new Set([...(c.read ?? []), ...(c.write ?? [])]);
    const seen = new Set<string>();
    (c.grants ?? []).forEach((g, k) => {
      const at = `/collections/${i}/grants/${k}`;
      if (listed.has(g.group)) problems.push(`${at} group ${g.group} is also in read/write: give it once`);
      if (seen.has(g.group)) problems.push(`${at} group ${g.group} is given twice`);
      if (g.read !== true && g.write !== true) problems.push(`${at} a grant needs read and/or write`);
      seen.add(g.group);
    });
  });
  if (problems.length > 0) throw new DefinitionError(problems);
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

/** The complete grants a collection definition declares (list form and grants together). */
export function grantsOf(c: Pick<CollectionDefinition, 'read' | 'write' | 'grants'>): Grant[] {
  const read = c.read ?? [];
  const write = c.write ?? [];
  const groups = [...new Set([...read, ...write])];
  return completeGrants([
    ...groups.map((group) => ({ group, read: read.includes(group), write: write.includes(group) })),
    ...(c.grants ?? []).map((g) => ({ ...g, read: g.read === true, write: g.write === true })),
  ]);
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
    ...(defs.collections ?? []).flatMap((c) => grantsOf(c).map((g) => g.group)),
  ]);
  for (const g of [...wanted].sort()) {
    if (!groups.has(g)) {
      await principals.createGroup(g);
      changes.push(`created trust group ${g}`);
    }
  }
  for (const c of defs.collections ?? []) {
    const grants = grantsOf(c);
    const defaultTlp = c.defaultTlp ?? DEFAULT_TLP;
    const existing = await registry.findCollection({ apiRoot: c.apiRoot, idOrAlias: c.id });
    if (!existing) {
      const args: CreateCollectionArgs = {
        id: c.id,
        apiRoot: c.apiRoot,
        title: c.title,
        mediaTypes: ['application/stix+json;version=2.1'],
        grants,
        defaultTlp,
      };
      if (c.description !== undefined) args.description = c.description;
      if (c.alias !== undefined) args.alias = c.alias;
      await registry.createCollection(args);
      changes.push(`created collection ${c.apiRoot}/${c.id}${c.alias ? ` (${c.alias})` : ''}`);
    } else {
      if (JSON.stringify(existing.grants) !== JSON.stringify(grants)) {
        await registry.setGrants({ collectionId: c.id, grants });
        changes.push(`updated grants of ${c.apiRoot}/${c.id}`);
      }
      if (existing.defaultTlp !== defaultTlp) {
        await registry.setDefaultTlp({ collectionId: c.id, defaultTlp });
        changes.push(`set the default TLP of ${c.apiRoot}/${c.id} to ${defaultTlp}`);
      }
    }
  }
  return changes;
}
