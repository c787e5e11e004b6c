/**
 * The connection of the MongoDB backend (server/store/mongodb/connection.ts): the database a store
 * URL names (no server needed), and what opening a store leaves in the database.
 */
import assert from 'node:assert/strict';
import { BadRequestError, StoreUnavailableError } from '../../server/errors';
import { createMongoStores } from '../../server/store/mongodb';
import { clientOptions, databaseOf, MongoConnection } from '../../server/store/mongodb/connection';
import { STORE_OPERATIONS } from '../helpers/operations';
import { freshDatabase, Relay } from './fixture';

describe('MongoDB backend: connection', function () {
  it('uses the database named in the URL path, decoded, and "tessera" when it names none', function () {
    const cases: [string, string][] = [
      ['mongodb://127.0.0.1:27017/intel', 'intel'],
      ['mongodb://127.0.0.1:27017/intel?serverSelectionTimeoutMS=300', 'intel'],
      ['mongodb://u:p%2Fw@h1:1,h2:2/intel?replicaSet=rs0', 'intel'],
      ['mongodb+srv://cluster.example.org/my%20db?retryWrites=true', 'my db'],
      ['mongodb://127.0.0.1:27017', 'tessera'],
      ['mongodb://127.0.0.1:27017/', 'tessera'],
      ['mongodb://127.0.0.1:27017/?authSource=admin', 'tessera'],
      ['mongodb://127.0.0.1:27017?tls=true&tlsCAFile=/etc/ca/a.pem', 'tessera'],
    ];
    for (const [url, db] of cases) assert.equal(databaseOf(url), db, url);
  });

  it('probes the write concern with an upsert into meta when it opens', async function () {
    this.timeout(30_000);
    const fresh = await freshDatabase(this);
    try {
      const before = Date.now() * 1000;
      await fresh.open();
      const probe = await fresh.db.collection('meta').findOne({ _id: 'write-concern-probe' } as never);
      assert.ok(probe, 'the probe document is written');
      assert.ok(typeof probe.at === 'number' && probe.at >= before, `at ${String(probe.at)}`);
    } finally {
      await fresh.dispose();
    }
  });

  it('gives the driver: undefined values ignored, server selection 10 s unless the URL sets it', function () {
    const defaults = { appName: 'tessera', ignoreUndefined: true };
    assert.deepEqual(clientOptions('mongodb://127.0.0.1:27017/intel'), {
      ...defaults,
      serverSelectionTimeoutMS: 10_000,
    });
    assert.deepEqual(clientOptions('mongodb://h/serverSelectionTimeoutMS=1'), {
      ...defaults,
      serverSelectionTimeoutMS: 10_000,
    });
    assert.deepEqual(clientOptions('mongodb://h/intel?tls=true&serverSelectionTimeoutMS_x=1'), {
      ...defaults,
      serverSelectionTimeoutMS: 10_000,
    });
    for (const url of [
      'mongodb://h/intel?serverSelectionTimeoutMS=300',
      'mongodb://h/intel?tls=true&serverSelectionTimeoutMS=300',
      'mongodb://h/?SERVERSELECTIONTIMEOUTMS=300',
      'mongodb://h/intel?serverSelectiontimeoutms=1&tls=true',
    ])
      assert.deepEqual(clientOptions(url), defaults, url);
  });

  it('a store not opened yet, or closed, refuses every operation as not open (503)', async function () {
    this.timeout(30_000);
    const fresh = await freshDatabase(this);
    try {
      const never = createMongoStores(fresh.url);
      const closed = await fresh.open();
      await closed.close();
      for (const s of [never, closed]) {
        for (const [label, op] of [['ping', (x: typeof s) => x.ping()] as const, ...STORE_OPERATIONS]) {
          const e = await op(s).then(
            () => assert.fail(`${label} resolved`),
            (err: unknown) => err,
          );
          assert.ok(e instanceof StoreUnavailableError, `${label}: ${String(e)}`);
          assert.equal(e.message, 'the MongoDB store is not open', label);
        }
      }
    } finally {
      await fresh.dispose();
    }
  });

  it('a second init of an open store neither connects nor probes again', async function () {
    this.timeout(30_000);
    const fresh = await freshDatabase(this);
    try {
      const s = await fresh.open();
      const probe = () => fresh.db.collection('meta').findOne({ _id: 'write-concern-probe' } as never);
      const first = await probe();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await s.init();
      assert.deepEqual(await probe(), first);
      assert.deepEqual(await s.registry.listApiRoots(), []);
    } finally {
      await fresh.dispose();
    }
  });

  it('an unreachable server fails the open as unavailable (503), naming it', async function () {
    this.timeout(30_000);
    const relay = new Relay({ host: '127.0.0.1', port: 1 });
    const port = await relay.listen();
    await relay.cut(); // nothing listens on the port any more
    const s = createMongoStores(
      `mongodb://127.0.0.1:${port}/t?serverSelectionTimeoutMS=200&connectTimeoutMS=200`,
    );
    const e = await s.init().then(
      () => assert.fail('opened'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof StoreUnavailableError, String(e));
    assert.match(
      e.message,
      new RegExp(
        `^open MongoDB store: MongoDB is unavailable \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`,
      ),
    );
    await s.close();
  });

  it('closing a store closes its connections to the server', async function () {
    this.timeout(30_000);
    const fresh = await freshDatabase(this);
    const direct = new URL(fresh.url);
    const relay = new Relay({ host: direct.hostname, port: Number(direct.port) });
    try {
      const relayed = new URL(fresh.url);
      relayed.port = String(await relay.listen());
      const s = createMongoStores(relayed.href);
      await s.init();
      await s.registry.listApiRoots();
      assert.ok(relay.openSockets > 0);
      await s.close();
      for (let i = 0; i < 200 && relay.openSockets > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(relay.openSockets, 0);
    } finally {
      await relay.cut();
      await fresh.dispose();
    }
  });

  it('writes through handles with the write concern chosen at open (majority, journaled here)', async function () {
    this.timeout(30_000);
    const fresh = await freshDatabase(this);
    const conn = new MongoConnection(fresh.url);
    try {
      await conn.open();
      const wc = conn.collection('objects').writeConcern;
      assert.deepEqual([wc?.w, wc?.journal], ['majority', true]);
    } finally {
      await conn.close();
      await fresh.dispose();
    }
  });

  it('refuses a backup: MongoDB is copied with its own tools', async function () {
    const s = createMongoStores('mongodb://127.0.0.1:1/t');
    await assert.rejects(s.backup('/tmp/never.sqlite'), (e: unknown) => {
      assert.equal((e as Error).constructor, BadRequestError);
      assert.equal(
        (e as Error).message,
        'tessera backup copies the embedded SQLite store; for MongoDB use mongodump / mongorestore (see README)',
      );
      return true;
    });
  });
});
