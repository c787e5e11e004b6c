/**
 * The connection of the MongoDB backend (server/store/mongodb/connection.ts): the database a store
 * URL names (no server needed), and what opening a store leaves in the database.
 */
import assert from 'node:assert/strict';
import { databaseOf } from '../../server/store/mongodb/connection';
import { freshDatabase } from './fixture';

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
});
