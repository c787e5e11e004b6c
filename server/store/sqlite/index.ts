/** The SQLite backend's stores, by concern (see ../contract); not yet initialised. */
import type { Stores } from '../contract';
import { SqliteStore } from './store';

export function createSqliteStores(path: string): Stores {
  const s = new SqliteStore(path);
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
