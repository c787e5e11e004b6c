/**
 * Prometheus metrics, scraped for real: on the hub's port behind TESSERA_METRICS_TOKEN, on their own
 * listener (TESSERA_METRICS_LISTEN) of a hub process, and summed over a cluster's processes; off
 * unless enabled.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateApiKey } from '../../server/access/apikeys';
import { ConfigError, loadConfig } from '../../server/config';
import { Metrics } from '../../server/telemetry/metrics';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { freePort, startHubProcess, useSeededStore } from '../helpers/process';
import { hasSample, sampleSum } from '../helpers/prometheus';
import { makeIndicator } from '../helpers/stix';
import { backendName } from '../helpers/store';

const TOKEN = 'scrape-token-0123456789';
const HTTP = 'tessera_http_request_duration_seconds_count';
const OBJECTS_ROUTE = '/{api-root}/collections/{id}/objects/';

async function scrape(
  url: string,
  token: string | null = TOKEN,
): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe(`metrics [${backendName()}]: on the hub's port behind a bearer token`, function () {
  let hub: TestHub;
  let collectionId: string;
  const auth = () => hub.basic('alice', 'alice-secret-1');

  before(async () => {
    hub = await startHub({ env: { TESSERA_METRICS_TOKEN: TOKEN }, metrics: new Metrics() });
    await hub.addMember('alice', 'alice-secret-1', ['csirt']);
    collectionId = (await hub.addCollection({ grants: [{ group: 'csirt', read: true, write: true }] })).id;
  });

  after(async () => {
    await hub?.close();
  });

  it('refuses a scrape without the token, or with another one (401, Bearer challenge)', async () => {
    for (const token of [null, 'not-the-token-at-all']) {
      const res = await fetch(
        `${hub.url}/metrics`,
        token ? { headers: { Authorization: `Bearer ${token}` } } : {},
      );
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.doesNotMatch(await res.text(), /tessera_/);
    }
  });

  it('counts requests per endpoint template and status, and exports process metrics', async () => {
    const get = (path: string, headers: Record<string, string>) =>
      fetch(`${hub.url}${path}`, { headers: { Accept: TAXII, ...headers } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    const objects = [makeIndicator(), makeIndicator(), makeIndicator()];
    const post = await fetch(`${hub.url}/api1/collections/${collectionId}/objects/`, {
      method: 'POST',
      headers: { Authorization: auth(), Accept: TAXII, 'Content-Type': TAXII },
      body: JSON.stringify({ objects }),
    });
    assert.equal(post.status, 202);
    await post.arrayBuffer();
    // The same three again (duplicates) and one whose pattern does not parse (failed by that rule).
    const again = await fetch(`${hub.url}/api1/collections/${collectionId}/objects/`, {
      method: 'POST',
      headers: { Authorization: auth(), Accept: TAXII, 'Content-Type': TAXII },
      body: JSON.stringify({
        objects: [...objects, makeIndicator({ pattern: "[ipv4-addr:value = '1.2.3.4'" })],
      }),
    });
    assert.equal(again.status, 202);
    await again.arrayBuffer();
    assert.equal(await get('/taxii2/', { Authorization: auth() }), 200);
    assert.equal(await get('/taxii2/', { Authorization: auth() }), 200);
    assert.equal(await get('/taxii2/', {}), 401);
    assert.equal(await get('/taxii2/', { Authorization: hub.basic('alice', 'wrong-secret-1') }), 401);
    assert.equal(await get('/taxii2/', { Authorization: `Bearer ${generateApiKey().key}` }), 401);
    assert.equal(await get(`/api1/collections/${collectionId}/objects/`, { Authorization: auth() }), 200);
    assert.equal(
      await get(`/api1/collections/${collectionId}/objects/${objects[0]?.id}/`, { Authorization: auth() }),
      200,
    );

    const m = await scrape(`${hub.url}/metrics`);
    assert.equal(m.status, 200);
    assert.match(m.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(sampleSum(m.text, HTTP, { route: '/taxii2/', method: 'GET', status: '200' }), 2);
    assert.equal(sampleSum(m.text, HTTP, { route: '/taxii2/', method: 'GET', status: '401' }), 3);
    // A request without credentials is a challenge, not a failure; the wrong secret is one.
    assert.equal(sampleSum(m.text, 'tessera_auth_failures_total', { scheme: 'basic', status: '401' }), 1);
    // A well-formed API key this hub never issued is a failure of its scheme.
    assert.equal(sampleSum(m.text, 'tessera_auth_failures_total', { scheme: 'bearer', status: '401' }), 1);
    assert.equal(sampleSum(m.text, HTTP, { route: OBJECTS_ROUTE, method: 'POST', status: '202' }), 2);
    // One series per endpoint, not per object id.
    assert.equal(
      sampleSum(m.text, HTTP, { route: '/{api-root}/collections/{id}/objects/{object-id}/', status: '200' }),
      1,
    );
    assert.doesNotMatch(m.text, new RegExp(objects[0]?.id as string));
    assert.equal(sampleSum(m.text, 'tessera_objects_served_total', { route: OBJECTS_ROUTE }), 3);
    const ingested = (labels: Record<string, string>) =>
      sampleSum(m.text, 'tessera_objects_ingested_total', labels);
    assert.equal(ingested({ source: 'taxii', outcome: 'added' }), 3);
    assert.equal(ingested({ source: 'taxii', outcome: 'duplicate' }), 3);
    assert.equal(ingested({ source: 'taxii', outcome: 'failed', rule: 'pattern-syntax' }), 1);
    assert.ok(hasSample(m.text, 'tessera_http_request_duration_seconds_bucket'));
    assert.ok(hasSample(m.text, 'process_cpu_user_seconds_total'), 'no process metrics');
    assert.ok(hasSample(m.text, 'process_resident_memory_bytes'), 'no process metrics');
    assert.ok(hasSample(m.text, 'nodejs_eventloop_lag_seconds'), 'no event-loop lag');
  });
});

describe(`metrics [${backendName()}]: off unless enabled`, function () {
  it('a hub without TESSERA_METRICS_* serves no /metrics, even to a member', async () => {
    const hub = await startHub();
    try {
      await hub.addMember('alice', 'alice-secret-1', ['csirt']);
      await hub.addCollection({ grants: [{ group: 'csirt', read: true, write: true }] });
      const res = await fetch(`${hub.url}/metrics`, {
        headers: { Authorization: hub.basic('alice', 'alice-secret-1'), Accept: TAXII },
      });
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /tessera_http/);
    } finally {
      await hub.close();
    }
  });
});

describe(`metrics [${backendName()}]: own listener (TESSERA_METRICS_LISTEN), hub processes`, function () {
  this.timeout(120_000);
  const seeded = useSeededStore({ name: 'ops', password: 'metrics-secret-1', group: 'ops' });
  const AUTH = seeded.auth;

  for (const processes of ['1', '2']) {
    it(`serves /metrics on its own port, summed over ${processes} process(es); the hub's port has none`, async () => {
      const metricsPort = await freePort();
      const hub = await startHubProcess({
        storeUrl: seeded.url,
        env: { TESSERA_METRICS_LISTEN: `127.0.0.1:${metricsPort}`, TESSERA_PROCESSES: processes },
      });
      seeded.hubs.push(hub);
      const N = 8;
      for (let i = 0; i < N; i++) {
        // A fresh connection each time, so that a cluster spreads them over its processes.
        const res = await fetch(`${hub.url}/taxii2/`, {
          headers: { Authorization: AUTH, Accept: TAXII, Connection: 'close' },
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      const post = await fetch(`${hub.url}/api1/collections/${seeded.collectionId}/objects/`, {
        method: 'POST',
        headers: { Authorization: AUTH, Accept: TAXII, 'Content-Type': TAXII, Connection: 'close' },
        body: JSON.stringify({ objects: [makeIndicator()] }),
      });
      assert.equal(post.status, 202);
      await post.arrayBuffer();

      const m = await scrape(`http://127.0.0.1:${metricsPort}/metrics`, null);
      assert.equal(m.status, 200, m.text);
      // Every store operation is timed, by concern and operation.
      assert.ok(
        sampleSum(m.text, 'tessera_store_operation_duration_seconds_count', {
          concern: 'objects',
          operation: 'addObjects',
          outcome: 'ok',
        }) >= 1,
      );
      assert.ok(
        sampleSum(m.text, 'tessera_store_operation_duration_seconds_count', {
          concern: 'principals',
          operation: 'getMember',
        }) >= 1,
      );
      assert.equal(sampleSum(m.text, HTTP, { route: '/taxii2/', status: '200' }), N);
      assert.ok(hasSample(m.text, 'process_cpu_user_seconds_total'));
      const other = await fetch(`http://127.0.0.1:${metricsPort}/taxii2/`);
      assert.equal(other.status, 404);
      await other.arrayBuffer();
      const onHub = await fetch(`${hub.url}/metrics`, { headers: { Authorization: AUTH, Accept: TAXII } });
      assert.equal(onHub.status, 404);
      await onHub.arrayBuffer();
      assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    });
  }

  it('counts scheduled feed runs by outcome (ok, failed, then backoff) and the objects feeds add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-feed-metrics-'));
    const list = join(dir, 'list.txt');
    writeFileSync(list, '192.0.2.10\n192.0.2.11\n');
    const target = { apiRoot: 'api1', collection: seeded.collectionId };
    // Every second: "good" reads a local list; "down" cannot connect, fails once and then backs
    // off for a minute, so its next starts are skipped as backoff.
    const feeds = [
      {
        name: 'good',
        kind: 'ioc-list',
        schedule: '* * * * * *',
        url: pathToFileURL(list).toString(),
        target,
      },
      { name: 'down', kind: 'ioc-list', schedule: '* * * * * *', url: 'http://127.0.0.1:9/never', target },
    ];
    const feedsFile = join(dir, 'feeds.json');
    writeFileSync(feedsFile, JSON.stringify(feeds));
    const metricsPort = await freePort();
    const hub = await startHubProcess({
      storeUrl: seeded.url,
      env: {
        TESSERA_METRICS_LISTEN: `127.0.0.1:${metricsPort}`,
        TESSERA_FEEDS_FILE: feedsFile,
      },
    });
    seeded.hubs.push(hub);
    const RUNS = 'tessera_feed_runs_total';
    let text = '';
    const runs = (feed: string, outcome: string) => sampleSum(text, RUNS, { feed, outcome });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      text = (await scrape(`http://127.0.0.1:${metricsPort}/metrics`, null)).text;
      if (runs('good', 'ok') >= 2 && runs('down', 'backoff') >= 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(runs('good', 'ok') >= 2, text);
    assert.equal(runs('good', 'failed'), 0);
    assert.equal(runs('down', 'failed'), 1, 'one failure, then back-off');
    assert.ok(runs('down', 'backoff') >= 1);
    assert.equal(runs('down', 'ok'), 0);
    const duration = (feed: string, outcome: string) =>
      sampleSum(text, 'tessera_feed_run_duration_seconds_count', { feed, outcome });
    assert.equal(duration('good', 'ok'), runs('good', 'ok'));
    assert.equal(duration('down', 'failed'), 1);
    assert.equal(duration('down', 'backoff'), 0, 'a start skipped for back-off has no duration');
    // The list's two addresses were added by the first run; later runs find the file unchanged.
    assert.equal(sampleSum(text, 'tessera_objects_ingested_total', { source: 'feed', outcome: 'added' }), 2);
    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
  });
});

describe('metrics settings (config.ts)', () => {
  const problems = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
      return '';
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.message;
    }
  };

  it('is off by default; a listener alone, a token alone or both turn it on', () => {
    assert.equal(loadConfig({}).metrics, null);
    assert.deepEqual(loadConfig({ TESSERA_METRICS_LISTEN: '9464' }).metrics, {
      listen: { host: '127.0.0.1', port: 9464 },
      token: null,
    });
    assert.deepEqual(
      loadConfig({ TESSERA_METRICS_LISTEN: '[::1]:9464', TESSERA_METRICS_TOKEN: TOKEN }).metrics,
      {
        listen: { host: '::1', port: 9464 },
        token: TOKEN,
      },
    );
    assert.deepEqual(loadConfig({ TESSERA_METRICS_TOKEN: TOKEN }).metrics, { listen: null, token: TOKEN });
  });

  it('refuses a bad listener, a short token, the hub port, and a cluster without a listener', () => {
    assert.match(problems({ TESSERA_METRICS_LISTEN: 'localhost:http' }), /TESSERA_METRICS_LISTEN must be/);
    assert.match(problems({ TESSERA_METRICS_LISTEN: '70000' }), /TESSERA_METRICS_LISTEN must be/);
    assert.match(problems({ TESSERA_METRICS_TOKEN: 'short' }), /TESSERA_METRICS_TOKEN must be at least 16/);
    assert.match(problems({ TESSERA_METRICS_LISTEN: '8000' }), /another port than TESSERA_PORT/);
    assert.match(
      problems({ TESSERA_METRICS_TOKEN: TOKEN, TESSERA_PROCESSES: '2' }),
      /TESSERA_PROCESSES > 1, set TESSERA_METRICS_LISTEN/,
    );
  });
});
