/**
 * The embedded backend: one SQLite file through better-sqlite3 (./connection.ts), one store per
 * concern of the contract (../contract), all over that one connection. Not yet initialised.
 */
import type { Stores } from '../contract';
import { SqliteAuditStore } from './audit';
import { SqliteConnection } from './connection';
import { SqliteObjectStore } from './objects';
import { SqlitePrincipalStore } from './principals';
import { SqliteRegistryStore } from './registry';
import { SqliteStateStore } from './state';
import { SqliteStatusStore } from './statuses';

export function createSqliteStores(path: string): Stores {
  const db = new SqliteConnection(path);
  return {
    backend: 'sqlite',
    init: () => db.open(),
    ping: () => db.ping(),
    close: () => db.close(),
    backup: (file) => db.backup(file),
    registry: new SqliteRegistryStore(db),
    principals: new SqlitePrincipalStore(db),
    objects: new SqliteObjectStore(db),
    statuses: new SqliteStatusStore(db),
    state: new SqliteStateStore(db),
    audit: new SqliteAuditStore(db),
  };
}
