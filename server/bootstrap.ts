/**
 * First-start set-up: the default API root exists, and the operator is told how to create the
 * first member, group and collection when there are none.
 */
import type { Logger } from 'pino';
import type { Config } from './config';
import type { PrincipalStore, RegistryStore } from './store/contract';

export async function bootstrap(
  stores: { registry: RegistryStore; principals: PrincipalStore },
  config: Config,
  logger: Logger,
): Promise<void> {
  const { registry, principals } = stores;
  if (!(await registry.getApiRoot(config.defaultApiRoot))) {
    try {
      await registry.createApiRoot({ name: config.defaultApiRoot, title: 'Default API root' });
      logger.info({ apiRoot: config.defaultApiRoot }, 'created the default API root');
    } catch (e) {
      // Another instance may have created it at the same moment.
      if (!(await registry.getApiRoot(config.defaultApiRoot))) throw e;
    }
  }
  const members = await principals.listMembers();
  if (members.length === 0) {
    const root = config.defaultApiRoot;
    logger.warn(
      {
        firstSteps: [
          `printf '%s' 'a-long-secret' | npx tessera member add analyst1 --password-stdin`,
          'npx tessera group add national-csirts',
          'npx tessera group join national-csirts analyst1',
          `npx tessera collection add ${root} --title "Shared indicators" --read national-csirts --write national-csirts`,
        ],
      },
      'no members yet: create the first member, a trust group and a collection with the tessera CLI (see README)',
    );
  }
}
