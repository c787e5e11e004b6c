/** `tessera root …`: API roots (the registry). */
import { BadRequestError } from '../../server/errors';
import { UsageError } from './args';
import { checkName, out, ROOT_RE, unique, type Handlers } from './command';
import { presentRoot } from './output';

/** Paths the hub serves itself; an API root of that name would be unreachable. */
const RESERVED_ROOTS = new Set(['taxii2', 'healthz', 'readyz']);

export const rootCommands: Handlers<'registry'> = {
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
};
