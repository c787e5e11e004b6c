/**
 * The audit trail's batching writer over a real store: records reach the store after the flush
 * interval or as soon as a batch is full, close() writes everything still waiting, a store that
 * refuses a write loses nothing (the batch waits for the next flush), and the buffer is bounded.
 */
import assert from 'node:assert/strict';
import { AuditTrail } from '../../server/audit/trail';
import { recordTime } from '../../server/audit/records';
import { createLogger } from '../../server/logger';
import type { AuditRecord } from '../../server/store/contract';
import { openTestStore, type TestStores } from '../helpers/store';

const T0 = Date.UTC(2025, 6, 1) * 1000;

function rec(i: number, member = 'alice'): AuditRecord {
  return {
    at: T0 + i,
    kind: 'read',
    member,
    address: '192.0.2.1',
    endpoint: 'GET objects',
    apiRoot: 'api1',
    collection: 'c',
    count: i,
    status: 200,
    detail: null,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audit trail: batched writes', function () {
  let stores: TestStores;
  const logger = createLogger('silent');
  beforeEach(async function () {
    stores = await openTestStore();
  });
  afterEach(async function () {
    await stores?.cleanup();
  });

  const stored = async (member = 'alice') =>
    (await stores.audit.queryAudit({ member, limit: 100_000 })).map((r) => r.count);

  it('holds records until the flush interval, then writes them all in order', async function () {
    const trail = new AuditTrail(stores.audit, logger, { flushMs: 150, batchSize: 1000 });
    for (let i = 0; i < 10; i++) trail.record(rec(i));
    assert.equal(trail.waiting, 10);
    assert.deepEqual(await stored(), [], 'nothing written at once');
    await sleep(400);
    assert.deepEqual(await stored(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(trail.waiting, 0);
    await trail.close();
  });

  it('a full batch is written without waiting for the interval', async function () {
    const trail = new AuditTrail(stores.audit, logger, { flushMs: 60_000, batchSize: 5 });
    for (let i = 0; i < 12; i++) trail.record(rec(i));
    await trail.flush(); // lets the running flushes finish; writes the rest
    assert.deepEqual(await stored(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await trail.close();
  });

  it('close() writes everything still waiting (graceful shutdown loses nothing)', async function () {
    const trail = new AuditTrail(stores.audit, logger, { flushMs: 60_000, batchSize: 1000 });
    for (let i = 0; i < 250; i++) trail.record(rec(i));
    await trail.close();
    assert.equal((await stored()).length, 250);
  });

  it('a store that refuses the write keeps the batch for the next flush', async function () {
    const trail = new AuditTrail(stores.audit, logger, { flushMs: 60_000, batchSize: 1000 });
    trail.record(rec(1));
    trail.record(rec(2));
    await stores.close(); // the store is gone: the write fails
    await trail.flush();
    assert.equal(trail.waiting, 2, 'kept');
    trail.record(rec(3));
    await stores.init(); // back
    await trail.close();
    assert.deepEqual(await stored(), [1, 2, 3]);
  });

  it('the buffer is bounded: beyond maxPending the oldest records are dropped', async function () {
    const trail = new AuditTrail(stores.audit, logger, { flushMs: 60_000, batchSize: 1000, maxPending: 5 });
    for (let i = 0; i < 8; i++) trail.record(rec(i));
    assert.equal(trail.waiting, 5);
    await trail.close();
    assert.deepEqual(await stored(), [3, 4, 5, 6, 7]);
  });
});

describe('audit record times', function () {
  it('never step back between records (the millisecond and sub-millisecond clocks tick apart)', function () {
    // With nowMicros() alone, about 1 call in 10,000 went back by up to a millisecond, so records
    // written one after the other could sort out of order.
    let prev = recordTime();
    let back = 0;
    for (let i = 0; i < 300_000; i++) {
      const t = recordTime();
      if (t < prev) back++;
      prev = t;
    }
    assert.equal(back, 0);
  });

  it('follow the wall clock: within a few milliseconds of Date.now()', function () {
    const t = recordTime();
    assert.ok(Math.abs(t - Date.now() * 1000) < 5_000, `${t} vs ${Date.now() * 1000}`);
  });
});
