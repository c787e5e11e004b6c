/**
 * The SQLite connection (server/store/sqlite/connection.ts) on real files: open (directories, WAL,
 * foreign keys), ping and close (a closed store refuses every operation with 503, and opens again),
 * the translation of driver failures into the hub's errors, the busy timeout against a write lock
 * held by another connection, and the group commit's all-or-nothing failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  ConflictError,
  NotFoundError,
  StoreError,
  StoreUnavailableError,
  TesseraError,
  BadRequestError,
} from '../../server/errors';
import { openStore } from '../../server/store';
import { SqliteConnection, translate } from '../../server/store/sqlite/connection';

const sqliteError = (code: string, message = 'driver message') => new Database.SqliteError(message, code);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('resolved');
}

describe('SQLite: the connection', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  const open: SqliteConnection[] = [];

  async function connect(at = file, opts?: { busyTimeoutMs?: number }): Promise<SqliteConnection> {
    const c = new SqliteConnection(at, opts);
    await c.open();
    open.push(c);
    return c;
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-conn-'));
    file = path.join(dir, 'hub.sqlite');
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('translate', function () {
    it('maps constraint, busy and I/O failures to the hub’s errors, naming the operation', function () {
      const table: [string, new (...a: never[]) => TesseraError, string][] = [
        ['SQLITE_CONSTRAINT_UNIQUE', ConflictError, 'member x: already exists'],
        ['SQLITE_CONSTRAINT_PRIMARYKEY', ConflictError, 'member x: already exists'],
        ['SQLITE_CONSTRAINT_FOREIGNKEY', NotFoundError, 'member x: a referenced record does not exist'],
        ['SQLITE_BUSY', StoreUnavailableError, 'member x: the database is busy or unavailable'],
        ['SQLITE_BUSY_SNAPSHOT', StoreUnavailableError, 'member x: the database is busy or unavailable'],
        ['SQLITE_LOCKED_SHAREDCACHE', StoreUnavailableError, 'member x: the database is busy or unavailable'],
        ['SQLITE_CANTOPEN', StoreUnavailableError, 'member x: the database is busy or unavailable'],
        ['SQLITE_IOERR_WRITE', StoreUnavailableError, 'member x: storage I/O failed (SQLITE_IOERR_WRITE)'],
        ['SQLITE_IOERR', StoreUnavailableError, 'member x: storage I/O failed (SQLITE_IOERR)'],
        ['SQLITE_FULL', StoreUnavailableError, 'member x: storage I/O failed (SQLITE_FULL)'],
        ['SQLITE_READONLY', StoreUnavailableError, 'member x: storage I/O failed (SQLITE_READONLY)'],
        // Anything else is a store error (500) carrying the driver's message.
        ['SQLITE_CONSTRAINT_CHECK', StoreError, 'member x: driver message'],
        ['SQLITE_CORRUPT', StoreError, 'member x: driver message'],
        ['SQLITE_CANTOPEN_ISDIR', StoreError, 'member x: driver message'],
        ['XSQLITE_BUSY', StoreError, 'member x: driver message'],
        ['XSQLITE_IOERR', StoreError, 'member x: driver message'],
      ];
      for (const [code, type, message] of table) {
        const e = translate(sqliteError(code), 'member x');
        assert.equal(e.constructor, type, code);
        assert.equal(e.message, message, code);
      }
    });

    it('passes the hub’s own errors through and names anything else as a store error', function () {
      const own = new BadRequestError('bad');
      assert.equal(translate(own, 'x'), own);
      const plain = translate(new TypeError('The database connection is not open'), 'ping');
      assert.equal(plain.constructor, StoreError);
      assert.equal(plain.message, 'ping: The database connection is not open');
      const coded = translate(Object.assign(new Error('odd'), { code: 42 }), 'ping');
      assert.equal(coded.constructor, StoreError);
      assert.equal(translate('a string', 'ping').message, 'ping: a string');
    });

    it('real failures: a duplicate key is a conflict, a missing reference is not found', async function () {
      const c = await connect();
      const insertGroup = (name: string) =>
        c.run(`group ${name}`, () => c.stmt('INSERT INTO groups (name, created_at) VALUES (?, 0)').run(name));
      await insertGroup('soc');
      const dup = await rejection(insertGroup('soc'));
      assert.ok(dup instanceof ConflictError);
      assert.equal(dup.message, 'group soc: already exists');
      // Foreign keys are enforced on every connection (PRAGMA foreign_keys = ON).
      const missing = await rejection(
        c.run('membership', () =>
          c.stmt('INSERT INTO group_members (grp, member) VALUES (?, ?)').run('soc', 'nobody'),
        ),
      );
      assert.ok(missing instanceof NotFoundError);
      assert.equal(missing.message, 'membership: a referenced record does not exist');
    });
  });

  describe('open, ping, close', function () {
    it('backup through the store: a copy of the open store, which opens with the same data', async function () {
      const stores = await openStore(`sqlite:${file}`);
      const copy = path.join(dir, 'copy.sqlite');
      try {
        await stores.registry.createApiRoot({ name: 'api1', title: 'Backed up' });
        assert.ok((await stores.backup(copy)) > 0);
      } finally {
        await stores.close();
      }
      const restored = await openStore(`sqlite:${copy}`);
      try {
        assert.equal((await restored.registry.getApiRoot('api1'))?.title, 'Backed up');
      } finally {
        await restored.close();
      }
    });

    it('open creates the missing directories and leaves the file in WAL mode', async function () {
      const nested = path.join(dir, 'a', 'b', 'hub.sqlite');
      const c = await connect(nested);
      await c.ping();
      const other = new Database(nested, { readonly: true });
      try {
        assert.equal(other.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        other.close();
      }
    });

    it('open again on an open connection keeps its one handle: closing leaves no connection behind', async function () {
      const c = await connect();
      await c.open();
      await c.ping();
      await c.close();
      assert.deepEqual(readdirSync(dir), ['hub.sqlite'], 'the WAL files go with the last connection');
    });

    it('a file that cannot be opened: 503 naming the open', async function () {
      const e = await rejection(new SqliteConnection(dir).open());
      assert.ok(e instanceof StoreUnavailableError, String(e));
      assert.equal(e.message, 'open database: the database is busy or unavailable');
    });

    it('statements are prepared once per SQL text; the cache starts again past 501', async function () {
      const c = await connect();
      const before = c.cachedStatements;
      assert.equal(c.stmt('SELECT 1 AS one'), c.stmt('SELECT 1 AS one'));
      assert.equal(c.cachedStatements, before + 1);
      for (let i = c.cachedStatements; i < 501; i++) c.stmt(`SELECT ${i} AS n`);
      assert.equal(c.cachedStatements, 501);
      assert.deepEqual(c.stmt('SELECT 1000 AS n').get(), { n: 1000 });
      assert.equal(c.cachedStatements, 1);
      assert.deepEqual(c.stmt('SELECT 1 AS one').get(), { one: 1 });
    });

    it('a closed connection refuses with 503 “the store is closed”, closes twice, and opens again', async function () {
      const c = await connect();
      await c.ping();
      await c.close();
      for (const op of [() => c.ping(), () => c.run('read', () => c.stmt('SELECT 1').get())]) {
        const e = await rejection(op());
        assert.ok(e instanceof StoreUnavailableError, String(e));
        assert.equal(e.message, 'the store is closed');
        assert.equal(e.httpStatus, 503);
      }
      await c.close();
      await c.open();
      await c.ping(); // statements prepared on the closed handle are not reused
      assert.deepEqual(c.stmt('SELECT 2 AS two').get(), { two: 2 });
    });

    it('every concern store of a closed SQLite store refuses with 503', async function () {
      const stores = await openStore(`sqlite:${file}`);
      await stores.registry.createApiRoot({ name: 'api1', title: 't' });
      await stores.close();
      const ops: [string, () => Promise<unknown>][] = [
        ['ping', () => stores.ping()],
        ['registry', () => stores.registry.getApiRoot('api1')],
        ['principals', () => stores.principals.listMembers()],
        ['state', () => stores.state.sharedSecret('cursor')],
        ['statuses', () => stores.statuses.getStatus({ apiRoot: 'api1', id: 'x' })],
      ];
      for (const [what, op] of ops) {
        const e = await rejection(op());
        assert.ok(e instanceof StoreUnavailableError, `${what}: ${String(e)}`);
      }
    });
  });

  describe('the write lock of another connection', function () {
    it('a write waits up to the busy timeout, then fails with 503 (not before, and not much after)', async function () {
      const c = await connect(file, { busyTimeoutMs: 300 });
      const holder = new Database(file);
      holder.exec('BEGIN IMMEDIATE');
      try {
        const started = Date.now();
        const e = await rejection(
          c.run('state k', () =>
            c.immediate(() => c.stmt("INSERT INTO state (key, value, version) VALUES ('k', 'v', 1)").run()),
          ),
        );
        const waited = Date.now() - started;
        assert.ok(e instanceof StoreUnavailableError, String(e));
        assert.equal(e.message, 'state k: the database is busy or unavailable');
        assert.ok(waited >= 250, `waited ${waited} ms`);
        assert.ok(waited < 4_000, `waited ${waited} ms: the configured timeout, not SQLite's default`);
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
    });

    it('by default a write waits for a lock another process holds for a second, then succeeds', async function () {
      const c = await connect();
      const script = `
        const Database = require('better-sqlite3');
        const db = new Database(process.argv[1]);
        db.exec('BEGIN IMMEDIATE');
        process.stdout.write('locked\\n');
        setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1000);`;
      const child = spawn(process.execPath, ['-e', script, file], {
        cwd: path.resolve(__dirname, '..', '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('locked') && resolve());
        child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking`)));
      });
      await c.run('state k', () =>
        c.immediate(() => c.stmt("INSERT INTO state (key, value, version) VALUES ('k', 'v', 1)").run()),
      );
      assert.deepEqual(c.stmt("SELECT value FROM state WHERE key = 'k'").get(), { value: 'v' });
      await exited;
    });
  });

  describe('group commit', function () {
    it('writes queued in one turn commit together; when the transaction fails, every one is rejected and none stored', async function () {
      const c = await connect();
      const insert = (name: string) => () =>
        c.stmt('INSERT INTO groups (name, created_at) VALUES (?, 0)').run(name).changes;
      const ok = await Promise.all([c.groupWrite('g1', insert('g1')), c.groupWrite('g2', insert('g2'))]);
      assert.deepEqual(ok, [1, 1]);
      const results = await Promise.allSettled([
        c.groupWrite('g3', insert('g3')),
        c.groupWrite('g1 again', insert('g1')),
      ]);
      assert.deepEqual(
        results.map((r) =>
          r.status === 'rejected' ? [(r.reason as Error).constructor, (r.reason as Error).message] : r.value,
        ),
        [
          [ConflictError, 'g3: already exists'],
          [ConflictError, 'g1 again: already exists'],
        ],
      );
      assert.deepEqual(c.stmt('SELECT name FROM groups ORDER BY name').all(), [
        { name: 'g1' },
        { name: 'g2' },
      ]);
      // The queue goes on after a failed group.
      assert.equal(await c.groupWrite('g4', insert('g4')), 1);
    });
  });
});
