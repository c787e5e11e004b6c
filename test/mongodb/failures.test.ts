/**
 * Every operation of every MongoDB concern store names itself in the error of a driver failure
 * (the "what" of server/store/mongodb/connection.ts guard()), so that a log line or a 503 says which
 * store call failed. The failure is real: the store talks to the server through a loopback relay,
 * and once the store is open the relay stops listening and destroys every connection on both
 * sides, so each call fails in the driver (server selection times out after the URL's
 * serverSelectionTimeoutMS) and leaves as StoreUnavailableError `<operation>: MongoDB is unavailable (…)`.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { StoreUnavailableError } from '../../server/errors';
import { createMongoStores } from '../../server/store/mongodb';
import type { ObjectScope, Stores } from '../../server/store/contract';
import { emptyStatus } from '../helpers/store';
import { freshDatabase, type MongoTestDatabase } from './fixture';

/** A TCP relay to `target` that can be cut: no new connection, every open one destroyed. */
class Relay {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /**
   * Stop listening, destroy every connection, and give the client's side a moment to see its
   * sockets closed: an operation started on a pooled connection before the driver has seen its
   * close can wait for a reply for ever (not the driver's socketTimeoutMS).
   */
  async cut(): Promise<void> {
    this.server.close();
    for (const s of this.sockets) s.destroy();
    while (this.sockets.size > 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('MongoDB: a driver failure names the store operation', function () {
  this.timeout(30_000);
  let fresh: MongoTestDatabase;
  let relay: Relay;
  let stores: Stores;

  const scope: ObjectScope = { ranks: [], unmarked: true, publisher: null };
  const ops: [string, (s: Stores) => Promise<unknown>][] = [
    // the backend
    ['ping', (s) => s.ping()],
    ['open MongoDB store', (s) => s.init()],
    // registry
    ['API root r1', (s) => s.registry.createApiRoot({ name: 'r1', title: 't' })],
    ['get API root', (s) => s.registry.getApiRoot('r1')],
    ['list API roots', (s) => s.registry.listApiRoots()],
    ['remove API root r1', (s) => s.registry.removeApiRoot('r1')],
    [
      'collection c1',
      (s) => s.registry.createCollection({ id: 'c1', apiRoot: 'r1', title: 't', mediaTypes: [], grants: [] }),
    ],
    ['grants of c1', (s) => s.registry.setGrants({ collectionId: 'c1', grants: [] })],
    [
      'grant of c1',
      (s) => s.registry.putGrant({ collectionId: 'c1', grant: { group: 'g', read: true, write: false } }),
    ],
    ['grant of c2', (s) => s.registry.removeGrant({ collectionId: 'c2', group: 'g' })],
    ['default TLP of c1', (s) => s.registry.setDefaultTlp({ collectionId: 'c1', defaultTlp: 'green' })],
    ['find collection', (s) => s.registry.findCollection({ apiRoot: 'r1', idOrAlias: 'c1' })],
    ['remove collection c1', (s) => s.registry.removeCollection({ collectionId: 'c1' })],
    ['list collections', (s) => s.registry.listCollections({ apiRoot: 'r1', visibleTo: 'all' })],
    // principals
    ['member m1', (s) => s.principals.createMember({ name: 'm1', secretHash: 'h' })],
    ['member m2', (s) => s.principals.setMemberSecret({ name: 'm2', secretHash: 'h' })],
    ['get member', (s) => s.principals.getMember('m1')],
    ['list members', (s) => s.principals.listMembers()],
    ['group g1', (s) => s.principals.createGroup('g1')],
    ['list groups', (s) => s.principals.listGroups()],
    ['join m1 to g1', (s) => s.principals.joinGroup({ member: 'm1', group: 'g1' })],
    ['remove m1 from g1', (s) => s.principals.leaveGroup({ member: 'm1', group: 'g1' })],
    ['member m3', (s) => s.principals.setMemberDisabled({ name: 'm3', disabled: true })],
    ['remove member m1', (s) => s.principals.removeMember('m1')],
    ['remove group g1', (s) => s.principals.removeGroup('g1')],
    [
      'API key k1',
      (s) => s.principals.createApiKey({ id: 'k1', member: 'm1', name: null, hash: 'h', expiresAt: null }),
    ],
    ['get API key', (s) => s.principals.getApiKey('k1')],
    ['list API keys', (s) => s.principals.listApiKeys({})],
    ['list API keys', (s) => s.principals.listApiKeys({ member: 'm1' })],
    ['revoke API key k1', (s) => s.principals.revokeApiKey({ id: 'k1', at: 1 })],
    [
      'certificate f1',
      (s) => s.principals.bindCertificate({ fingerprint: 'f1', member: 'm1', subject: null }),
    ],
    ['unbind certificate f1', (s) => s.principals.unbindCertificate('f1')],
    ['get certificate', (s) => s.principals.getCertificate('f1')],
    ['list certificates', (s) => s.principals.listCertificates({})],
    ['list certificates', (s) => s.principals.listCertificates({ member: 'm1' })],
    // objects
    [
      'add objects',
      (s) =>
        s.objects.addObjects({
          collectionId: 'c1',
          addedBy: 'm1',
          objects: [
            {
              id: 'x--1',
              type: 'x',
              specVersion: '2.1',
              version: null,
              versionKey: null,
              body: '{}',
              tlp: null,
            },
          ],
        }),
    ],
    [
      'query objects',
      (s) =>
        s.objects.queryObjects({
          collectionId: 'c1',
          filter: {},
          limit: 10,
          withBody: true,
          visibleTo: 'all',
        }),
    ],
    ['object exists', (s) => s.objects.objectExists({ collectionId: 'c1', id: 'x--1', visibleTo: scope })],
    ['delete object', (s) => s.objects.deleteObject({ collectionId: 'c1', id: 'x--1', visibleTo: 'all' })],
    ['purge collection c1', (s) => s.objects.purgeCollection({ collectionId: 'c1', limit: 10 })],
    ['count objects', (s) => s.objects.countObjects('c1')],
    // statuses
    [
      'put status',
      (s) =>
        s.statuses.putStatus(
          emptyStatus({
            id: 's1',
            apiRoot: 'r1',
            collectionId: 'c1',
            member: 'm1',
            requestTimestamp: 1,
            expiresAt: 2,
          }),
        ),
    ],
    ['get status', (s) => s.statuses.getStatus({ id: 's1', apiRoot: 'r1' })],
    ['purge statuses', (s) => s.statuses.purgeStatuses({ before: 3 })],
    ['purge the statuses of a collection', (s) => s.statuses.purgeCollectionStatuses({ collectionId: 'c1' })],
    // state
    ['shared secret', (s) => s.state.sharedSecret('cursor')],
    ['get state', (s) => s.state.getState('k')],
    ['put state', (s) => s.state.putState({ key: 'k', value: 'v', expectedVersion: 0 })],
    ['put state', (s) => s.state.putState({ key: 'k', value: 'v', expectedVersion: 1 })],
    // audit
    [
      'append audit records',
      (s) =>
        s.audit.appendAudit([
          {
            at: 1,
            kind: 'read',
            member: null,
            address: null,
            endpoint: '/',
            apiRoot: null,
            collection: null,
            count: null,
            status: 200,
            detail: null,
          },
        ]),
    ],
    ['query audit records', (s) => s.audit.queryAudit({ limit: 10 })],
    ['purge audit records', (s) => s.audit.purgeAudit({ before: 1 })],
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
