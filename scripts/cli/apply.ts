/** `tessera apply`: API roots, trust groups and collections from a definitions file. */
import { BadRequestError } from '../../server/errors';
import { out, type Handlers } from './command';

export const applyCommands: Handlers<'registry' | 'principals'> = {
  apply: async ({ args, json, stores }) => {
    const { applyDefinitions, DefinitionError, loadDefinitions } =
      await import('../../collections/definitions');
    let defs;
    try {
      defs = loadDefinitions(args.file as string);
    } catch (e) {
      throw e instanceof DefinitionError ? new BadRequestError(e.message) : e;
    }
    const changes = await applyDefinitions(stores, defs);
    await out(json, { changes }, changes.length === 0 ? 'nothing to change' : changes.join('\n'));
    return 0;
  },
};
