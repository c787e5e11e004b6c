/**
 * Every operation of every SQLite concern store names itself in the error of a driver failure
 * (the "what" of server/store/sqlite/connection.ts translate()), so that a log line or a 500 says
 * which store call failed. The failure is real: another connection drops every table of the file
 * under an open store, so each call fails in the driver ("no such table").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../server/errors';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import { STORE_OPERATIONS } from '../helpers/operations';

describe('SQLite: a driver failure names the store operation', function () {
  let dir: string;
  let stores: Stores;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-labels-'));
    const file = path.join(dir, 'hub.sqlite');
    stores = await openStore(`sqlite:${file}`);
    // Some statements prepared (and cached) before the tables go: they fail too.
    await stores.registry.listApiRoots();
    await stores.principals.listMembers();
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF');
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    for (const { name } of tables) raw.exec(`DROP TABLE "${name}"`);
    raw.close();
  });

  after(async function () {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  STORE_OPERATIONS.forEach(([label, op], i) => {
    it(`${i + 1}. ${label}`, async function () {
      const e = await op(stores).then(
        () => assert.fail('resolved'),
        (err: unknown) => err,
      );
      assert.ok(e instanceof StoreError, String(e));
      assert.equal(e.constructor, StoreError, String(e));
      assert.match(e.message, new RegExp(`^${label}: no such table: \\w+$`));
    });
  });
});
