/**
 * Issue 8 item 3, failure amplification. A 2 MB envelope of a million invalid entries used to be
 * answered with a 112 MB status (stored, and served again on GET status), stalling the hub; at the
 * 10 MiB limit the hub answered 500 with a valid object of the same envelope stored. Now: an
 * envelope of more than TESSERA_MAX_ENVELOPE_OBJECTS objects is a 413 before anything is stored; a
 * status's lists are bounded (counts exact, each list whole or left out); and a request either gets
 * its status or stores nothing, also when the store fails midway (faults injected into the real
 * store: a trigger on SQLite, a unique index on MongoDB).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { openStore, parseStoreUrl } from '../../server/store';
import { TAXII, type TestHub } from '../helpers/hub';
import { backendName } from '../helpers/store';
import { makeIndicator } from '../helpers/stix';
import { writerHub, type WriterHub } from './writer';

interface StatusJson {
  id: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes?: { id: string; version: string; message?: string }[];
  failures?: { id: string; version: string; message?: string }[];
  x_tessera_omitted_lists?: string[];
}

/** Runs `sql` on the hub's SQLite file, or `mongo` on its MongoDB database: a fault in the real store. */
async function onStore(
  hub: TestHub,
  sql: string,
  mongo: (db: import('mongodb').Db) => Promise<unknown>,
): Promise<void> {
  const loc = parseStoreUrl(hub.storeUrl);
  if (loc?.kind === 'sqlite') {
    const db = new Database(loc.path);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const client = new MongoClient(hub.storeUrl);
  try {
    await mongo(client.db());
  } finally {
    await client.close();
  }
}

describe('hostile: failure amplification and partial writes (issue 8 item 3)', function () {
  this.timeout(120_000);
  let w: WriterHub;
  before(async () => {
    w = await writerHub();
  });
  after(async () => w?.close());

  it('an envelope of more objects than the limit: 413 TAXII error, and its valid object is not stored', async () => {
    const good = makeIndicator();
    const res = await w.post(`{"objects":[${JSON.stringify(good)},${'1,'.repeat(20_000)}1]}`);
    const text = await res.text();
    assert.equal(res.status, 413, text.slice(0, 300));
    assert.equal(res.headers.get('content-type'), TAXII);
    const e = JSON.parse(text) as { http_status: string; description: string };
    assert.equal(e.http_status, '413');
    assert.match(e.description, /20002 objects; this hub accepts at most 10000/);
    assert.equal(await w.stored(good.id), false);
    const root = (await (await w.get('/api1/')).json()) as Record<string, unknown>;
    assert.equal(root.x_tessera_max_envelope_objects, 10_000);
  });

  it('a status of thousands of long failures stays bounded: counts exact, lists whole or left out, POST and GET agree', async () => {
    // 5,000 refused objects, each with a 500-character id echoed in its failure.
    const junk = Array.from({ length: 5000 }, (_, i) => `{"type":"x-junk","id":"${'x'.repeat(500)}${i}"}`);
    const good = makeIndicator();
    const res = await w.post(`{"objects":[${JSON.stringify(good)},${junk.join(',')}]}`);
    const text = await res.text();
    assert.equal(res.status, 202, text.slice(0, 300));
    assert.ok(text.length < 2.2 * 1024 * 1024, `the status is ${text.length} bytes`);
    const s = JSON.parse(text) as StatusJson;
    assert.deepEqual([s.total_count, s.success_count, s.failure_count, s.pending_count], [5001, 1, 5000, 0]);
    assert.equal(s.failures, undefined, 'the failures did not fit: left out, not cut short');
    assert.deepEqual(s.x_tessera_omitted_lists, ['failures']);
    assert.equal(s.successes?.length, 1, 'the successes fit: whole');
    const again = await w.get(`/api1/status/${s.id}/`);
    assert.equal(again.status, 200);
    assert.deepEqual((await again.json()) as StatusJson, s);
  });

  it('a small envelope of junk gets a status near its own size, not fifty times it: counts exact, failures left out', async () => {
    // 10,000 entries `1` (20 KB): their failures list alone is about 1 MB.
    const body = `{"objects":[${'1,'.repeat(9_999)}1]}`;
    const res = await w.post(body);
    const text = await res.text();
    assert.equal(res.status, 202, text.slice(0, 300));
    assert.ok(text.length <= 64 * 1024, `a ${body.length}-byte request got a ${text.length}-byte status`);
    const s = JSON.parse(text) as StatusJson;
    assert.deepEqual(
      [s.total_count, s.success_count, s.failure_count, s.pending_count],
      [10_000, 0, 10_000, 0],
    );
    assert.equal(s.failures, undefined);
    assert.deepEqual(s.x_tessera_omitted_lists, ['failures']);
    const again = await w.get(`/api1/status/${s.id}/`);
    assert.deepEqual((await again.json()) as StatusJson, s);
  });

  it('a small status keeps every list, and each echoed id and message is cut to a fixed length', async () => {
    const longId = `x-junk--${'y'.repeat(10_000)}`;
    const manyBad: Record<string, unknown> = { ...makeIndicator() };
    for (let i = 0; i < 2000; i++) manyBad[`BAD PROPERTY ${i}`] = i;
    const res = await w.post(JSON.stringify({ objects: [{ type: 'x-junk', id: longId }, manyBad, 1] }));
    const s = (await res.json()) as StatusJson;
    assert.equal(res.status, 202);
    assert.equal(s.failures?.length, 3);
    const [first, second] = s.failures ?? [];
    assert.ok(first && first.id.length <= 301 && first.id.startsWith('x-junk--yyy'), first?.id.slice(0, 50));
    assert.equal(second?.id, manyBad.id);
    assert.ok((second?.message ?? '').length <= 1001, `message of ${second?.message?.length} characters`);
    assert.match(second?.message ?? '', /^property-name at .*… \(\d+ more\)$/);
    assert.equal(s.x_tessera_omitted_lists, undefined);
  });

  /** A hub of its own (a fault is injected into its store). */
  async function faultyHub(): Promise<void> {
    await w.close();
    w = await writerHub();
  }

  it('the status cannot be stored after the objects were: 202 with the status all the same, the objects kept', async () => {
    await faultyHub();
    const first = makeIndicator();
    assert.equal((await w.post(JSON.stringify({ objects: [first] }))).status, 202);
    // From now on every status of this member is refused by the store.
    await onStore(
      w.hub,
      `CREATE TRIGGER fault_statuses BEFORE INSERT ON statuses WHEN NEW.member = 'alice'
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;`,
      (db) => db.collection('statuses').createIndex({ member: 1 }, { unique: true, name: 'fault_statuses' }),
    );
    try {
      const second = makeIndicator();
      const res = await w.post(JSON.stringify({ objects: [second] }));
      const text = await res.text();
      assert.equal(res.status, 202, `an error answer although the object is stored: ${text.slice(0, 300)}`);
      const s = JSON.parse(text) as StatusJson;
      assert.equal(s.success_count, 1);
      assert.equal(s.successes?.[0]?.id, second.id);
      assert.equal(await w.stored(second.id), true);
      assert.equal((await w.get(`/api1/status/${s.id}/`)).status, 404);
      // Nothing stored and the status refused: then the error is the answer.
      const junk = await w.post(JSON.stringify({ objects: [1] }));
      assert.ok(junk.status >= 400, `status ${junk.status}`);
    } finally {
      await onStore(w.hub, 'DROP TRIGGER fault_statuses', (db) =>
        db.collection('statuses').dropIndex('fault_statuses'),
      );
    }
  });

  it('the store fails midway through a batch: an error answer, and nothing of the batch is stored', async () => {
    await faultyHub();
    // Three new objects with one version string: the store refuses the second one it writes.
    const version = '2025-03-04T05:06:07.000Z';
    const batch = [0, 1, 2].map(() =>
      makeIndicator({ created: version, modified: version, valid_from: version }),
    );
    await onStore(
      w.hub,
      `CREATE TRIGGER fault_objects BEFORE INSERT ON objects
         WHEN (SELECT count(*) FROM objects WHERE version = NEW.version) > 0
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;`,
      (db) => db.collection('objects').createIndex({ ver: 1 }, { unique: true, name: 'fault_objects' }),
    );
    try {
      const res = await w.post(JSON.stringify({ objects: batch }));
      const text = await res.text();
      assert.ok(res.status >= 500, `expected an error, got ${res.status}: ${text.slice(0, 200)}`);
      assert.equal(res.headers.get('content-type'), TAXII);
      for (const o of batch) assert.equal(await w.stored(o.id), false, `${o.id} was stored behind an error`);
    } finally {
      await onStore(w.hub, 'DROP TRIGGER fault_objects', (db) =>
        db.collection('objects').dropIndex('fault_objects'),
      );
    }
    // And the collection takes the same objects afterwards.
    const ok = await w.post(JSON.stringify({ objects: batch }));
    assert.equal(((await ok.json()) as StatusJson).success_count, 3);
  });

  it('SQLite: a database written before statuses had counts is upgraded; its statuses keep their lists', async function () {
    if (backendName() !== 'sqlite') this.skip();
    const loc = parseStoreUrl(w.hub.storeUrl);
    assert.ok(loc?.kind === 'sqlite');
    const path = `${loc.path}.old-${randomUUID()}.db`;
    const old = new Database(path);
    old.exec(`CREATE TABLE statuses (id TEXT PRIMARY KEY, api_root TEXT NOT NULL, collection_id TEXT NOT NULL,
      member TEXT NOT NULL, request_timestamp INTEGER NOT NULL, status TEXT NOT NULL, total_count INTEGER NOT NULL,
      successes TEXT NOT NULL, failures TEXT NOT NULL, pendings TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
    const id = randomUUID();
    old
      .prepare('INSERT INTO statuses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        id,
        'api1',
        'c',
        'm',
        1,
        'complete',
        3,
        '[{"id":"a","version":"v"}]',
        '[{"id":"b","version":"v"},{"id":"c","version":"v"}]',
        '[]',
        2,
      );
    old.close();
    const stores = await openStore(`sqlite:${path}`);
    try {
      const s = await stores.statuses.getStatus({ apiRoot: 'api1', id });
      assert.deepEqual([s?.successCount, s?.failureCount, s?.pendingCount], [1, 2, 0]);
    } finally {
      await stores.close();
      for (const f of [path, `${path}-wal`, `${path}-shm`]) await rm(f, { force: true });
    }
  });
});
