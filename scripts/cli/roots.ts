/** `tessera root …`: API roots (the registry). */
import { BadRequestError, ConflictError, NotFoundError } from '../../server/errors';
import { UsageError } from './args';
import { checkName, out, ROOT_RE, unique, type Handlers } from './command';
import { presentRoot } from './output';

/** Paths the hub serves itself; an API root of that name would be unreachable. */
const RESERVED_ROOTS = new Set(['taxii2', 'healthz', 'readyz']);

export const rootCommands: Handlers<'registry' | 'objects'> = {
  'root add': async ({ args, options, json, usage, stores: { registry } }) => {
    checkName('API root', args.name as string, ROOT_RE);
    if (RESERVED_ROOTS.has(args.name as string)) {
      throw new BadRequestError(`${JSON.stringify(args.name)} is reserved by the hub; choose another name`);
    }
    if (options.title === undefined) throw new UsageError('missing option --title', usage);
    if (options.title.trim() === '') throw new UsageError('--title must not be empty', usage);
    const root = await unique(`API root ${args.name}`, () =>
      registry.createApiRoot({
        name: args.name as string,
        title: options.title as string,
        ...(options.description !== undefined ? { description: options.description } : {}),
      }),
    );
    await out(json, presentRoot(root), `created API root ${root.name} (${root.title}) at /${root.name}/`);
    return 0;
  },

  'root list': async ({ json, config, stores: { registry } }) => {
    const roots = await registry.listApiRoots();
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
  },

  /*
   * A root is removed only once it holds no collection: data goes collection by collection, each
   * removal naming what it deletes, so no single command (or typo in a root name) erases several
   * collections, and a removal cut short is finished per collection.
   */
  'root remove': async ({ args, options, json, config, audit, stores: { registry, objects } }) => {
    const name = args.name as string;
    audit.apiRoot = name;
    if (name === config.defaultApiRoot) {
      throw new ConflictError(
        `${name} is the default API root (TESSERA_DEFAULT_API_ROOT): the hub and the CLI create it again whenever it is missing; make another root the default first`,
      );
    }
    if (!(await registry.getApiRoot(name)))
      throw new NotFoundError(`API root ${JSON.stringify(name)} does not exist`);
    const held = await registry.listCollections({ apiRoot: name, visibleTo: 'all' });
    if (held.length > 0) {
      const lines: string[] = [];
      for (const c of held) {
        lines.push(
          `  tessera collection remove ${name} ${c.alias ?? c.id} --yes   (${await objects.countObjects(c.id)} object version(s))`,
        );
      }
      throw new ConflictError(
        `API root ${name} still holds ${held.length} collection(s); remove them first:\n${lines.join('\n')}`,
      );
    }
    if (options.yes === undefined) {
      throw new BadRequestError(
        `API root ${name} holds no collection; nothing removed: add --yes to remove it`,
      );
    }
    await registry.removeApiRoot(name);
    await out(json, { name, removed: true }, `removed API root ${name}`);
    return 0;
  },
};
