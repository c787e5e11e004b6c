/**
 * Feeds against real peers on loopback: another Tessera hub as the TAXII 2.1 peer, and plain HTTP
 * servers publishing a STIX bundle and an IOC list. The target is a second hub's store.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkFeedDefinitions,
  FeedConfigError,
  readFeedState,
  runFeed,
  type FeedDefinition,
} from '../../feeds';
import { patternFor, uuidv5 } from '../../feeds/adapters/ioc-list';
import { createLogger } from '../../server/logger';
import type { CollectionRecord } from '../../server/store/contract';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator, type StixObject } from '../helpers/stix';

const logger = createLogger('silent');

async function post(hub: TestHub, auth: string, collection: string, objects: StixObject[]): Promise<void> {
  const res = await fetch(`${hub.url}/api1/collections/${collection}/objects/`, {
    method: 'POST',
    headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: auth },
    body: JSON.stringify({ objects }),
  });
  assert.equal(res.status, 202);
  const status = (await res.json()) as { success_count: number };
  assert.equal(status.success_count, objects.length);
}

async function ids(hub: TestHub, collection: CollectionRecord): Promise<string[]> {
  const page = await hub.store.queryObjects({
    collectionId: collection.id,
    filter: {},
    limit: 10_000,
    withBody: false,
  });
  return page.items.map((i) => i.id).sort();
}

function serve(
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
) {
  return new Promise<{ server: Server; url: string }>((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

describe('feeds', function () {
  this.timeout(60_000);
  let peer: TestHub;
  let target: TestHub;
  let peerCollection: CollectionRecord;
  let targetCollection: CollectionRecord;
  const peerAuth = () => peer.basic('hub-b', 'peer-password-123');

  before(async () => {
    peer = await startHub();
    target = await startHub();
    await peer.addMember('hub-b', 'peer-password-123', ['partners']);
    peerCollection = await peer.addCollection({ grants: [{ group: 'partners', read: true, write: true }] });
    targetCollection = await target.addCollection({
      alias: 'incoming',
      grants: [{ group: 'locals', read: true, write: true }],
    });
  });
  after(async () => {
    await peer.close();
    await target.close();
  });

  function deps(owner = 'test-instance') {
    return { store: target.store, statusTtlHours: 24, owner, logger, env: { PEER_PW: 'peer-password-123' } };
  }
  function taxiiFeed(overrides: Partial<FeedDefinition> = {}): FeedDefinition {
    return {
      name: 'peer',
      kind: 'taxii21',
      schedule: '*/5 * * * *',
      url: `${peer.url}/api1/collections/${peerCollection.id}/objects/`,
      username: 'hub-b',
      passwordEnv: 'PEER_PW',
      target: { apiRoot: 'api1', collection: 'incoming' },
      pageSize: 7,
      ...overrides,
    };
  }

  it('pulls a peer TAXII collection page by page, then only what is new', async () => {
    const first = Array.from({ length: 30 }, () => makeIndicator());
    await post(peer, peerAuth(), peerCollection.id, first);
    const r1 = await runFeed(taxiiFeed(), deps());
    assert.deepEqual([r1.ran, r1.ok, r1.added, r1.duplicates, r1.failures], [true, true, 30, 0, 0]);
    assert.deepEqual(await ids(target, targetCollection), first.map((o) => o.id).sort());

    const r2 = await runFeed(taxiiFeed(), deps());
    assert.equal(r2.added + r2.duplicates, 0, 'an unchanged peer yields nothing new');

    const more = Array.from({ length: 3 }, () => makeIndicator());
    await post(peer, peerAuth(), peerCollection.id, more);
    const r3 = await runFeed(taxiiFeed(), deps());
    assert.equal(r3.added, 3);
    assert.equal(r3.duplicates, 0, 'the checkpoint resumes after the last page');
    const state = await readFeedState(target.store, 'peer');
    assert.match(String(state?.checkpoint.addedAfter), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    // Objects are recorded as added by the feed identity.
    const page = await target.store.queryObjects({
      collectionId: targetCollection.id,
      filter: { ids: [more[0]?.id as string] },
      limit: 1,
      withBody: true,
    });
    assert.equal(JSON.parse(page.items[0]?.body as string).id, more[0]?.id);
  });

  it('reports a wrong peer password as a failed run and stores nothing', async () => {
    const r = await runFeed(taxiiFeed({ name: 'peer-bad' }), {
      ...deps(),
      env: { PEER_PW: 'wrong-password' },
    });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /HTTP 401/);
    const state = await readFeedState(target.store, 'peer-bad');
    assert.equal(state?.lastResult?.ok, false);
  });

  it('lets only one instance run a feed at a time (lease in the store)', async () => {
    await target.store.putState({
      key: 'lease:feed:peer-leased',
      value: JSON.stringify({ owner: 'other-instance', until: Date.now() + 60_000 }),
      expectedVersion: 0,
    });
    const r = await runFeed(taxiiFeed({ name: 'peer-leased' }), deps('this-instance'));
    assert.equal(r.ran, false);
    const r2 = await runFeed(taxiiFeed({ name: 'peer-leased' }), deps('other-instance'));
    assert.equal(r2.ran, true, 'the lease holder itself may run');
  });

  it('pulls a STIX bundle, validates every object, and uses conditional GET', async () => {
    const good = [makeIndicator(), makeIndicator()];
    const bad = { type: 'indicator', id: 'indicator--not-a-uuid', spec_version: '2.1' };
    const body = JSON.stringify({
      type: 'bundle',
      id: 'bundle--6f2a6d7e-4a55-4e8c-9a3c-2b8f8f1d7c11',
      objects: [...good, bad],
    });
    let gets = 0;
    let notModified = 0;
    const { server, url } = await serve((req, res) => {
      gets++;
      if (req.headers['if-none-match'] === '"v1"') {
        notModified++;
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', ETag: '"v1"' }).end(body);
    });
    try {
      const def: FeedDefinition = {
        name: 'bundle',
        kind: 'stix-bundle',
        schedule: '0 * * * *',
        url: `${url}/b.json`,
        target: { apiRoot: 'api1', collection: targetCollection.id },
      };
      const r1 = await runFeed(def, deps());
      assert.deepEqual([r1.ok, r1.added, r1.failures], [true, 2, 1]);
      const r2 = await runFeed(def, deps());
      assert.deepEqual([r2.ok, r2.added, gets, notModified], [true, 0, 2, 1]);
    } finally {
      server.close();
    }
  });

  it('turns an IOC list into indicators with stable ids', async () => {
    const list = [
      '# blocklist',
      '203.0.113.7',
      '203.0.113.0/24',
      'evil.example.com',
      'http://evil.example.com/x',
      'd41d8cd98f00b204e9800998ecf8427e',
      'not an ioc !',
      '',
    ].join('\n');
    const { server, url } = await serve((_req, res) =>
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(list),
    );
    try {
      const def: FeedDefinition = {
        name: 'iocs',
        kind: 'ioc-list',
        schedule: '0 * * * *',
        url: `${url}/list.txt`,
        target: { apiRoot: 'api1', collection: targetCollection.id },
      };
      const r1 = await runFeed(def, deps());
      assert.deepEqual([r1.ok, r1.added, r1.failures], [true, 5, 0]);
      const r2 = await runFeed(def, deps());
      assert.deepEqual([r2.added, r2.duplicates], [0, 5], 'a second read of the same list adds no versions');
      const id = `indicator--${uuidv5('iocs\n203.0.113.7')}`;
      assert.ok(await target.store.objectExists({ collectionId: targetCollection.id, id }));
    } finally {
      server.close();
    }
  });

  it('recognises IOC forms', () => {
    assert.equal(patternFor('198.51.100.1'), "[ipv4-addr:value = '198.51.100.1']");
    assert.equal(patternFor('2001:db8::1'), "[ipv6-addr:value = '2001:db8::1']");
    assert.equal(patternFor('Example.COM'), "[domain-name:value = 'example.com']");
    assert.equal(patternFor('a'.repeat(64)), `[file:hashes.'SHA-256' = '${'a'.repeat(64)}']`);
    assert.equal(patternFor("http://x.example/it's"), "[url:value = 'http://x.example/it\\'s']");
    assert.equal(patternFor('hello world'), null);
    assert.match(uuidv5('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('lists every problem of a bad feeds file', () => {
    assert.throws(
      () =>
        checkFeedDefinitions(
          [
            {
              name: 'a',
              kind: 'rss',
              schedule: '* * * * *',
              url: 'http://x',
              target: { apiRoot: 'api1', collection: 'c' },
            },
            {
              name: 'b',
              kind: 'taxii21',
              schedule: 'every minute',
              url: 'http://x',
              passwordEnv: 'NOPE_NOT_SET',
              target: { apiRoot: 'api1', collection: 'c' },
            },
          ],
          {},
        ),
      (e: unknown) => {
        assert.ok(e instanceof FeedConfigError);
        const text = e.problems.join('\n');
        assert.match(text, /feed #1 \(a\).*kind/);
        assert.match(text, /feed #2 \(b\).*not a cron expression/);
        assert.match(text, /NOPE_NOT_SET/);
        assert.match(text, /passwordEnv needs a username/);
        return true;
      },
    );
  });
});
