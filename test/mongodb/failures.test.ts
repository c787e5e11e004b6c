/**
 * Every operation of every MongoDB concern store names itself in the error of a driver failure
 * (the "what" of server/store/mongodb/connection.ts guard()), so that a log line or a 503 says which
 * store call failed. The failure is real: the store talks to the server through a loopback relay,
 * and once the store is open the relay stops listening and destroys every connection on both
 * sides, so each call fails in the driver (server selection times out after the URL's
 * serverSelectionTimeoutMS) and leaves as StoreUnavailableError `<operation>: MongoDB is unavailable (…)`.
 */
import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../server/errors';
import { createMongoStores } from '../../server/store/mongodb';
import type { Stores } from '../../server/store/contract';
import { STORE_OPERATIONS, type StoreOperation } from '../helpers/operations';
import { freshDatabase, Relay, type MongoTestDatabase } from './fixture';

describe('MongoDB: a driver failure names the store operation', function () {
  this.timeout(30_000);
  let fresh: MongoTestDatabase;
  let relay: Relay;
  let stores: Stores;

  const ops: StoreOperation[] = [
    // the backend itself
    ['ping', (s) => s.ping()],
    ['open MongoDB store', (s) => s.init()],
    ...STORE_OPERATIONS,
  ];

  before(async function () {
    fresh = await freshDatabase(this);
    const direct = new URL(fresh.url);
    relay = new Relay({ host: direct.hostname, port: Number(direct.port) });
    const relayed = new URL(fresh.url);
    relayed.port = String(await relay.listen());
    relayed.search = '?serverSelectionTimeoutMS=300&connectTimeoutMS=300&socketTimeoutMS=3000';
    stores = createMongoStores(relayed.href);
    await stores.init();
    // Pooled connections in use, as in a running hub.
    await stores.registry.listApiRoots();
    await stores.principals.listMembers();
    await relay.cut();
  });

  after(async function () {
    await stores?.close();
    await fresh?.dispose();
  });

  it('every operation fails with StoreUnavailableError "<operation>: MongoDB is unavailable (…)"', async function () {
    // All at once (the ops run inside the test, where mutation testing credits them): each waits
    // for its own server selection to time out.
    const outcomes = await Promise.all(
      ops.map(([, op]) =>
        op(stores).then(
          () => 'resolved',
          (e: unknown) =>
            e instanceof Error
              ? `${e.constructor === StoreUnavailableError ? 'StoreUnavailableError' : `(a ${e.constructor.name})`}: ${e.message}`
              : String(e),
        ),
      ),
    );
    const wrong = ops
      .map(([label], i) => ({ label, outcome: outcomes[i] as string }))
      .filter(
        ({ label, outcome }) =>
          !outcome.startsWith(`StoreUnavailableError: ${label}: MongoDB is unavailable (`),
      );
    assert.deepEqual(wrong, []);
  });
});
