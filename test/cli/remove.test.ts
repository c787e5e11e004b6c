/**
 * `tessera collection remove` and `tessera root remove`, run for real while a hub process serves the
 * same store: what they refuse (no --yes, unknown names, the default root, a root still holding
 * collections, a collection a feed writes into), what they report, and that the hub then serves
 * nothing of what went (objects, statuses, grants) while everything else stays.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../server/store';
import { addSharedCollection, describeRun, fails, ok, okJson, tessera } from '../helpers/cli';
import {
  basic,
  getTaxii,
  killAllHubs,
  postEnvelope,
  processStoreUrl,
  reportOnFailure,
  startHubProcess,
  type HubProcess,
} from '../helpers/process';
import type { TestStoreUrl } from '../helpers/store';
import { makeIndicator, toNewVersion, withModified } from '../helpers/stix';

const PASSWORD = 'remove-test-password-1';

interface CollectionJson {
  id: string;
  alias?: string;
}

interface RemovedJson {
  id: string;
  alias?: string;
  api_root: string;
  removed: boolean;
  objects: number;
  statuses: number;
  groups: string[];
}

describe('admin CLI (tessera): collection remove, root remove', function () {
  this.timeout(180_000);
  let fresh: TestStoreUrl;
  let url: string;
  let hub: HubProcess | undefined;
  const auth = basic('analyst', PASSWORD);

  beforeEach(async () => {
    fresh = processStoreUrl();
    url = fresh.url;
    await ok(url, ['init']);
    await ok(url, ['member', 'add', 'analyst', '--password-stdin'], PASSWORD);
    await ok(url, ['group', 'add', 'csirts']);
    await ok(url, ['group', 'join', 'csirts', 'analyst']);
  });
  afterEach(async function () {
    reportOnFailure(this, [hub]);
    await killAllHubs([hub]);
    hub = undefined;
    await fresh.dispose();
  });

  async function shared(root: string, alias: string): Promise<CollectionJson> {
    return addSharedCollection<CollectionJson>(url, { root, alias, group: 'csirts' });
  }

  it('collection remove: without --yes names what would go and removes nothing; with --yes removes objects, statuses and grants and says how many', async () => {
    hub = await startHubProcess({ storeUrl: url });
    const going = await shared('api1', 'going');
    const staying = await shared('api1', 'staying');
    const objs = Array.from({ length: 5 }, () => makeIndicator());
    const first = await postEnvelope(hub, going.id, auth, objs);
    // Two more versions of one object: 7 versions in all, 2 statuses.
    const obj = objs[0];
    assert.ok(obj);
    const second = await postEnvelope(hub, going.id, auth, [
      withModified(obj, '2025-02-01T00:00:00.000Z'),
      withModified(obj, '2025-03-01T00:00:00.000Z'),
    ]);
    const kept = await postEnvelope(hub, staying.id, auth, [makeIndicator(), makeIndicator()]);

    const refused = await fails(
      url,
      ['collection', 'remove', 'api1', 'going'],
      1,
      /collection going \([0-9a-f-]{36}\) in API root api1 holds 7 object version\(s\) and is shared with csirts; nothing removed: add --yes/,
    );
    assert.equal(refused.stdout, '');
    const stillThere = await getTaxii(`${hub.url}/api1/collections/${going.id}/objects/`, auth);
    assert.equal(stillThere.status, 200);
    assert.equal((stillThere.body?.objects as unknown[]).length, 5);

    const done = await ok(url, ['collection', 'remove', 'api1', 'going', '--yes']);
    assert.match(
      done.stdout,
      new RegExp(
        `^removed collection going \\(${going.id}\\) from API root api1: 7 object version\\(s\\), 2 status\\(es\\), grants of csirts\\n$`,
      ),
      describeRun(done),
    );

    // The hub, still running, serves nothing of it: not listed, 404 for objects and statuses.
    const cols = await getTaxii(`${hub.url}/api1/collections/`, auth);
    assert.deepEqual(
      ((cols.body?.collections ?? []) as { id: string }[]).map((c) => c.id),
      [staying.id],
    );
    for (const p of [
      `collections/${going.id}/`,
      `collections/${going.id}/objects/`,
      `collections/going/objects/`,
    ])
      assert.equal((await getTaxii(`${hub.url}/api1/${p}`, auth)).status, 404, p);
    for (const s of [first, second])
      assert.equal((await getTaxii(`${hub.url}/api1/status/${s.id}/`, auth)).status, 404);
    // The other collection and its status are untouched.
    const other = await getTaxii(`${hub.url}/api1/collections/${staying.id}/objects/`, auth);
    assert.equal((other.body?.objects as unknown[]).length, 2);
    assert.equal((await getTaxii(`${hub.url}/api1/status/${kept.id}/`, auth)).status, 200);

    // In the store: no version, status or grant is left; the alias is free again, with no grant.
    const stores = await openStore(url);
    try {
      assert.equal(await stores.objects.countObjects(going.id), 0);
      assert.equal(await stores.statuses.getStatus({ apiRoot: 'api1', id: first.id }), null);
      assert.equal(await stores.registry.findCollection({ apiRoot: 'api1', idOrAlias: going.id }), null);
      // The audit trail records the refusal and the removal, with what went.
      const records = (await stores.audit.queryAudit({ collection: going.id, limit: 100 })).filter(
        (r) => r.endpoint === 'tessera collection remove',
      );
      assert.deepEqual(
        records.map((r) => [r.kind, r.apiRoot, r.status, r.count]),
        [
          ['admin', 'api1', 400, null],
          ['admin', 'api1', 200, 7],
        ],
      );
      assert.match(
        records[1]?.detail ?? '',
        /7 object version\(s\), 2 status\(es\) removed; grants of csirts withdrawn/,
      );
    } finally {
      await stores.close();
    }
    const again = await okJson<{ id: string; grants: unknown[] }>(url, [
      'collection',
      'add',
      'api1',
      '--title',
      'Again',
      '--alias',
      'going',
    ]);
    assert.notEqual(again.id, going.id);
    assert.deepEqual(again.grants, []);
  });

  it('collection remove --json reports the counts; a second removal is refused as unknown', async () => {
    const c = await shared('api1', 'jsoned');
    const stores = await openStore(url);
    try {
      await stores.objects.addObjects({
        collectionId: c.id,
        addedBy: 'analyst',
        objects: Array.from({ length: 3 }, () => toNewVersion(makeIndicator())),
      });
    } finally {
      await stores.close();
    }
    const removed = await okJson<RemovedJson>(url, ['collection', 'remove', 'api1', c.id, '--yes']);
    assert.deepEqual(removed, {
      id: c.id,
      alias: 'jsoned',
      api_root: 'api1',
      removed: true,
      objects: 3,
      statuses: 0,
      groups: ['csirts'],
    });
    await fails(url, ['collection', 'remove', 'api1', c.id, '--yes'], 1, /does not exist in API root api1/);
  });

  it('collection remove refuses unknown names clearly, and a collection a feed writes into', async () => {
    await fails(
      url,
      ['collection', 'remove', 'nowhere', 'x', '--yes'],
      1,
      /API root "nowhere" does not exist/,
    );
    await fails(
      url,
      ['collection', 'remove', 'api1', 'no-such-alias', '--yes'],
      1,
      /collection "no-such-alias" does not exist in API root api1/,
    );
    await fails(
      url,
      ['collection', 'remove', 'api1', randomUUID(), '--yes'],
      1,
      /does not exist in API root api1/,
    );
    await fails(url, ['collection', 'remove', 'api1'], 2, /missing argument <collection>/);

    const c = await shared('api1', 'fed');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-remove-'));
    try {
      const feeds = path.join(dir, 'feeds.json');
      await writeFile(
        feeds,
        JSON.stringify([
          {
            name: 'peer-indicators',
            kind: 'ioc-list',
            schedule: '*/5 * * * *',
            url: 'https://feeds.example.org/blocklist.txt',
            target: { apiRoot: 'api1', collection: 'fed' },
          },
        ]),
      );
      const r = await tessera(url, ['collection', 'remove', 'api1', 'fed', '--yes'], '', {
        env: { TESSERA_FEEDS_FILE: feeds },
      });
      assert.equal(r.code, 1, describeRun(r));
      assert.match(r.stderr, /feed peer-indicators of .* writes into collection fed/);
      await ok(url, ['collection', 'remove', 'api1', c.id, '--yes']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('collection remove by id removes what was left of a removed collection (versions committed after its removal)', async () => {
    const gone = randomUUID();
    const stores = await openStore(url);
    try {
      await stores.objects.addObjects({
        collectionId: gone,
        addedBy: 'analyst',
        objects: [toNewVersion(makeIndicator()), toNewVersion(makeIndicator())],
      });
    } finally {
      await stores.close();
    }
    await fails(
      url,
      ['collection', 'remove', 'api1', gone],
      1,
      new RegExp(
        `collection ${gone} no longer exists, but 2 object version\\(s\\) of it are left .* add --yes`,
      ),
    );
    const r = await okJson<{ objects: number; leftovers: boolean }>(url, [
      'collection',
      'remove',
      'api1',
      gone,
      '--yes',
    ]);
    assert.equal(r.objects, 2);
    assert.equal(r.leftovers, true);
    const check = await openStore(url);
    try {
      assert.equal(await check.objects.countObjects(gone), 0);
    } finally {
      await check.close();
    }
  });

  it('root remove: refuses unknown and default roots, a root holding collections (naming the commands), and asks for --yes', async () => {
    await fails(url, ['root', 'remove', 'nowhere', '--yes'], 1, /API root "nowhere" does not exist/);
    await fails(url, ['root', 'remove', 'api1', '--yes'], 1, /api1 is the default API root/);
    await ok(url, ['root', 'add', 'partners', '--title', 'Partners']);
    const c = await shared('partners', 'exchange');
    await fails(
      url,
      ['root', 'remove', 'partners', '--yes'],
      1,
      /API root partners still holds 1 collection\(s\); remove them first:\n {2}tessera collection remove partners exchange --yes {3}\(0 object version\(s\)\)/,
    );
    await ok(url, ['collection', 'remove', 'partners', c.id, '--yes']);
    await fails(url, ['root', 'remove', 'partners'], 1, /holds no collection; nothing removed: add --yes/);
    assert.ok(
      (await okJson<{ roots: { name: string }[] }>(url, ['root', 'list'])).roots.some(
        (r) => r.name === 'partners',
      ),
    );

    hub = await startHubProcess({ storeUrl: url });
    const removed = await ok(url, ['root', 'remove', 'partners', '--yes']);
    assert.equal(removed.stdout, 'removed API root partners\n');
    assert.deepEqual(
      (await okJson<{ roots: { name: string }[] }>(url, ['root', 'list'])).roots.map((r) => r.name),
      ['api1'],
    );
    assert.equal((await getTaxii(`${hub.url}/partners/`, auth)).status, 404);
    await fails(url, ['root', 'remove', 'partners', '--yes'], 1, /API root "partners" does not exist/);
    const audit = await openStore(url);
    try {
      const rs = (await audit.audit.queryAudit({ limit: 1000 })).filter(
        (r) => r.endpoint === 'tessera root remove' && r.apiRoot === 'partners',
      );
      assert.deepEqual(
        rs.map((r) => r.status),
        [409, 400, 200, 404],
      );
    } finally {
      await audit.close();
    }
  });
});
