/**
 * Feeds against real peers on loopback: another Tessera hub as the TAXII 2.1 peer, plain HTTP
 * servers publishing each fixture format, file:// feeds, and a fault-injecting proxy/server
 * (dropped connections, delays past the timeout, 5xx, truncated and malformed bodies, oversized
 * responses, invalid STIX). The target is a second hub's store; objects go through the hub's real
 * validator.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  checkFeedDefinitions,
  FEED_KINDS,
  FeedConfigError,
  feedJob,
  feedStatus,
  missingTargets,
  readFeedState,
  runFeed,
  type FeedDefinition,
  type FeedProgress,
} from '../../feeds';
import { convertText } from '../../feeds/formats';
import { leaseHolder } from '../../feeds/state';
import { createApp } from '../../server/app';
import { Scheduler } from '../../server/jobs/scheduler';
import { createLogger } from '../../server/logger';
import { openStore } from '../../server/store';
import type { CollectionRecord, Stores } from '../../server/store/contract';
import { stixValidator } from '../../server/stix/plug';
import { PARTNER_CSV_MAPPING } from '../helpers/feeds';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { captureLogger } from '../helpers/logs';
import { sharesUrl } from '../helpers/store';
import { makeIndicator, withModified, type StixObject } from '../helpers/stix';

const logger = createLogger('silent');
const FIXTURES = join(__dirname, '..', 'fixtures', 'feeds');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function serve(handler: Handler): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}

/** Serves the fixture files under /<name>, counting requests. */
async function fixtureServer() {
  const hits: string[] = [];
  const s = await serve((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0] as string).slice(1);
    hits.push(name);
    try {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(readFileSync(join(FIXTURES, name)));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return { ...s, hits };
}

describe('feeds', function () {
  this.timeout(60_000);
  let peer: TestHub;
  let target: TestHub;
  let peerCollection: CollectionRecord;
  let targetCollection: CollectionRecord;
  const peerAuth = () => peer.basic('hub-b', 'peer-password-123');
  const validate = stixValidator(false);

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
    const { registry, objects, statuses, state } = target.stores;
    return {
      registry,
      objects,
      statuses,
      state,
      statusTtlHours: 24,
      owner,
      logger,
      validate,
      env: { PEER_PW: 'peer-password-123' },
    };
  }

  async function post(objects: StixObject[]): Promise<void> {
    const res = await fetch(`${peer.url}/api1/collections/${peerCollection.id}/objects/`, {
      method: 'POST',
      headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: peerAuth() },
      body: JSON.stringify({ objects }),
    });
    assert.equal(res.status, 202);
    assert.equal(((await res.json()) as { success_count: number }).success_count, objects.length);
  }

  async function versionsHere(collection: CollectionRecord, id: string): Promise<string[]> {
    const page = await target.stores.objects.queryObjects({
      visibleTo: 'all',
      collectionId: collection.id,
      filter: { ids: [id], versions: { kind: 'all' } },
      limit: 100,
      withBody: false,
    });
    return page.items.map((i) => i.version);
  }

  async function latestHere(collection: CollectionRecord, id: string): Promise<StixObject | undefined> {
    const page = await target.stores.objects.queryObjects({
      visibleTo: 'all',
      collectionId: collection.id,
      filter: { ids: [id] },
      limit: 1,
      withBody: true,
    });
    const body = page.items[0]?.body;
    return body ? (JSON.parse(body) as StixObject) : undefined;
  }

  async function newCollection(alias: string): Promise<CollectionRecord> {
    return target.addCollection({ alias, grants: [{ group: 'locals', read: true, write: true }] });
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

  describe('federation with a second Tessera', () => {
    it('pulls a peer collection page by page, then only what is new', async () => {
      const first = Array.from({ length: 30 }, () => makeIndicator());
      await post(first);
      const r1 = await runFeed(taxiiFeed(), deps());
      assert.deepEqual(
        [r1.ran, r1.ok, r1.fetched, r1.added, r1.duplicates, r1.rejected],
        [true, true, 30, 30, 0, 0],
      );
      for (const o of first)
        assert.ok(
          await target.stores.objects.objectExists({
            visibleTo: 'all',
            collectionId: targetCollection.id,
            id: o.id,
          }),
        );

      const r2 = await runFeed(taxiiFeed(), deps());
      assert.equal(r2.added + r2.duplicates, 0, 'an unchanged peer yields nothing new');

      const more = Array.from({ length: 3 }, () => makeIndicator());
      await post(more);
      const r3 = await runFeed(taxiiFeed(), deps());
      assert.deepEqual([r3.added, r3.duplicates], [3, 0], 'the checkpoint resumes after the last page');
      const state = await readFeedState(target.stores.state, 'peer');
      assert.match(String(state.checkpoint.addedAfter), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.deepEqual(
        state.runs.map((r) => r.added),
        [3, 0, 30],
        'runs are recorded newest first',
      );
    });

    it('copies every version and revocations; deletes on the peer are not propagated', async () => {
      const v1 = makeIndicator({ created: '2025-02-01T00:00:00.000Z' });
      const v2 = withModified(v1, '2025-02-02T00:00:00.000Z');
      await post([v1]);
      await post([v2]);
      const revoked = { ...withModified(v1, '2025-02-03T00:00:00.000Z'), revoked: true };
      await post([revoked]);
      const r = await runFeed(taxiiFeed(), deps());
      assert.equal(r.ok, true);
      assert.deepEqual(await versionsHere(targetCollection, v1.id), [
        '2025-02-01T00:00:00.000Z',
        '2025-02-02T00:00:00.000Z',
        '2025-02-03T00:00:00.000Z',
      ]);
      assert.equal(
        (await latestHere(targetCollection, v1.id))?.revoked,
        true,
        'the revocation is the latest',
      );

      // A delete on the peer leaves no trace that added_after polling can see: the copy stays.
      const del = await fetch(`${peer.url}/api1/collections/${peerCollection.id}/objects/${v1.id}/`, {
        method: 'DELETE',
        headers: { Accept: TAXII, Authorization: peerAuth() },
      });
      assert.equal(del.status, 200);
      const after = await runFeed(taxiiFeed(), deps());
      assert.deepEqual([after.ok, after.added], [true, 0]);
      assert.equal((await versionsHere(targetCollection, v1.id)).length, 3);
    });

    it('reports a wrong peer password as a failed run and stores nothing', async () => {
      const r = await runFeed(taxiiFeed({ name: 'peer-bad' }), {
        ...deps(),
        env: { PEER_PW: 'wrong-password' },
      });
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /HTTP 401/);
      const state = await readFeedState(target.stores.state, 'peer-bad');
      assert.equal(state.runs[0]?.ok, false);
      assert.equal(state.failures, 1);
      assert.deepEqual(state.checkpoint, {});
    });

    it('lets only one instance run a feed at a time (lease in the store)', async () => {
      await target.stores.state.putState({
        key: 'lease:feed:peer-leased',
        value: JSON.stringify({ owner: 'other-instance', until: Date.now() + 60_000 }),
        expectedVersion: 0,
      });
      const r = await runFeed(taxiiFeed({ name: 'peer-leased' }), deps('this-instance'));
      assert.equal(r.ran, false);
      const r2 = await runFeed(taxiiFeed({ name: 'peer-leased' }), deps('other-instance'));
      assert.equal(r2.ran, true, 'the lease holder itself may run');
    });
  });

  describe('two hubs on one store', () => {
    it('start the same feed at the same moment: one runs (the lease), the other logs that it skipped; nothing is stored twice', async function () {
      if (!sharesUrl(target.storeUrl)) this.skip();
      const list = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`).join('\n') + '\n';
      // The source holds its answer, so the run that got there first is still going when the other
      // hub starts. Without a lease both would be here: the second request lets both finish.
      let requests = 0;
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      const srv = await serve((_req, res) => {
        if (++requests === 2) release();
        void held.then(() => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(list));
      });
      const other: Stores = await openStore(target.storeUrl);
      try {
        const col = await newCollection('cluster');
        const def: FeedDefinition = {
          name: 'cluster',
          kind: 'ioc-list',
          schedule: '*/10 * * * *',
          url: `${srv.url}/list.txt`,
          target: { apiRoot: 'api1', collection: 'cluster' },
        };
        const hubs = (
          [
            ['hub-a', target.stores],
            ['hub-b', other],
          ] as const
        ).map(([owner, { registry, objects, statuses, state }]) => {
          const log = captureLogger('info');
          const hubDeps = {
            registry,
            objects,
            statuses,
            state,
            statusTtlHours: 24,
            owner,
            logger: log.logger,
            validate,
          };
          return {
            owner,
            log,
            state,
            scheduler: new Scheduler(log.logger, () => 0),
            job: feedJob(def, hubDeps),
          };
        });
        // Both hubs' cron ticks fire at once (no jitter); the hub that skips returns at once.
        const runs = hubs.map((h) => h.scheduler.trigger(h.job));
        await Promise.race(runs);
        release();
        await Promise.all(runs);

        assert.equal(requests, 1, 'the source was fetched once');
        const finished = hubs.filter((h) => h.log.lines().some((l) => l.msg === 'feed run finished'));
        assert.equal(finished.length, 1, 'exactly one hub ran the feed');
        const [winner] = finished;
        const loser = hubs.find((h) => h !== winner);
        assert.ok(winner && loser);
        const skips = loser.log.lines().filter((l) => l.feed === 'cluster' && /skipped/.test(l.msg));
        assert.deepEqual(
          skips.map((l) => [l.msg, l.trigger, l.runningOn]),
          [['feed is being run by another instance: this start is skipped', 'schedule', winner.owner]],
        );
        // One run recorded, seen alike from both hubs; the lease is free again.
        for (const h of hubs) {
          const s = await readFeedState(h.state, 'cluster');
          assert.deepEqual(
            s.runs.map((r) => [r.instance, r.trigger, r.ok, r.fetched, r.added, r.duplicates]),
            [[winner.owner, 'schedule', true, 40, 40, 0]],
          );
          assert.equal(await leaseHolder(h.state, 'cluster'), null);
        }
        // Each indicator once, with one version (plus the feed's identity and marking).
        const page = await target.stores.objects.queryObjects({
          visibleTo: 'all',
          collectionId: col.id,
          filter: { versions: { kind: 'all' } },
          limit: 1000,
          withBody: false,
        });
        const ids = page.items.map((i) => i.id);
        assert.equal(ids.length, 42);
        assert.equal(new Set(ids).size, 42, 'no object stored twice');
        assert.equal(await other.objects.countObjects(col.id), 42);
      } finally {
        await other.close();
        await srv.close();
      }
    });
  });

  describe('faults, over a fault-injecting proxy in front of the peer', () => {
    /** A proxy to the peer hub that breaks the `failOn`-th objects request as told. */
    async function faultyProxy(fault: (n: number, req: IncomingMessage, res: ServerResponse) => boolean) {
      let n = 0;
      return serve((req, res) => {
        n++;
        if (fault(n, req, res)) return;
        const up = new URL(req.url ?? '/', peer.url);
        const p = request(up, { method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        req.pipe(p);
      });
    }

    async function faultCase(
      name: string,
      fault: (n: number, req: IncomingMessage, res: ServerResponse) => boolean,
      expectError: RegExp,
      overrides: Partial<FeedDefinition> = {},
    ): Promise<void> {
      const col = await newCollection(`fault-${name}`);
      const fresh = Array.from({ length: 20 }, () => makeIndicator());
      await post(fresh);
      const proxy = await faultyProxy(fault);
      try {
        const def = taxiiFeed({
          name: `fault-${name}`,
          target: { apiRoot: 'api1', collection: `fault-${name}` },
          url: `${proxy.url}/api1/collections/${peerCollection.id}/objects/`,
          pageSize: 1000,
          timeoutMs: 1000,
          ...overrides,
        });
        // The peer holds earlier objects too: take the checkpoint from the first run to the end.
        const total = (await target.stores.objects.countObjects(targetCollection.id)) >= 0;
        assert.ok(total);
        const r1 = await runFeed({ ...def, pageSize: 10 }, deps());
        assert.equal(r1.ok, false, `the faulty run fails (${name})`);
        assert.match(r1.error ?? '', expectError);
        const kept = r1.added;
        const cp = (await readFeedState(target.stores.state, def.name)).checkpoint;
        // Whatever was stored before the fault stays, and the checkpoint covers exactly that.
        assert.equal(await target.stores.objects.countObjects(col.id), kept);
        if (kept === 0) assert.deepEqual(cp, {});
        const r2 = await runFeed({ ...def, pageSize: 10 }, deps());
        assert.equal(r2.ok, true, `the next run resumes (${name}): ${r2.error ?? ''}`);
        assert.equal(r2.duplicates, 0, 'the resumed run re-fetches nothing already stored');
        const peerCount = await peer.stores.objects.countObjects(peerCollection.id);
        assert.equal(await target.stores.objects.countObjects(col.id), peerCount, 'nothing lost');
        for (const o of fresh)
          assert.ok(
            await target.stores.objects.objectExists({ visibleTo: 'all', collectionId: col.id, id: o.id }),
          );
      } finally {
        await proxy.close();
      }
    }

    it('peer down: connection refused', async () => {
      const col = await newCollection('fault-down');
      const dead = await serve(() => undefined);
      const url = dead.url;
      await dead.close();
      const r = await runFeed(
        taxiiFeed({ name: 'fault-down', target: { apiRoot: 'api1', collection: col.id }, url: `${url}/x/` }),
        deps(),
      );
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    });

    it('connection dropped on the second page', async () => {
      await faultCase(
        'drop',
        (n, req) => {
          if (n !== 2) return false;
          req.socket.destroy();
          return true;
        },
        /cannot reach|socket|other side closed/i,
      );
    });

    it('HTTP 503 on the second page', async () => {
      await faultCase(
        '503',
        (n, _req, res) => {
          if (n !== 2) return false;
          res.writeHead(503, { 'Content-Type': 'text/plain' }).end('maintenance');
          return true;
        },
        /answered HTTP 503: maintenance/,
      );
    });

    it('a page slower than the timeout', async () => {
      await faultCase(
        'slow',
        (n, _req, res) => {
          if (n !== 2) return false;
          const t = setTimeout(() => res.writeHead(200).end('{}'), 3000);
          res.on('close', () => clearTimeout(t));
          return true;
        },
        /no complete answer from 127\.0\.0\.1:\d+ within 1000 ms/,
      );
    });

    it('a page truncated mid-body', async () => {
      await faultCase(
        'truncated',
        (n, _req, res) => {
          if (n !== 2) return false;
          res.writeHead(200, { 'Content-Type': TAXII, 'Content-Length': '5000' });
          res.write('{"more": true, "objects": [{"type": "indicator", "id": "indic');
          setTimeout(() => res.socket?.destroy(), 20);
          return true;
        },
        /cut short after \d+ bytes/,
      );
    });

    it('a malformed page', async () => {
      await faultCase(
        'malformed',
        (n, _req, res) => {
          if (n !== 2) return false;
          res.writeHead(200, { 'Content-Type': TAXII }).end('<html>proxy error</html>');
          return true;
        },
        /not JSON/,
      );
    });

    it('an oversized page', async () => {
      await faultCase(
        'oversized',
        (n, _req, res) => {
          if (n !== 2) return false;
          res
            .writeHead(200, { 'Content-Type': TAXII })
            .end(`{"objects": [], "pad": "${'x'.repeat(300_000)}"}`);
          return true;
        },
        /larger than the feed's maxBytes \(200000\)/,
        { maxBytes: 200_000 },
      );
    });

    it('invalid STIX from the peer is rejected object by object, the rest stored', async () => {
      const good = makeIndicator();
      const body = JSON.stringify({
        more: false,
        objects: [good, { type: 'indicator', spec_version: '2.1', id: 'indicator--not-a-uuid' }],
      });
      const s = await serve((_req, res) => res.writeHead(200, { 'Content-Type': TAXII }).end(body));
      try {
        const col = await newCollection('fault-invalid');
        const r = await runFeed(
          taxiiFeed({
            name: 'fault-invalid',
            target: { apiRoot: 'api1', collection: col.id },
            url: `${s.url}/o/`,
          }),
          deps(),
        );
        assert.deepEqual([r.ok, r.fetched, r.added, r.rejected], [true, 2, 1, 1]);
        assert.equal(r.rejections[0]?.where, 'object indicator--not-a-uuid');
        assert.ok(
          await target.stores.objects.objectExists({ visibleTo: 'all', collectionId: col.id, id: good.id }),
        );
      } finally {
        await s.close();
      }
    });

    it('a run that outlasts runTimeoutMs stops and records why', async () => {
      const s = await serve((_req, res) => {
        const t = setTimeout(() => res.writeHead(200).end('192.0.2.1\n'), 5000);
        res.on('close', () => clearTimeout(t));
      });
      try {
        const r = await runFeed(
          {
            name: 'fault-runtimeout',
            kind: 'ioc-list',
            schedule: '0 * * * *',
            url: `${s.url}/l.txt`,
            target: { apiRoot: 'api1', collection: targetCollection.id },
            runTimeoutMs: 1000,
          },
          deps(),
        );
        assert.equal(r.ok, false);
        assert.match(r.error ?? '', /runTimeoutMs \(1000 ms\)|stopped/);
      } finally {
        await s.close();
      }
    });

    it('a list cut short keeps its complete lines and is fetched whole next time', async () => {
      const lines = Array.from({ length: 50 }, (_, i) => `198.51.100.${i + 1}`).join('\n') + '\n';
      let cut = true;
      const s = await serve((_req, res) => {
        if (!cut) {
          res.writeHead(200, { ETag: '"v1"' }).end(lines);
          return;
        }
        res.writeHead(200, { 'Content-Length': String(lines.length), ETag: '"v1"' });
        res.write(lines.slice(0, 200));
        setTimeout(() => res.socket?.destroy(), 20);
      });
      try {
        const col = await newCollection('fault-cutlist');
        const def: FeedDefinition = {
          name: 'fault-cutlist',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: `${s.url}/l.txt`,
          target: { apiRoot: 'api1', collection: col.id },
        };
        const r1 = await runFeed(def, deps());
        assert.equal(r1.ok, false);
        assert.match(r1.error ?? '', /cut short/);
        const complete = lines.slice(0, 200).split('\n').length - 1;
        assert.equal(r1.added, complete, 'the complete lines are kept, the cut one is not');
        assert.equal((await readFeedState(target.stores.state, def.name)).checkpoint.etag, undefined);
        cut = false;
        const r2 = await runFeed(def, deps());
        assert.deepEqual([r2.ok, r2.added, r2.duplicates], [true, 50 - complete, complete]);
      } finally {
        await s.close();
      }
    });
  });

  describe('the formats, each fetched from its own server', () => {
    interface Case {
      kind: FeedDefinition['kind'];
      file: string;
      extra?: Partial<FeedDefinition>;
      expect: [fetched: number, added: number, rejected: number];
    }
    const cases: Case[] = [
      { kind: 'urlhaus-csv', file: 'urlhaus.csv', expect: [7, 4, 3] },
      { kind: 'feodo-csv', file: 'feodo.csv', expect: [5, 3, 2] },
      { kind: 'threatfox-csv', file: 'threatfox.csv', expect: [10, 7, 3] },
      { kind: 'spamhaus-drop', file: 'spamhaus-drop.txt', expect: [4, 3, 1] },
      { kind: 'spamhaus-drop', file: 'spamhaus-drop_v6.json', expect: [4, 3, 1] },
      { kind: 'ioc-list', file: 'ioc-list.txt', expect: [8, 6, 2] },
      {
        kind: 'csv',
        file: 'partner.csv',
        extra: {
          csv: PARTNER_CSV_MAPPING,
        },
        expect: [6, 4, 2],
      },
    ];
    const reports: string[] = [];
    after(() => {
      // What one run of each fixture reported (also in the closing note of issue 11).
      if (process.env.TESSERA_FEED_REPORT) console.log(reports.join('\n'));
    });

    for (const c of cases) {
      it(`${c.kind} (${c.file}): one run stores what is valid, a second adds nothing`, async () => {
        const srv = await fixtureServer();
        try {
          const name = `fmt-${c.file.replace(/[^a-z0-9]/gi, '-')}`;
          const col = await newCollection(name);
          const def: FeedDefinition = {
            name,
            kind: c.kind,
            schedule: '0 * * * *',
            url: `${srv.url}/${c.file}`,
            target: { apiRoot: 'api1', collection: name },
            identity: 'Fixture source',
            ...c.extra,
          };
          const r1 = await runFeed(def, deps());
          assert.equal(r1.ok, true, r1.error);
          assert.deepEqual([r1.fetched, r1.added, r1.rejected], c.expect);
          assert.equal(r1.duplicates, 0);
          // The identity and the marking are stored too (not counted in the figures).
          assert.equal(await target.stores.objects.countObjects(col.id), r1.added + 2);
          const r2 = await runFeed(def, deps());
          assert.deepEqual(
            [r2.ok, r2.added, r2.duplicates],
            [true, 0, r1.added],
            'a second run adds nothing',
          );
          reports.push(
            `${c.kind} ${c.file}: fetched ${r1.fetched}, added ${r1.added}, duplicates ${r1.duplicates}, rejected ${r1.rejected}; second run added ${r2.added}, duplicates ${r2.duplicates}`,
          );
        } finally {
          await srv.close();
        }
      });
    }

    it('misp-feed: manifest and event files, resuming per event, malformed event rejected', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-misp-'));
      for (const f of [
        'manifest.json',
        '5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f.json',
        '8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10.json',
      ])
        writeFileSync(join(dir, f), fixture(`misp-feed/${f}`));
      let failEvent = true;
      const s = await serve((req, res) => {
        const name = (req.url ?? '/').slice('/misp/'.length);
        if (failEvent && name.startsWith('8a6e0f44')) {
          res.writeHead(502).end('bad gateway');
          return;
        }
        try {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(readFileSync(join(dir, name)));
        } catch {
          res.writeHead(404).end();
        }
      });
      try {
        const col = await newCollection('misp');
        const def: FeedDefinition = {
          name: 'misp',
          kind: 'misp-feed',
          schedule: '0 * * * *',
          url: `${s.url}/misp/`,
          target: { apiRoot: 'api1', collection: 'misp' },
          identity: 'CIRCL OSINT feed',
        };
        const r1 = await runFeed(def, deps());
        assert.equal(r1.ok, false);
        assert.match(r1.error ?? '', /HTTP 502/);
        assert.deepEqual(
          [r1.fetched, r1.added, r1.skipped, r1.rejected],
          [7, 5, 2, 1],
          'the first event is kept',
        );
        assert.deepEqual(
          (await readFeedState(target.stores.state, 'misp')).checkpoint.uuid,
          '5f3c1a2e-7b4d-4e8a-9c21-0a1b2c3d4e5f',
        );
        failEvent = false;
        const r2 = await runFeed(def, deps());
        assert.deepEqual([r2.ok, r2.fetched, r2.added, r2.duplicates, r2.rejected], [true, 3, 3, 0, 1]);
        const report = await latestHere(col, 'report--8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10');
        assert.equal((report?.object_refs as string[]).length, 2);
        const r3 = await runFeed(def, deps());
        assert.deepEqual([r3.ok, r3.fetched, r3.added], [true, 0, 0], 'nothing changed: nothing fetched');
        reports.push(
          `misp-feed (2 events): fetched ${r1.fetched + r2.fetched}, added ${r1.added + r2.added}, skipped ${r1.skipped + r2.skipped}, rejected ${r1.rejected + r2.rejected}; next run added ${r3.added}`,
        );

        // MISP updates an event: a new manifest timestamp and attribute timestamp → a new version.
        const ev = JSON.parse(fixture('misp-feed/8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10.json')) as {
          Event: { timestamp: string; Attribute: { timestamp: string }[] };
        };
        ev.Event.timestamp = '1740900000';
        (ev.Event.Attribute[0] as { timestamp: string }).timestamp = '1740900000';
        writeFileSync(join(dir, '8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10.json'), JSON.stringify(ev));
        const m = JSON.parse(fixture('misp-feed/manifest.json')) as Record<string, { timestamp: unknown }>;
        (m['8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10'] as { timestamp: unknown }).timestamp = 1740900000;
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
        const r4 = await runFeed(def, deps());
        assert.deepEqual(
          [r4.ok, r4.added, r4.duplicates],
          [true, 2, 1],
          'the changed attribute and the report',
        );

        // A malformed event file is rejected and passed over.
        writeFileSync(join(dir, '8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10.json'), '{"Event": {"uuid": ');
        m['8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10'] = { timestamp: 1741000000 };
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
        const r5 = await runFeed(def, deps());
        assert.equal(r5.ok, true);
        assert.deepEqual(r5.rejections, [
          {
            where: 'event 8a6e0f44-3c1b-4f2d-8e7a-6b5c4d3e2f10',
            reason: 'the event file is not JSON (it may be cut short)',
          },
        ]);
      } finally {
        await s.close();
      }
    });

    it('file:// feeds (air-gapped hubs) with conditional reads', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tessera-file-'));
      const path = join(dir, 'drop.txt');
      writeFileSync(path, fixture('spamhaus-edrop.txt'));
      const col = await newCollection('file-drop');
      const def: FeedDefinition = {
        name: 'file-drop',
        kind: 'spamhaus-drop',
        schedule: '0 * * * *',
        url: pathToFileURL(path).toString(),
        target: { apiRoot: 'api1', collection: col.id },
      };
      const r1 = await runFeed(def, deps());
      assert.deepEqual([r1.ok, r1.unchanged, r1.fetched, r1.added], [true, false, 2, 2]);
      const r2 = await runFeed(def, deps());
      assert.deepEqual(
        [r2.ok, r2.unchanged, r2.fetched, r2.added],
        [true, true, 0, 0],
        'unchanged file: not read again, and recorded as unchanged',
      );
      // Rewritten within the same second (same Last-Modified, same size): read again all the same.
      const { mtimeMs } = statSync(path);
      const second = Math.floor(mtimeMs / 1000);
      writeFileSync(path, fixture('spamhaus-edrop.txt').replace('198.51.100.128/27', '198.51.100.160/27'));
      const sameSecond = (second * 1000 + (((mtimeMs % 1000) + 500) % 1000)) / 1000;
      utimesSync(path, sameSecond, sameSecond);
      assert.equal(statSync(path).mtime.toUTCString(), new Date(mtimeMs).toUTCString());
      const r3 = await runFeed(def, deps());
      assert.deepEqual([r3.ok, r3.unchanged, r3.fetched, r3.added, r3.duplicates], [true, false, 2, 1, 1]);
      const missing = await runFeed(
        { ...def, name: 'file-missing', url: pathToFileURL(join(dir, 'nope.txt')).toString() },
        deps(),
      );
      assert.match(missing.error ?? '', /cannot read .*nope\.txt/);
    });

    it('validForDays: valid_until, renewal kept stable, entries gone from the list expired', async () => {
      let list = '192.0.2.1\n192.0.2.2\n';
      const s = await serve((_req, res) => res.writeHead(200).end(list));
      try {
        const col = await newCollection('expiring');
        const def: FeedDefinition = {
          name: 'expiring',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: `${s.url}/l.txt`,
          target: { apiRoot: 'api1', collection: col.id },
          validForDays: 30,
        };
        const r1 = await runFeed(def, deps());
        assert.deepEqual([r1.ok, r1.added], [true, 2]);
        const ids = convertText('ioc-list', list, {
          feed: 'expiring',
          identityId: 'identity--x',
          tlp: 'green',
          labels: [],
          indicatorTypes: [],
          epoch: '',
        }).objects.map((o) => o.id);
        const first = await latestHere(col, ids[1] as string);
        const days =
          (Date.parse(String(first?.valid_until)) - Date.parse(String(first?.modified))) / 86_400_000;
        assert.equal(days, 30);
        const r2 = await runFeed(def, deps());
        assert.deepEqual([r2.added, r2.duplicates, r2.expired], [0, 2, 0], 'still listed: same versions');
        list = '192.0.2.1\n';
        await new Promise((r) => setTimeout(r, 1100)); // a later second than the first versions
        const r3 = await runFeed(def, deps());
        assert.deepEqual([r3.ok, r3.added, r3.duplicates, r3.expired], [true, 1, 1, 1]);
        const gone = await latestHere(col, ids[1] as string);
        assert.equal(gone?.valid_until, gone?.modified, 'expired: valid_until = the run that saw it gone');
        assert.equal((await versionsHere(col, ids[1] as string)).length, 2);
        const r4 = await runFeed(def, deps());
        assert.deepEqual([r4.added, r4.expired], [0, 0], 'expired once only');
      } finally {
        await s.close();
      }
    });
  });

  describe('definitions', () => {
    it('lists every problem by feed name and field, in words', () => {
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
                url: 'ftp://x',
                passwordEnv: 'NOPE_NOT_SET',
                tlp: 'amber',
                target: { apiRoot: 'api1' },
              },
              {
                name: 'c',
                kind: 'csv',
                schedule: '0 * * * *',
                url: 'file:///srv/c.csv',
                target: { apiRoot: 'api1', collection: 'c' },
                tlp: 'purple',
                confidence: 101,
                indicatorTypes: ['evil'],
                colour: 'red',
              },
              {
                name: 'a',
                kind: 'ioc-list',
                schedule: '0 * * * *',
                url: 'https://x/y',
                target: { apiRoot: 'api1', collection: 'c' },
              },
            ],
            {},
          ),
        (e: unknown) => {
          assert.ok(e instanceof FeedConfigError);
          assert.deepEqual(e.problems, [
            'feed a: kind must be one of taxii21, stix-bundle, misp-feed, ioc-list, csv, urlhaus-csv, feodo-csv, threatfox-csv, spamhaus-drop',
            'feed b: schedule "every minute" is not a cron expression (e.g. "*/30 * * * *")',
            'feed b: url must be an absolute http://, https:// or file:// URL',
            'feed b: passwordEnv needs a username',
            'feed b: target.collection is missing',
            'feed b: tlp does not apply to kind taxii21 (its objects are stored as the peer publishes them)',
            'feed c: colour is not a feed field (see README, Feeds)',
            'feed c: confidence must be a whole number from 0 to 100',
            'feed c: tlp must be one of clear, green, amber, amber+strict, red',
            'feed c: indicatorTypes "evil" is not in the indicator-type vocabulary (anomalous-activity, anonymization, benign, compromised, malicious-activity, attribution, unknown)',
            'feed c: csv is missing: a csv feed needs its column mapping (at least {"value": "<column>"})',
            'feed a: name "a" is used by another feed',
          ]);
          return true;
        },
      );
    });

    it('file:// feeds take no credentials; a csv mapping gives type or typeColumn, not both', () => {
      const base = {
        schedule: '0 * * * *',
        target: { apiRoot: 'api1', collection: 'c' },
      };
      assert.throws(
        () =>
          checkFeedDefinitions(
            [
              { ...base, name: 'f1', kind: 'ioc-list', url: 'file:///srv/l.txt', username: 'u' },
              { ...base, name: 'f2', kind: 'ioc-list', url: 'file:///srv/l.txt', passwordEnv: 'PW' },
              {
                ...base,
                name: 'f3',
                kind: 'csv',
                url: 'file:///srv/c.csv',
                csv: { value: 'v', type: 'ip', typeColumn: 'kind' },
              },
            ],
            { PW: 'x' },
          ),
        (e: unknown) => {
          assert.ok(e instanceof FeedConfigError);
          assert.deepEqual(e.problems, [
            'feed f1: username does not apply to a file:// URL (a file takes no credentials)',
            'feed f2: passwordEnv does not apply to a file:// URL (a file takes no credentials)',
            'feed f2: passwordEnv needs a username',
            'feed f3: csv.type and csv.typeColumn exclude each other: give type (one type for every row) or typeColumn',
          ]);
          return true;
        },
      );
    });

    it('every example in feeds/examples is a valid definition', () => {
      const dir = join(__dirname, '..', '..', 'feeds', 'examples');
      const kinds = new Set<string>();
      for (const f of readdirSync(dir)) {
        const defs = checkFeedDefinitions(JSON.parse(readFileSync(join(dir, f), 'utf8')), {
          PEER_CSIRT_PASSWORD: 'x',
        });
        for (const d of defs) kinds.add(d.kind);
      }
      assert.deepEqual([...kinds].sort(), [...FEED_KINDS].sort(), 'one example per kind');
    });

    it('names a target collection that does not exist', async () => {
      const defs = checkFeedDefinitions([
        {
          name: 'ok',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: 'https://x/y',
          target: { apiRoot: 'api1', collection: 'incoming' },
        },
        {
          name: 'lost',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: 'https://x/y',
          target: { apiRoot: 'api1', collection: 'nowhere' },
        },
      ]);
      const problems = await missingTargets(
        defs,
        async (apiRoot, collection) =>
          (await target.stores.registry.findCollection({ apiRoot, idOrAlias: collection })) !== null,
      );
      assert.deepEqual(problems, [
        'feed lost: target collection "nowhere" does not exist in API root "api1" (create it with tessera collection add, or tessera apply)',
      ]);
    });
  });

  describe('status over HTTP', () => {
    it('GET /feeds/status: authenticated, each member sees the feeds of the collections it reads', async () => {
      await target.addMember('analyst', 'analyst-password-1', ['locals']);
      const hidden = await target.addCollection({
        alias: 'others-only',
        grants: [{ group: 'others', read: true, write: true }],
      });
      const visible: FeedDefinition = {
        name: 'status-visible',
        kind: 'ioc-list',
        schedule: '0 * * * *',
        url: 'https://feeds.example.org/secret-token/list.txt',
        target: { apiRoot: 'api1', collection: 'incoming' },
      };
      const invisible: FeedDefinition = {
        ...visible,
        name: 'status-hidden',
        target: { apiRoot: 'api1', collection: hidden.id },
      };
      const srv = await fixtureServer();
      try {
        await runFeed({ ...visible, url: `${srv.url}/ioc-list.txt` }, deps());
      } finally {
        await srv.close();
      }
      const app = await createApp({
        config: target.config,
        stores: target.stores,
        logger,
        feeds: [visible, invisible],
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const auth = { Authorization: target.basic('analyst', 'analyst-password-1') };
      try {
        const anon = await fetch(`${base}/feeds/status`);
        assert.equal(anon.status, 401);
        const res = await fetch(`${base}/feeds/status`, { headers: auth });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { feeds: { name: string; lastRuns: { added: number }[] }[] };
        assert.deepEqual(
          body.feeds.map((f) => f.name),
          ['status-visible'],
        );
        assert.equal(body.feeds[0]?.lastRuns[0]?.added, 6);
        assert.doesNotMatch(JSON.stringify(body), /secret-token/, 'the feed URL is never shown');
        const one = await fetch(`${base}/feeds/status/status-visible`, { headers: auth });
        assert.equal(((await one.json()) as { name: string }).name, 'status-visible');
        assert.equal((await fetch(`${base}/feeds/status/status-hidden`, { headers: auth })).status, 404);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe('a source that has not changed', () => {
    async function statusOver(defs: FeedDefinition[], name: string): Promise<{ lastRuns: FeedRunJson[] }> {
      const app = await createApp({ config: target.config, stores: target.stores, logger, feeds: defs });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      try {
        await target.addMember(`watcher-${name}`, 'watcher-password-1', ['locals']);
        const res = await fetch(
          `http://127.0.0.1:${(server.address() as AddressInfo).port}/feeds/status/${name}`,
          { headers: { Authorization: target.basic(`watcher-${name}`, 'watcher-password-1') } },
        );
        assert.equal(res.status, 200);
        return (await res.json()) as { lastRuns: FeedRunJson[] };
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    }
    interface FeedRunJson {
      ok: boolean;
      unchanged: boolean;
      fetched: number;
      added: number;
    }

    it('HTTP 304 (ETag): the run is recorded as unchanged, in the run record, feed status and GET /feeds/status', async () => {
      let list = '192.0.2.91\n192.0.2.92\n';
      let etag = '"v1"';
      const asked: (string | undefined)[] = [];
      const s = await serve((req, res) => {
        const since = req.headers['if-none-match'];
        asked.push(since);
        if (since === etag) res.writeHead(304, { ETag: etag }).end();
        else res.writeHead(200, { ETag: etag, 'Content-Type': 'text/plain' }).end(list);
      });
      try {
        await newCollection('not-modified');
        const def: FeedDefinition = {
          name: 'not-modified',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: `${s.url}/list.txt`,
          target: { apiRoot: 'api1', collection: 'not-modified' },
        };
        const r1 = await runFeed(def, deps());
        const r2 = await runFeed(def, deps());
        list += '192.0.2.93\n';
        etag = '"v2"';
        const r3 = await runFeed(def, deps());
        assert.deepEqual(asked, [undefined, '"v1"', '"v1"']);
        const figures = (r: FeedRunJson) => [r.ok, r.unchanged, r.fetched, r.added];
        assert.deepEqual([r1, r2, r3].map(figures), [
          [true, false, 2, 2],
          [true, true, 0, 0],
          [true, false, 3, 1],
        ]);
        const recorded = (await readFeedState(target.stores.state, 'not-modified')).runs;
        assert.deepEqual(recorded.map(figures), [r3, r2, r1].map(figures), 'the run records say the same');
        const [status] = await feedStatus(target.stores.state, [def]);
        assert.deepEqual(status?.lastRuns.map(figures), [r3, r2, r1].map(figures));
        const overHttp = await statusOver([def], 'not-modified');
        assert.deepEqual(overHttp.lastRuns.map(figures), [r3, r2, r1].map(figures));
      } finally {
        await s.close();
      }
    });

    it('stix-bundle, HTTP 304 (Last-Modified): recorded as unchanged', async () => {
      const lastModified = 'Wed, 05 Mar 2025 10:00:00 GMT';
      const bundle = { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [makeIndicator()] };
      const s = await serve((req, res) => {
        if (req.headers['if-modified-since'] === lastModified) res.writeHead(304).end();
        else
          res
            .writeHead(200, { 'Last-Modified': lastModified, 'Content-Type': 'application/json' })
            .end(JSON.stringify(bundle));
      });
      try {
        const col = await newCollection('bundle-304');
        const def: FeedDefinition = {
          name: 'bundle-304',
          kind: 'stix-bundle',
          schedule: '0 * * * *',
          url: `${s.url}/bundle.json`,
          target: { apiRoot: 'api1', collection: col.id },
        };
        const r1 = await runFeed(def, deps());
        const r2 = await runFeed(def, deps());
        assert.deepEqual(
          [r1, r2].map((r) => [r.ok, r.unchanged, r.fetched, r.added]),
          [
            [true, false, 1, 1],
            [true, true, 0, 0],
          ],
        );
      } finally {
        await s.close();
      }
    });
  });

  describe('progress (what the CLI bar draws)', () => {
    it('a list run reports the indicators stored of those converted, with the figures so far', async () => {
      const srv = await fixtureServer();
      try {
        await newCollection('progress-list');
        const seen: FeedProgress[] = [];
        const r = await runFeed(
          {
            name: 'progress-list',
            kind: 'ioc-list',
            schedule: '0 * * * *',
            url: `${srv.url}/ioc-list.txt`,
            target: { apiRoot: 'api1', collection: 'progress-list' },
          },
          deps(),
          { onProgress: (p) => seen.push(p) },
        );
        assert.equal(r.ok, true, r.error);
        assert.deepEqual(seen, [
          {
            feed: 'progress-list',
            done: 6,
            total: 6,
            fetched: 8,
            added: 6,
            duplicates: 0,
            rejected: 2,
          },
        ]);
      } finally {
        await srv.close();
      }
    });
  });

  describe('status and back-off', () => {
    it('backs off exponentially after failures, and a success resets', async () => {
      const def: FeedDefinition = {
        name: 'backoff',
        kind: 'ioc-list',
        schedule: '*/5 * * * *',
        url: 'http://127.0.0.1:9/never',
        target: { apiRoot: 'api1', collection: targetCollection.id },
      };
      const r1 = await runFeed(def, deps());
      let s = await readFeedState(target.stores.state, 'backoff');
      assert.equal(s.failures, 1);
      assert.equal(Date.parse(s.backoffUntil ?? '') - Date.parse(r1.endedAt), 60_000);
      const r2 = await runFeed(def, deps());
      s = await readFeedState(target.stores.state, 'backoff');
      assert.equal(Date.parse(s.backoffUntil ?? '') - Date.parse(r2.endedAt), 120_000);
      const status = await feedStatus(target.stores.state, [def]);
      assert.equal(status[0]?.failures, 2);
      assert.ok(
        Date.parse(status[0]?.nextRun ?? '') >= Date.parse(s.backoffUntil ?? ''),
        'next run after the back-off',
      );
      assert.equal(status[0]?.lastRuns.length, 2);
      assert.match(status[0]?.lastRuns[0]?.error ?? '', /cannot reach/);
      const srv = await fixtureServer();
      try {
        await runFeed({ ...def, url: `${srv.url}/ioc-list.txt` }, deps());
      } finally {
        await srv.close();
      }
      s = await readFeedState(target.stores.state, 'backoff');
      assert.deepEqual([s.failures, s.backoffUntil], [0, undefined]);
    });
  });
});
