/**
 * The SQLite store clock (table clock, server/store/sqlite/objects.ts): dateAdded is the time of the
 * add in microseconds, and never repeats or steps back, even when the system clock is behind the
 * last value given out (a clock stepped back, or a file from a host whose clock ran ahead).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import { nowMicros } from '../../server/time';
import { makeIndicator, toNewVersion } from '../helpers/stix';

describe('SQLite: the store clock', function () {
  let dir: string;
  let file: string;
  let stores: Stores;
  let collectionId: string;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-clock-'));
    file = path.join(dir, 'hub.sqlite');
    stores = await openStore(`sqlite:${file}`);
    await stores.registry.createApiRoot({ name: 'api1', title: 't' });
    collectionId = (
      await stores.registry.createCollection({
        id: 'c1',
        apiRoot: 'api1',
        title: 't',
        mediaTypes: [],
        grants: [],
      })
    ).id;
  });
  after(async function () {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const clockLast = () => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare('SELECT last FROM clock WHERE id = 1').get() as { last: number }).last;
    } finally {
      db.close();
    }
  };
  const add = (objects: ReturnType<typeof toNewVersion>[]) =>
    stores.objects.addObjects({ collectionId, addedBy: 'm', objects });

  it('behind the system time: dateAdded is the time of the add, and the clock keeps the last value', async function () {
    const before = nowMicros();
    const [a, b] = await add([toNewVersion(makeIndicator()), toNewVersion(makeIndicator())]);
    const after = nowMicros();
    assert.ok(a && b);
    // (nowMicros's sub-millisecond part is not monotonic: a millisecond of slack either side.)
    assert.ok(
      a.dateAdded >= before - 1000 && a.dateAdded <= after + 1000,
      `${before} ≤ ${a.dateAdded} ≤ ${after}`,
    );
    assert.equal(b.dateAdded, a.dateAdded + 1);
    assert.equal(clockLast(), b.dateAdded);
  });

  it('ahead of the system time: dateAdded continues from the clock, one by one; duplicates leave it alone', async function () {
    const ahead = nowMicros() + 3_600_000_000;
    const db = new Database(file);
    db.prepare('UPDATE clock SET last = ? WHERE id = 1').run(ahead);
    db.close();
    const obj = toNewVersion(makeIndicator());
    const outcomes = await add([obj, toNewVersion(makeIndicator())]);
    assert.deepEqual(
      outcomes.map((o) => [o.outcome, o.dateAdded]),
      [
        ['added', ahead + 1],
        ['added', ahead + 2],
      ],
    );
    assert.equal(clockLast(), ahead + 2);
    const again = await add([obj]);
    assert.deepEqual(
      again.map((o) => [o.outcome, o.dateAdded]),
      [['duplicate', ahead + 1]],
    );
    assert.equal(clockLast(), ahead + 2);
  });
});
