import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { StatusRecord } from '../../server/store/contract';
import { newApiRoot, newCollection, suite, uniq, useStores } from './fixture';

const HOUR = 3_600_000_000;
const T0 = Date.UTC(2025, 5, 1) * 1000 + 123_456;

describe(suite('statuses'), function () {
  const stores = useStores();
  let root: string;
  let otherRoot: string;
  let col: string;
  before(async function () {
    root = await newApiRoot(stores());
    otherRoot = await newApiRoot(stores());
    col = (await newCollection(stores(), root)).id;
  });

  function status(extra: Partial<StatusRecord> = {}): StatusRecord {
    return {
      id: randomUUID(),
      apiRoot: root,
      collectionId: col,
      member: uniq('member'),
      requestTimestamp: T0,
      status: 'complete',
      totalCount: 4,
      successCount: 2,
      failureCount: 1,
      pendingCount: 1,
      successes: [
        { id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', version: '2025-01-01T00:00:00.000Z' },
        {
          id: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
          version: '2025-01-02T00:00:00Z',
          message: 'stored',
        },
      ],
      failures: [
        {
          id: 'indicator--1d4e0a34-5a7b-4c4e-9d0c-0f4a2f1b6a11',
          version: '2025-01-03T00:00:00.5Z',
          message: 'invalid pattern',
        },
      ],
      pendings: [
        { id: 'ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd', version: '2025-06-01T00:00:00.123456Z' },
      ],
      expiresAt: T0 + 24 * HOUR,
      ...extra,
    };
  }

  /** JSON round trip, so that an explicit `message: undefined` counts as absent. */
  function plain(v: unknown): unknown {
    return v === null ? null : (JSON.parse(JSON.stringify(v)) as unknown);
  }

  it('putStatus then getStatus returns every field unchanged', async function () {
    const s = status();
    await stores().statuses.putStatus(s);
    const got = await stores().statuses.getStatus({ apiRoot: root, id: s.id });
    assert.deepEqual(plain(got), s);
    assert.equal(typeof got?.requestTimestamp, 'number');
  });

  it('roundtrips a pending status with empty lists', async function () {
    const s = status({
      status: 'pending',
      totalCount: 0,
      successCount: 0,
      failureCount: 0,
      pendingCount: 0,
      successes: [],
      failures: [],
      pendings: [],
    });
    await stores().statuses.putStatus(s);
    assert.deepEqual(plain(await stores().statuses.getStatus({ apiRoot: root, id: s.id })), s);
  });

  it('keeps the counts of lists left out (a bounded status): counts and lists come back as stored', async function () {
    const s = status({
      totalCount: 25_006,
      successCount: 15_000,
      failureCount: 9_999,
      pendingCount: 7,
      successes: [],
    });
    await stores().statuses.putStatus(s);
    assert.deepEqual(plain(await stores().statuses.getStatus({ apiRoot: root, id: s.id })), s);
  });

  it('getStatus with another API root is null', async function () {
    const s = status();
    await stores().statuses.putStatus(s);
    assert.equal(await stores().statuses.getStatus({ apiRoot: otherRoot, id: s.id }), null);
  });

  it('getStatus of an unknown id is null', async function () {
    assert.equal(await stores().statuses.getStatus({ apiRoot: root, id: randomUUID() }), null);
  });

  it('purgeStatuses deletes the statuses expiring before the instant and returns their number', async function () {
    // Far in the past, so statuses of the other tests (expiring at T0 + 24 h) are not affected.
    const base = Date.UTC(2021, 0, 1) * 1000;
    const old1 = status({ expiresAt: base + 1 });
    const old2 = status({ expiresAt: base + 2 });
    const boundary = status({ expiresAt: base + 10 });
    const later = status({ expiresAt: base + 11 });
    for (const s of [old1, old2, boundary, later]) await stores().statuses.putStatus(s);
    assert.equal(await stores().statuses.purgeStatuses({ before: base + 10 }), 2);
    assert.equal(await stores().statuses.getStatus({ apiRoot: root, id: old1.id }), null);
    assert.equal(await stores().statuses.getStatus({ apiRoot: root, id: old2.id }), null);
    assert.deepEqual(plain(await stores().statuses.getStatus({ apiRoot: root, id: boundary.id })), boundary);
    assert.deepEqual(plain(await stores().statuses.getStatus({ apiRoot: root, id: later.id })), later);
    assert.equal(await stores().statuses.purgeStatuses({ before: base + 10 }), 0);
    assert.equal(await stores().statuses.purgeStatuses({ before: base + 12 }), 2);
    assert.equal(await stores().statuses.getStatus({ apiRoot: root, id: later.id }), null);
  });

  it('purgeCollectionStatuses deletes the statuses of one collection only and returns their number', async function () {
    const gone = (await newCollection(stores(), root)).id;
    const mine = [status({ collectionId: gone }), status({ collectionId: gone, status: 'pending' })];
    const kept = status();
    for (const s of [...mine, kept]) await stores().statuses.putStatus(s);
    assert.equal(await stores().statuses.purgeCollectionStatuses({ collectionId: gone }), 2);
    for (const s of mine) assert.equal(await stores().statuses.getStatus({ apiRoot: root, id: s.id }), null);
    assert.deepEqual(plain(await stores().statuses.getStatus({ apiRoot: root, id: kept.id })), kept);
    assert.equal(await stores().statuses.purgeCollectionStatuses({ collectionId: gone }), 0);
  });
});
