/**
 * `tessera init`: create the store TESSERA_STORE names (scripts/cli.ts opens it, creating it only
 * for this command, and sets up the default API root as the hub's first start does). Recorded in
 * the audit trail like every administrative command, saying whether it created the store.
 */
import { describeStore } from '../../server/store';
import { out, type Handlers } from './command';

export const initCommands: Handlers<never> = {
  async init({ json, config, audit, storeCreated }) {
    const where = describeStore(config.store);
    audit.detail = storeCreated ? `created the store at ${where}` : `the store at ${where} already existed`;
    const text = storeCreated
      ? `created the store at ${where}`
      : `the store at ${where} already exists; nothing to do`;
    await out(
      json,
      { store: where, created: storeCreated },
      `${text} (default API root ${config.defaultApiRoot})`,
    );
    return 0;
  },
};
