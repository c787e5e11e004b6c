/**
 * Store URLs (server/store/index.ts): parsing, the MongoDB database swap of the test helpers and
 * the CLI, descriptions for messages, and whether a store exists — the same on every backend; the
 * MongoDB half of storeExists/openStore runs when a MongoDB-wire server is configured
 * (TESSERA_STORE=mongodb://… or TESSERA_MONGO_URL).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describeStore, openStore, parseStoreUrl, storeExists, withMongoDatabase } from '../../server/store';
import { backendName } from '../helpers/store';
import { suite } from './fixture';

describe(suite('store URLs'), function () {
  it('parseStoreUrl: sqlite:<path>, sqlite::memory:, mongodb:// and mongodb+srv://; anything else is null', function () {
    const cases: [string, ReturnType<typeof parseStoreUrl>][] = [
      ['sqlite:/var/lib/tessera/hub.sqlite', { kind: 'sqlite', path: '/var/lib/tessera/hub.sqlite' }],
      ['sqlite:data/hub.sqlite', { kind: 'sqlite', path: 'data/hub.sqlite' }],
      ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
      ['sqlite:', null],
      ['mongodb://db.example:27017/tessera', { kind: 'mongodb', uri: 'mongodb://db.example:27017/tessera' }],
      [
        'mongodb+srv://cluster.example/tessera',
        { kind: 'mongodb', uri: 'mongodb+srv://cluster.example/tessera' },
      ],
      ['mongodb:/oops', null],
      ['xmongodb://db.example/t', null],
      ['postgres://db.example/t', null],
      ['/var/lib/tessera/hub.sqlite', null],
      ['SQLITE:hub.sqlite', null],
      ['', null],
    ];
    for (const [url, want] of cases) assert.deepEqual(parseStoreUrl(url), want, url);
  });

  it('withMongoDatabase swaps the database, keeps the options, and keeps credentials pointed at their database', function () {
    const cases: [string, string, { uri: string; previous: string }][] = [
      ['mongodb://h:27017/', 'new', { uri: 'mongodb://h:27017/new', previous: '' }],
      ['mongodb://h:27017', 'new', { uri: 'mongodb://h:27017/new', previous: '' }],
      [
        'mongodb://h1,h2/old?replicaSet=rs&w=majority',
        'new',
        {
          uri: 'mongodb://h1,h2/new?replicaSet=rs&w=majority',
          previous: 'old',
        },
      ],
      ['mongodb://h?w=1', 'new', { uri: 'mongodb://h/new?w=1', previous: '' }],
      [
        'mongodb+srv://cluster.example/old',
        'a b/c',
        { uri: 'mongodb+srv://cluster.example/a%20b%2Fc', previous: 'old' },
      ],
      ['mongodb://h/my%20db', 'new', { uri: 'mongodb://h/new', previous: 'my db' }],
      // Credentials without authSource: the old database (else admin) becomes the authSource.
      ['mongodb://u:p@h/old', 'new', { uri: 'mongodb://u:p@h/new?authSource=old', previous: 'old' }],
      ['mongodb://u:p@h/', 'new', { uri: 'mongodb://u:p@h/new?authSource=admin', previous: '' }],
      ['mongodb://u:p@h', 'new', { uri: 'mongodb://u:p@h/new?authSource=admin', previous: '' }],
      [
        'mongodb://u:p@h/my%20db?w=1',
        'new',
        {
          uri: 'mongodb://u:p@h/new?w=1&authSource=my%20db',
          previous: 'my db',
        },
      ],
      [
        'mongodb://u:p@h/old?authSource=x',
        'new',
        { uri: 'mongodb://u:p@h/new?authSource=x', previous: 'old' },
      ],
      [
        'mongodb://u:p@h/old?w=1&AUTHSOURCE=x',
        'new',
        {
          uri: 'mongodb://u:p@h/new?w=1&AUTHSOURCE=x',
          previous: 'old',
        },
      ],
      // Only a whole authSource option counts.
      [
        'mongodb://u:p@h/old?xauthSource=y',
        'new',
        {
          uri: 'mongodb://u:p@h/new?xauthSource=y&authSource=old',
          previous: 'old',
        },
      ],
    ];
    for (const [uri, database, want] of cases) assert.deepEqual(withMongoDatabase(uri, database), want, uri);
  });

  it('describeStore: an absolute file path, the in-memory store, a MongoDB URI without its credentials', function () {
    assert.equal(describeStore('sqlite:data/hub.sqlite'), path.resolve('data/hub.sqlite'));
    assert.equal(describeStore('sqlite:/var/lib/hub.sqlite'), '/var/lib/hub.sqlite');
    assert.equal(describeStore('sqlite::memory:'), 'an in-memory SQLite store');
    assert.equal(
      describeStore('mongodb://user:secret@db.example:27017/t?w=1'),
      'mongodb://db.example:27017/t?w=1',
    );
    assert.equal(describeStore('mongodb+srv://user@cluster.example/t'), 'mongodb+srv://cluster.example/t');
    assert.equal(describeStore('mongodb://db.example/t?tag=a@b'), 'mongodb://db.example/t?tag=a@b');
    assert.equal(describeStore('bogus:x'), 'bogus:x');
  });

  it('an unsupported URL: openStore and storeExists refuse it by name', async function () {
    await assert.rejects(openStore('bogus:x'), { message: 'unsupported store URL: bogus:x' });
    await assert.rejects(storeExists('bogus:x'), { message: 'unsupported store URL: bogus:x' });
  });

  it('storeExists on SQLite: the file is there (or in memory); nothing is created', async function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-exists-'));
    try {
      const file = path.join(dir, 'hub.sqlite');
      assert.equal(await storeExists(`sqlite:${file}`), false);
      assert.equal(await storeExists(`sqlite:${file}`), false, 'the check created nothing');
      writeFileSync(file, '');
      assert.equal(await storeExists(`sqlite:${file}`), true);
      assert.equal(await storeExists('sqlite::memory:'), true);
      const stores = await openStore(`sqlite:${path.join(dir, 'other.sqlite')}`);
      assert.equal(stores.backend, 'sqlite');
      await stores.close();
      assert.equal(await storeExists(`sqlite:${path.join(dir, 'other.sqlite')}`), true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on a MongoDB-wire server', function () {
    const base =
      backendName() === 'mongodb' ? (process.env.TESSERA_STORE as string) : process.env.TESSERA_MONGO_URL;
    let url = '';
    before(function () {
      if (!base) this.skip();
      url = withMongoDatabase(base, `tessera_exists_${randomBytes(6).toString('hex')}`).uri;
    });
    after(async function () {
      if (!url) return;
      const client = new MongoClient(url);
      try {
        await client.connect();
        await client.db().dropDatabase();
      } finally {
        await client.close();
      }
    });

    it('storeExists: a database without collections does not exist; after openStore it does', async function () {
      assert.equal(await storeExists(url), false);
      const stores = await openStore(url);
      try {
        assert.equal(stores.backend, 'mongodb');
      } finally {
        await stores.close();
      }
      assert.equal(await storeExists(url), true);
    });
  });
});
