/**
 * The access log: one line per request at the default level (info) with the member, the client's
 * address, method, path, status, duration and object count; probes at debug.
 */
import assert from 'node:assert/strict';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { captureLogger, LEVEL, type LogLine } from '../helpers/logs';
import { makeIndicator } from '../helpers/stix';
import { backendName } from '../helpers/store';

describe(`access log [${backendName()}]`, function () {
  let hub: TestHub;
  let lines: () => LogLine[];
  let collectionId: string;
  const auth = () => hub.basic('alice', 'alice-secret-1');

  before(async () => {
    const capture = captureLogger('info');
    lines = capture.lines;
    hub = await startHub({ logger: capture.logger });
    await hub.addMember('alice', 'alice-secret-1', ['csirt']);
    collectionId = (await hub.addCollection({ grants: [{ group: 'csirt', read: true, write: true }] })).id;
  });

  after(async () => {
    await hub?.close();
  });

  /** The access-log lines written for requests to `path` since `from`. */
  async function requestLines(from: number, path: string): Promise<LogLine[]> {
    // The line is written on 'finish', which may follow the client's read by a tick.
    for (let i = 0; i < 50; i++) {
      const found = lines()
        .slice(from)
        .filter((l) => l.msg === 'request' && l.path === path);
      if (found.length > 0) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    return [];
  }

  it('logs one info line per request: member, address, method, path, status, duration', async () => {
    const from = lines().length;
    const res = await fetch(`${hub.url}/taxii2/`, { headers: { Authorization: auth(), Accept: TAXII } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const [line, ...more] = await requestLines(from, '/taxii2/');
    assert.ok(line, 'no access-log line for GET /taxii2/');
    assert.deepEqual(more, [], 'more than one line for one request');
    assert.equal(line.level, LEVEL.info);
    assert.equal(line.member, 'alice');
    assert.match(String(line.ip), /127\.0\.0\.1$/);
    assert.equal(line.method, 'GET');
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, 'number');
    assert.ok((line.ms as number) >= 0);
  });

  it('logs POSTs and paged reads, with the query apart from the path', async () => {
    const objects = [makeIndicator(), makeIndicator(), makeIndicator()];
    const path = `/api1/collections/${collectionId}/objects/`;
    let from = lines().length;
    const post = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { Authorization: auth(), Accept: TAXII, 'Content-Type': TAXII },
      body: JSON.stringify({ objects }),
    });
    assert.equal(post.status, 202);
    await post.arrayBuffer();
    const [posted] = await requestLines(from, path);
    assert.equal(posted?.method, 'POST');
    assert.equal(posted?.status, 202);
    assert.equal(posted?.objects, 3);

    from = lines().length;
    const get = await fetch(`${hub.url}${path}?limit=2`, {
      headers: { Authorization: auth(), Accept: TAXII },
    });
    assert.equal(get.status, 200);
    await get.arrayBuffer();
    const [served] = await requestLines(from, path);
    assert.equal(served?.status, 200);
    assert.equal(served?.objects, 2);
    assert.equal(served?.query, 'limit=2');
    assert.equal(served?.member, 'alice');
  });

  it('logs refused requests too: 401 with the user name tried (never the secret), 404 for unknown paths', async () => {
    let from = lines().length;
    const res = await fetch(`${hub.url}/taxii2/`, { headers: { Accept: TAXII } });
    assert.equal(res.status, 401);
    await res.arrayBuffer();
    const [refused] = await requestLines(from, '/taxii2/');
    assert.equal(refused?.status, 401);
    assert.equal(refused?.member, undefined);
    assert.equal(refused?.triedUser, undefined);

    from = lines().length;
    const wrong = await fetch(`${hub.url}/taxii2/`, {
      headers: { Authorization: hub.basic('alice', 'not-her-secret'), Accept: TAXII },
    });
    assert.equal(wrong.status, 401);
    await wrong.arrayBuffer();
    const [failed] = await requestLines(from, '/taxii2/');
    assert.equal(failed?.status, 401);
    assert.equal(failed?.member, undefined);
    assert.equal(failed?.triedUser, 'alice', 'the user name tried is logged');
    assert.doesNotMatch(JSON.stringify(lines().slice(from)), /not-her-secret/, 'a secret was logged');

    from = lines().length;
    const nowhere = await fetch(`${hub.url}/no/such/place/at/all/here/`, {
      headers: { Authorization: auth(), Accept: TAXII },
    });
    assert.equal(nowhere.status, 404);
    await nowhere.arrayBuffer();
    const [missing] = await requestLines(from, '/no/such/place/at/all/here/');
    assert.equal(missing?.status, 404);
  });

  it('logs /healthz and /readyz at debug only, so probes do not bury the traffic', async () => {
    const from = lines().length;
    for (const p of ['/healthz', '/readyz']) {
      const res = await fetch(`${hub.url}${p}`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 50));
    const probes = lines()
      .slice(from)
      .filter((l) => l.msg === 'request');
    assert.deepEqual(probes, [], 'probe requests were logged at info');
  });

  it('logs the user name tried when failed logins are throttled (429)', async () => {
    const capture = captureLogger('info');
    const throttled = await startHub({ logger: capture.logger, env: { TESSERA_AUTH_ADDRESS_FAILURES: '2' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${throttled.url}/taxii2/`, {
          headers: { Authorization: throttled.basic('mallory', `guess-${i}`), Accept: TAXII },
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      assert.ok(statuses.includes(429), `no 429 among ${statuses.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
      const logged = capture
        .lines()
        .filter((l) => l.msg === 'request')
        .map((l) => [l.status, l.triedUser]);
      assert.deepEqual(
        logged,
        statuses.map((s) => [s, 'mallory']),
      );
    } finally {
      await throttled.close();
    }
  });

  it('the hub log tells added, duplicates and failures apart for each POST', async () => {
    const objects = [makeIndicator(), makeIndicator()];
    const bad = makeIndicator({ pattern: '[not a pattern' });
    const path = `/api1/collections/${collectionId}/objects/`;
    const received = async (body: unknown): Promise<LogLine | undefined> => {
      const from = lines().length;
      const res = await fetch(`${hub.url}${path}`, {
        method: 'POST',
        headers: { Authorization: auth(), Accept: TAXII, 'Content-Type': TAXII },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 202);
      await res.arrayBuffer();
      return lines()
        .slice(from)
        .find((l) => String(l.msg).startsWith('objects received'));
    };
    const first = await received({ objects });
    assert.deepEqual([first?.added, first?.duplicates, first?.failed], [2, 0, 0]);
    const second = await received({ objects: [...objects, bad] });
    assert.deepEqual([second?.added, second?.duplicates, second?.failed], [0, 2, 1]);
    assert.equal(second?.msg, 'objects received: 0 added, 2 duplicates, 1 failed');
    assert.equal(second?.member, 'alice');
  });
});
