/**
 * Every feed kind on its cron schedule, in a real hub process: the hub reads TESSERA_FEEDS_FILE,
 * schedules each feed, and each run is recorded with trigger `schedule` and the figures of its
 * fixture; later runs add nothing. The sources are file:// fixtures (as on an air-gapped hub) and,
 * for `taxii21`, a collection of the same hub read over HTTP as a peer would be.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  API_ROOT,
  basic,
  freePort,
  killAllHubs,
  postEnvelope,
  processStoreUrl,
  reportOnFailure,
  seedStore,
  startHubProcess,
  TAXII,
  type HubProcess,
} from '../helpers/process';
import { PARTNER_CSV_MAPPING } from '../helpers/feeds';
import { makeIndicator } from '../helpers/stix';
import { backendName, type TestStoreUrl } from '../helpers/store';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'feeds');
const AUTH = basic('feeder', 'feeds-schedule-secret-1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunJson {
  trigger: string;
  ok: boolean;
  fetched: number;
  added: number;
  duplicates: number;
  rejected: number;
  skipped: number;
  unchanged: boolean;
  error?: string;
}
interface FeedJson {
  name: string;
  nextRun: string | null;
  lastRuns: RunJson[];
}

describe(`hub process [${backendName()}]: every feed kind runs on its schedule`, function () {
  this.timeout(120_000);
  let store: TestStoreUrl;
  const hubs: HubProcess[] = [];

  afterEach(function () {
    reportOnFailure(this, hubs);
  });
  after(async () => {
    await killAllHubs(hubs);
    await store?.dispose();
  });

  it('each kind: first scheduled run with its fixture figures, the next ones add nothing', async () => {
    store = processStoreUrl();
    const [source, target] = (await seedStore(store.url, {
      members: [{ name: 'feeder', password: 'feeds-schedule-secret-1', groups: ['soc'] }],
      collections: [
        { alias: 'peer-source', grants: [{ group: 'soc', read: true, write: true }] },
        { alias: 'from-feeds', grants: [{ group: 'soc', read: true, write: true }] },
      ],
    })) as [string, string];

    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-feeds-schedule-'));
    for (const f of readdirSync(FIXTURES, { withFileTypes: true }))
      if (f.isFile()) copyFileSync(path.join(FIXTURES, f.name), path.join(dir, f.name));
    mkdirSync(path.join(dir, 'misp'));
    for (const f of readdirSync(path.join(FIXTURES, 'misp-feed')))
      copyFileSync(path.join(FIXTURES, 'misp-feed', f), path.join(dir, 'misp', f));
    const bundled = [makeIndicator(), makeIndicator()];
    writeFileSync(
      path.join(dir, 'bundle.json'),
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--0d5f5a3e-1c1b-4b8f-9a51-2f7c3c1e0a01',
        objects: bundled,
      }),
    );
    const file = (name: string) => pathToFileURL(path.join(dir, name)).href;
    // The hub's port is chosen here so that the taxii21 feed can name it.
    const port = await freePort();
    const every = '*/2 * * * * *';
    const feed = (name: string, kind: string, url: string, extra: Record<string, unknown> = {}) => ({
      name,
      kind,
      schedule: every,
      url,
      target: { apiRoot: API_ROOT, collection: 'from-feeds' },
      ...extra,
    });
    const definitions = [
      feed('urlhaus', 'urlhaus-csv', file('urlhaus.csv')),
      feed('feodo', 'feodo-csv', file('feodo.csv')),
      feed('threatfox', 'threatfox-csv', file('threatfox.csv')),
      feed('drop', 'spamhaus-drop', file('spamhaus-drop.txt')),
      feed('drop-v6', 'spamhaus-drop', file('spamhaus-drop_v6.json')),
      feed('list', 'ioc-list', file('ioc-list.txt')),
      feed('partner', 'csv', file('partner.csv'), { csv: PARTNER_CSV_MAPPING }),
      feed('misp', 'misp-feed', `${file('misp')}/`),
      feed('bundle', 'stix-bundle', file('bundle.json')),
      feed('peer', 'taxii21', `http://127.0.0.1:${port}/${API_ROOT}/collections/${source}/objects/`, {
        username: 'feeder',
        passwordEnv: 'PEER_PASSWORD',
      }),
    ];
    const feedsFile = path.join(dir, 'feeds.json');
    writeFileSync(feedsFile, JSON.stringify(definitions));

    const hub = await startHubProcess({
      port,
      storeUrl: store.url,
      env: {
        TESSERA_FEEDS_FILE: feedsFile,
        PEER_PASSWORD: 'feeds-schedule-secret-1',
      },
    });
    hubs.push(hub);
    const published = [makeIndicator(), makeIndicator(), makeIndicator()];
    assert.equal((await postEnvelope(hub, source, AUTH, published)).success_count, 3);

    // Each feed has run at least twice on its own (no `tessera feed run`), and the peer feed has
    // copied what was published on the peer.
    const status = async (): Promise<FeedJson[]> => {
      const res = await fetch(`${hub.url}/feeds/status`, { headers: { Authorization: AUTH } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { feeds: FeedJson[] }).feeds;
    };
    const addedBy = (f: FeedJson) => f.lastRuns.reduce((n, r) => n + r.added, 0);
    let feeds: FeedJson[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      feeds = await status();
      const done = feeds.every(
        (f) =>
          f.lastRuns.length >= 2 && (f.name !== 'peer' || (addedBy(f) === 3 && f.lastRuns[0]?.added === 0)),
      );
      if (done) break;
      if (Date.now() > deadline)
        assert.fail(`not every feed ran twice on schedule within 60 s: ${JSON.stringify(feeds, null, 1)}`);
      await sleep(500);
    }
    assert.deepEqual(
      feeds.map((f) => f.name),
      definitions.map((d) => d.name),
    );

    const first = (f: FeedJson) => f.lastRuns[f.lastRuns.length - 1] as RunJson;
    const figures = Object.fromEntries(
      feeds
        .filter((f) => f.name !== 'peer')
        .map((f) => {
          const r = first(f);
          return [f.name, [r.trigger, r.ok, r.fetched, r.added, r.rejected]];
        }),
    );
    assert.deepEqual(figures, {
      urlhaus: ['schedule', true, 7, 4, 3],
      feodo: ['schedule', true, 5, 3, 2],
      threatfox: ['schedule', true, 10, 7, 3],
      drop: ['schedule', true, 4, 3, 1],
      'drop-v6': ['schedule', true, 4, 3, 1],
      list: ['schedule', true, 8, 6, 2],
      partner: ['schedule', true, 6, 4, 2],
      misp: ['schedule', true, 10, 8, 2],
      bundle: ['schedule', true, 2, 2, 0],
    });
    for (const f of feeds) {
      assert.ok(
        f.lastRuns.every((r) => r.trigger === 'schedule' && r.ok),
        `${f.name}: every run scheduled and ok: ${JSON.stringify(f.lastRuns)}`,
      );
      const later = f.lastRuns.slice(0, -1);
      if (f.name !== 'peer')
        assert.deepEqual(
          later.map((r) => r.added),
          later.map(() => 0),
          `${f.name}: a later run adds nothing`,
        );
      assert.ok(f.nextRun !== null && Date.parse(f.nextRun) > Date.now() - 5_000, `${f.name}: next run`);
    }

    // The objects are in the target collection: each feed's additions plus the feeds' identities
    // and the TLP markings they use, read back over TAXII.
    const res = await fetch(`${hub.url}/${API_ROOT}/collections/${target}/objects/?limit=1000`, {
      headers: { Authorization: AUTH, Accept: TAXII },
    });
    const ids = new Set(((await res.json()) as { objects: { id: string }[] }).objects.map((o) => o.id));
    for (const o of [...published, ...bundled]) assert.ok(ids.has(o.id), `${o.id} was copied`);
    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
  });
});
