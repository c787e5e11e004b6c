/**
 * The audit trail of a real hub process: records are written in batches (every second), and a
 * graceful stop (SIGTERM) writes the ones still waiting before the store closes — requests answered
 * just before the signal are all in the trail. And the retention (TESSERA_AUDIT_RETENTION_DAYS)
 * applies from the start: records older than it are purged when the hub starts (then hourly).
 * A feed the hub runs on its schedule is recorded as a write into its target collection.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../server/store';
import type { AuditRecord } from '../../server/store/contract';
import {
  API_ROOT,
  basic,
  feedsFile,
  getTaxii,
  killAllHubs,
  processStoreUrl,
  REPO_ROOT,
  reportOnFailure,
  seedStore,
  startHubProcess,
  type HubProcess,
} from '../helpers/process';
import { backendName, type TestStoreUrl } from '../helpers/store';

describe(`hub process [${backendName()}]: audit trail on shutdown`, function () {
  this.timeout(120_000);
  let fresh: TestStoreUrl;
  let collectionId: string;
  const hubs: HubProcess[] = [];

  before(async () => {
    fresh = processStoreUrl();
    [collectionId] = (await seedStore(fresh.url, {
      members: [{ name: 'auditor', password: 'auditor-secret-1', groups: ['g'] }],
      collections: [{ grants: [{ group: 'g', read: true, write: true }] }],
    })) as [string];
  });
  afterEach(function () {
    reportOnFailure(this, hubs);
  });
  after(async () => {
    await killAllHubs(hubs);
    await fresh?.dispose();
  });

  it('SIGTERM right after the requests: every one of them is in the audit trail', async () => {
    const hub = await startHubProcess({ storeUrl: fresh.url });
    hubs.push(hub);
    const n = 25;
    for (let i = 0; i < n; i++) {
      const res = await getTaxii(
        `${hub.url}/${API_ROOT}/collections/${collectionId}/objects/?limit=${i + 1}`,
        basic('auditor', 'auditor-secret-1'),
      );
      assert.equal(res.status, 200);
    }
    // Well within the one-second batching interval: without the final flush these would be lost.
    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    const stores = await openStore(fresh.url);
    try {
      const rs = await stores.audit.queryAudit({ member: 'auditor', limit: 1000 });
      assert.equal(rs.length, n);
      assert.ok(
        rs.every((r) => r.endpoint === 'GET objects' && r.collection === collectionId && r.status === 200),
      );
    } finally {
      await stores.close();
    }
  });

  it('purges the records older than TESSERA_AUDIT_RETENTION_DAYS when it starts, keeps the rest', async () => {
    const day = 86_400_000_000;
    const now = Date.now() * 1000;
    const rec = (member: string, at: number): AuditRecord => ({
      at,
      kind: 'admin',
      member,
      address: 'cli:test',
      endpoint: 'tessera member add',
      apiRoot: null,
      collection: null,
      count: null,
      status: 200,
      detail: null,
    });
    const stores = await openStore(fresh.url);
    try {
      await stores.audit.appendAudit([rec('old', now - 40 * day), rec('recent', now - 20 * day)]);
      const hub = await startHubProcess({ storeUrl: fresh.url, env: { TESSERA_AUDIT_RETENTION_DAYS: '30' } });
      hubs.push(hub);
      const left = async (m: string) => (await stores.audit.queryAudit({ member: m, limit: 10 })).length;
      for (let i = 0; i < 100 && (await left('old')) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await left('old'), 0, 'older than 30 days: purged');
      assert.equal(await left('recent'), 1, 'within 30 days: kept');
      assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    } finally {
      await stores.close();
    }
  });

  it('records each scheduled feed run as a write by feed:<name> into the target collection', async () => {
    const file = await feedsFile([
      {
        name: 'blocklist',
        kind: 'ioc-list',
        schedule: '* * * * * *', // every second
        url: pathToFileURL(path.join(REPO_ROOT, 'test', 'fixtures', 'feeds', 'ioc-list.txt')).toString(),
        target: { apiRoot: API_ROOT, collection: collectionId },
      },
    ]);
    const stores = await openStore(fresh.url);
    try {
      const hub = await startHubProcess({ storeUrl: fresh.url, env: { TESSERA_FEEDS_FILE: file } });
      hubs.push(hub);
      const runs = async () =>
        (await stores.audit.queryAudit({ member: 'feed:blocklist', limit: 100 })).filter(
          (r) => r.endpoint === 'feed run',
        );
      // Written by the trail within a second of the run; the first run is at the next second.
      for (let i = 0; i < 100 && (await runs()).length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      const [first] = await runs();
      assert.ok(first, 'a scheduled run is in the audit trail');
      assert.deepEqual(
        [first.kind, first.apiRoot, first.collection, first.count, first.status, first.address],
        ['write', API_ROOT, collectionId, 6, 200, null],
      );
      assert.match(
        first.detail ?? '',
        /^schedule run [0-9a-f-]{36}: fetched 8, added 6, duplicates 0, rejected 2, expired 0$/,
      );
      assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    } finally {
      await stores.close();
      await rm(path.dirname(file), { recursive: true, force: true });
    }
  });
});
