/**
 * The production backend: MongoDB (standalone, replica set, or FerretDB 1.x for tests) through the
 * official driver over one shared connection (./connection.ts), one store per concern of the
 * contract (../contract): ./registry.ts, ./principals.ts, ./objects/ (a folder: adding, the clock,
 * flags, crash repair), ./statuses.ts, ./state.ts, ./audit.ts. Collections, indexes and query plans:
 * ./indexes.ts. Not yet initialised.
 */
import { BadRequestError } from '../../errors';
import type { Stores } from '../contract';
import { MongoAuditStore } from './audit';
import { guard, MongoConnection } from './connection';
import { MongoObjectStore } from './objects';
import { MongoPrincipalStore } from './principals';
import { MongoRegistryStore } from './registry';
import { MongoStateStore } from './state';
import { MongoStatusStore } from './statuses';

export function createMongoStores(uri: string): Stores {
  const conn = new MongoConnection(uri);
  const objects = new MongoObjectStore(conn);
  return {
    backend: 'mongodb',
    init: () =>
      guard('open MongoDB store', async () => {
        await conn.open();
        await objects.open();
      }),
    ping: () => conn.ping(),
    backup: () =>
      Promise.reject(
        new BadRequestError(
          'tessera backup copies the embedded SQLite store; for MongoDB use mongodump / mongorestore (see README)',
        ),
      ),
    close: async () => {
      await objects.close();
      await conn.close();
    },
    registry: new MongoRegistryStore(conn),
    principals: new MongoPrincipalStore(conn),
    objects,
    statuses: new MongoStatusStore(conn),
    state: new MongoStateStore(conn),
    audit: new MongoAuditStore(conn),
  };
}
