/**
 * Process lifecycle: health and readiness probes, graceful shutdown on SIGTERM, and refusal to
 * start with a bad configuration.
 */
import assert from 'node:assert/strict';
import {
  API_ROOT,
  basic,
  feedsFile,
  getTaxii,
  postEnvelope,
  runHubToExit,
  startHubProcess,
  useSeededStore,
  TAXII,
} from '../helpers/process';
import { backendName } from '../helpers/store';
import { makeIndicator } from '../helpers/stix';

const MEMBER = 'operator';
const PASSWORD = 'lifecycle-secret-1';
const AUTH = basic(MEMBER, PASSWORD);

describe(`hub process [${backendName()}]: lifecycle`, function () {
  this.timeout(120_000);
  const seeded = useSeededStore({ name: MEMBER, password: PASSWORD, group: 'ops' });

  it('answers /healthz and /readyz, and exits 0 on SIGTERM with the data kept', async () => {
    const hub = await startHubProcess({ storeUrl: seeded.url });
    seeded.hubs.push(hub);
    const health = await fetch(`${hub.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${hub.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', store: backendName() });

    // Leave a kept-alive client connection open: shutdown must not wait for it.
    const indicator = makeIndicator();
    const status = await postEnvelope(hub, seeded.collectionId, AUTH, [indicator]);
    assert.equal(status.success_count, 1);
    const discovery = await fetch(`${hub.url}/taxii2/`, { headers: { Authorization: AUTH, Accept: TAXII } });
    assert.equal(discovery.status, 200);
    await discovery.arrayBuffer();

    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
    assert.doesNotMatch(hub.output(), /deadline passed/);

    // The store was closed cleanly: a new process on it serves what the old one stored.
    const again = await startHubProcess({ storeUrl: seeded.url });
    seeded.hubs.push(again);
    const res = await getTaxii(
      `${again.url}/${API_ROOT}/collections/${seeded.collectionId}/objects/${indicator.id}/`,
      AUTH,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body?.objects, [indicator]);
    assert.deepEqual(await again.terminate(), { code: 0, signal: null });
  });

  it('runs as a cluster of hub processes (TESSERA_PROCESSES=2) that serve and stop together', async () => {
    const hub = await startHubProcess({ storeUrl: seeded.url, env: { TESSERA_PROCESSES: '2' } });
    seeded.hubs.push(hub);
    const indicators = [makeIndicator(), makeIndicator(), makeIndicator()];
    const status = await postEnvelope(hub, seeded.collectionId, AUTH, indicators);
    assert.equal(status.success_count, 3);
    // Several requests on fresh connections reach either process; all see the same data.
    for (let i = 0; i < 6; i++) {
      const res = await fetch(
        `${hub.url}/${API_ROOT}/collections/${seeded.collectionId}/objects/${indicators[i % 3]?.id}/`,
        {
          headers: { Authorization: AUTH, Accept: TAXII, Connection: 'close' },
        },
      );
      assert.equal(res.status, 200);
    }
    assert.deepEqual(await hub.terminate(), { code: 0, signal: null });
  });

  /** The stderr of a hub refusing this feeds file (exit 2), as one process and as a cluster of 2. */
  async function refusals(file: string): Promise<string[]> {
    const out: string[] = [];
    for (const processes of ['1', '2']) {
      const run = await runHubToExit({
        TESSERA_STORE: seeded.url,
        TESSERA_FEEDS_FILE: file,
        TESSERA_HOST: '127.0.0.1',
        TESSERA_PROCESSES: processes,
      });
      assert.equal(run.timedOut, false, `the hub kept running; output:\n${run.output}`);
      assert.equal(run.code, 2, run.output);
      out.push(run.stderr);
    }
    return out;
  }

  it('refuses a feeds file with problems, listing them on stderr', async () => {
    const file = await feedsFile([{ name: 'x', kind: 'rss', schedule: 'never', url: 'ftp://x', target: {} }]);
    for (const stderr of await refusals(file)) {
      assert.match(stderr, /invalid feed definitions/);
      assert.match(stderr, /kind/);
      assert.match(stderr, /url/);
    }
  });

  it('refuses a feed whose target collection does not exist, naming feed and collection', async () => {
    const file = await feedsFile([
      {
        name: 'drop',
        kind: 'spamhaus-drop',
        schedule: '0 * * * *',
        url: 'https://www.spamhaus.org/drop/drop_v4.json',
        target: { apiRoot: 'api1', collection: 'no-such-collection' },
      },
    ]);
    const run = await runHubToExit({
      TESSERA_STORE: seeded.url,
      TESSERA_FEEDS_FILE: file,
      TESSERA_HOST: '127.0.0.1',
    });
    assert.equal(run.timedOut, false, `the hub kept running; output:\n${run.output}`);
    assert.equal(run.code, 2, run.output);
    assert.match(
      run.stderr,
      /feed drop: target collection "no-such-collection" does not exist in API root "api1"/,
    );
  });

  it('lists the problems of the definitions and the missing target collections together', async () => {
    const file = await feedsFile([
      {
        name: 'typo',
        kind: 'ioc-list',
        schedule: '0 * * * *',
        url: 'https://feeds.example.org/list.txt',
        target: { apiRoot: 'api1', collection: seeded.collectionId },
        confidance: 50,
      },
      {
        name: 'lost',
        kind: 'ioc-list',
        schedule: '0 * * * *',
        url: 'https://feeds.example.org/list.txt',
        target: { apiRoot: 'api1', collection: 'no-such-collection' },
      },
    ]);
    for (const [i, stderr] of (await refusals(file)).entries()) {
      assert.equal(
        stderr.trim(),
        [
          'tessera: invalid feed definitions:',
          '  - feed typo: confidance is not a feed field (see README, Feeds)',
          '  - feed lost: target collection "no-such-collection" does not exist in API root "api1" (create it with tessera collection add, or tessera apply)',
        ].join('\n'),
        `TESSERA_PROCESSES=${i + 1}`,
      );
    }
  });

  it('refuses a bad configuration, listing every problem on stderr', async () => {
    const run = await runHubToExit({
      TESSERA_PORT: 'abc',
      TESSERA_STORE: 'ftp://x',
      TESSERA_PAGE_SIZE: '0',
      TESSERA_HOST: '127.0.0.1',
    });
    assert.equal(run.timedOut, false, `the hub kept running; output:\n${run.output}`);
    assert.equal(run.signal, null);
    assert.notEqual(run.code, 0);
    assert.notEqual(run.code, null);
    assert.match(run.stderr, /TESSERA_PORT\b.*"abc"/);
    assert.match(run.stderr, /TESSERA_STORE\b.*"ftp:\/\/x"/);
    assert.match(run.stderr, /TESSERA_PAGE_SIZE\b.*\b0\b/);
  });
});
