/** The MongoDB backend's stores, by concern (see ../contract); not yet initialised. */
import type { Stores } from '../contract';
import { MongoStore } from './store';

export function createMongoStores(uri: string): Stores {
  const s = new MongoStore(uri);
  return {
    backend: s.backend,
    init: () => s.init(),
    ping: () => s.ping(),
    close: () => s.close(),
    registry: s,
    principals: s,
    objects: s,
    statuses: s,
    state: s,
  };
}
