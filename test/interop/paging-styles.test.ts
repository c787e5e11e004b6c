/**
 * Paging as real TAXII clients do it, over real HTTP on loopback:
 *
 * - Elastic (the Threat Intel TAXII input): a first request with added_after, match[type] and
 *   limit, then `next` ALONE until `more` is false;
 * - OpenCTI: `next` plus the original added_after re-sent every time, page size left to the
 *   server;
 * - Microsoft Sentinel: Basic auth, a UUIDv4 collection id, no `next` at all: every poll sends
 *   added_after = the X-TAXII-Date-Added-Last header of the previous response.
 *
 * And the promises the stateless `next` token makes: it is honoured by another hub instance over
 * the same store, survives a restart, and a client that is still paging sees objects posted
 * meanwhile later in its walk, never skipping them.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/logger';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import { stixValidator } from '../../server/stix/plug';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator, makeMalware, withModified, type StixObject } from '../helpers/stix';
import { sharesUrl } from '../helpers/store';

/** The hub's default page size in these tests (the OpenCTI and Sentinel styles send no limit). */
const PAGE_SIZE = 5;
const USER = 'reader';
const PASSWORD = 'reader-secret';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Envelope {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
}

interface ManifestRecord {
  id: string;
  date_added: string;
  version: string;
  media_type: string;
}

interface Reply<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** One item as a client records it: the object and which version of it. */
function served(o: StixObject): string {
  return `${o.id}@${o.modified ?? ''}`;
}

describe('interop: paging styles of real TAXII clients', function () {
  let hub: TestHub;
  let auth: string;
  let collectionId: string;

  beforeEach(async () => {
    hub = await startHub({ env: { TESSERA_PAGE_SIZE: String(PAGE_SIZE) } });
    await hub.addMember(USER, PASSWORD, ['readers']);
    auth = hub.basic(USER, PASSWORD);
    const c = await hub.addCollection({ grants: [{ group: 'readers', read: true, write: true }] });
    collectionId = c.id;
  });

  afterEach(async () => {
    if (hub) await hub.close();
  });

  function objectsUrl(base: string, query: Record<string, string>): string {
    const qs = new URLSearchParams(query).toString();
    return `${base}/api1/collections/${collectionId}/objects/${qs ? `?${qs}` : ''}`;
  }

  async function get<T>(url: string, authorization: string | null = auth): Promise<Reply<T>> {
    const headers: Record<string, string> = { Accept: TAXII };
    if (authorization !== null) headers.Authorization = authorization;
    const res = await fetch(url, { headers });
    const text = await res.text();
    assert.equal(res.headers.get('content-type'), TAXII, `${url}: ${text}`);
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as T };
  }

  async function getOk<T>(url: string): Promise<Reply<T>> {
    const r = await get<T>(url);
    assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
    return r;
  }

  async function post(objects: StixObject[], base = hub.url): Promise<void> {
    const res = await fetch(objectsUrl(base, {}), {
      method: 'POST',
      headers: { Accept: TAXII, 'Content-Type': TAXII, Authorization: auth },
      body: JSON.stringify({ objects }),
    });
    const status = (await res.json()) as { status: string; success_count: number };
    assert.equal(res.status, 202);
    assert.equal(status.status, 'complete');
    assert.equal(status.success_count, objects.length, JSON.stringify(status));
  }

  /** The whole manifest in one unpaged request: date_added per id, in the hub's order. */
  async function manifest(): Promise<ManifestRecord[]> {
    const r = await getOk<{ more?: boolean; objects?: ManifestRecord[] }>(
      `${hub.url}/api1/collections/${collectionId}/manifest/?limit=1000`,
    );
    assert.notEqual(r.body.more, true);
    return r.body.objects ?? [];
  }

  /** indicators and malware, interleaved (2 of 3 are indicators). */
  function mixed(n: number): StixObject[] {
    const out: StixObject[] = [];
    for (let i = 0; i < n; i++) out.push(i % 3 === 2 ? makeMalware() : makeIndicator());
    return out;
  }

  /** Follows `next` with only the parameters extra() gives besides it, from a first page. */
  async function walk(
    first: string,
    followUp: (next: string) => string,
    maxItems: number,
  ): Promise<{ pages: Envelope[]; items: StixObject[] }> {
    const pages: Envelope[] = [];
    let url: string | null = first;
    while (url !== null) {
      const page: Envelope = (await getOk<Envelope>(url)).body;
      pages.push(page);
      assert.ok(pages.length <= 100, 'the walk does not end');
      const n = page.objects?.length ?? 0;
      assert.ok(n <= maxItems, `page ${pages.length} has ${n} items (limit ${maxItems})`);
      if (page.more === true) {
        assert.ok(n > 0, `page ${pages.length} is empty but says more`);
        assert.equal(typeof page.next, 'string', `page ${pages.length} has more but no next`);
        url = followUp(page.next as string);
      } else {
        assert.equal(page.next, undefined, 'next given on the last page');
        url = null;
      }
    }
    return { pages, items: pages.flatMap((p) => p.objects ?? []) };
  }

  function assertNoDuplicates(items: StixObject[]): void {
    const keys = items.map(served);
    assert.equal(new Set(keys).size, keys.length, 'an object version was served twice');
  }

  it('Elastic: added_after + match[type] + limit first, then next alone until more is false', async () => {
    await post(mixed(9));
    const cut = (await manifest()).at(-1)?.date_added;
    assert.ok(cut);
    const later: StixObject[] = [];
    for (let b = 0; b < 3; b++) {
      const batch = mixed(10);
      later.push(...batch);
      await post(batch);
    }
    const wanted = later.filter((o) => o.type === 'indicator');
    assert.equal(wanted.length, 21);

    const limit = 4;
    const { pages, items } = await walk(
      objectsUrl(hub.url, { added_after: cut, 'match[type]': 'indicator', limit: String(limit) }),
      (next) => objectsUrl(hub.url, { next }),
      limit,
    );
    assertNoDuplicates(items);
    assert.deepEqual(items.map(served), wanted.map(served));
    assert.equal(pages.length, Math.ceil(wanted.length / limit));
    // The limit was carried by the token: every page but the last is full.
    for (const p of pages.slice(0, -1)) assert.equal(p.objects?.length, limit);
  });

  it('OpenCTI: next plus the original added_after re-sent each time, server page size', async () => {
    await post(mixed(6));
    const cut = (await manifest()).at(-1)?.date_added;
    assert.ok(cut);
    const later = mixed(20);
    await post(later.slice(0, 11));
    await post(later.slice(11));

    const { pages, items } = await walk(
      objectsUrl(hub.url, { added_after: cut }),
      (next) => objectsUrl(hub.url, { added_after: cut, next }),
      PAGE_SIZE,
    );
    assertNoDuplicates(items);
    assert.deepEqual(items.map(served), later.map(served));
    assert.equal(pages.length, Math.ceil(later.length / PAGE_SIZE));
  });

  it('Sentinel: Basic auth, UUIDv4 collection, polls by X-TAXII-Date-Added-Last without next', async () => {
    const unauthenticated = await get<unknown>(`${hub.url}/api1/collections/`, null);
    assert.equal(unauthenticated.status, 401);
    assert.match(unauthenticated.headers.get('www-authenticate') ?? '', /^Basic /);
    const cols = await getOk<{ collections: { id: string; can_read: boolean }[] }>(
      `${hub.url}/api1/collections/`,
    );
    assert.deepEqual(
      cols.body.collections.map((c) => c.id),
      [collectionId],
    );
    assert.match(collectionId, UUID_V4);

    const lookback = new Date(Date.now() - 3_600_000).toISOString();
    const first = mixed(17);
    await post(first.slice(0, 8));
    await post(first.slice(8));
    const dates = new Map((await manifest()).map((m) => [m.id, m.date_added]));

    /** Polls until an empty answer; returns the items and the added_after to poll from next. */
    const poll = async (from: string): Promise<{ items: StixObject[]; from: string; polls: number }> => {
      const items: StixObject[] = [];
      let polls = 0;
      for (;;) {
        polls++;
        assert.ok(polls <= 100, 'polling does not end');
        const r = await getOk<Envelope>(objectsUrl(hub.url, { added_after: from }));
        const objs = r.body.objects ?? [];
        if (objs.length === 0) return { items, from, polls };
        assert.ok(objs.length <= PAGE_SIZE);
        const firstHeader = r.headers.get('x-taxii-date-added-first');
        const lastHeader = r.headers.get('x-taxii-date-added-last');
        // The headers are the date_added of the first and last object served.
        assert.equal(firstHeader, dates.get((objs[0] as StixObject).id));
        assert.equal(lastHeader, dates.get((objs.at(-1) as StixObject).id));
        items.push(...objs);
        from = lastHeader as string;
      }
    };

    const round1 = await poll(lookback);
    assertNoDuplicates(round1.items);
    assert.deepEqual(round1.items.map(served), first.map(served));
    assert.equal(round1.polls, Math.ceil(first.length / PAGE_SIZE) + 1);

    // The next scheduled poll, from the last header seen, gets exactly what was added since.
    const second = mixed(4);
    await post(second);
    for (const m of await manifest()) dates.set(m.id, m.date_added);
    const round2 = await poll(round1.from);
    assert.deepEqual(round2.items.map(served), second.map(served));
  });

  it('a next issued by one hub instance is honoured by a second instance over the same store', async function () {
    if (!sharesUrl(hub.storeUrl)) {
      console.log(`      skipped: ${hub.storeUrl} cannot be opened by a second instance`);
      this.skip();
    }
    const all = mixed(14);
    await post(all);
    const store2 = await openStore(hub.storeUrl);
    const second = await listen(store2);
    try {
      // Alternate instances page by page: A, B, A, ...
      const bases = [hub.url, second.url];
      let turn = 0;
      const { items } = await walk(
        objectsUrl(hub.url, { limit: '4' }),
        (next) => objectsUrl(bases[++turn % 2] as string, { next }),
        4,
      );
      assert.ok(turn >= 2, 'both instances served pages');
      assertNoDuplicates(items);
      assert.deepEqual(items.map(served), all.map(served));

      // The token is authenticated: a damaged one is refused by either instance.
      const page = (await getOk<Envelope>(objectsUrl(second.url, { limit: '4' }))).body;
      assert.equal(typeof page.next, 'string');
      const token = page.next as string;
      const damaged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      for (const base of bases) {
        const r = await get<{ http_status: string }>(objectsUrl(base, { next: damaged }));
        assert.equal(r.status, 400);
        assert.equal(r.body.http_status, '400');
      }
    } finally {
      await second.close();
      await store2.close();
    }
  });

  it('a next stays valid after the hub restarts over the same store', async function () {
    if (!sharesUrl(hub.storeUrl)) {
      console.log(`      skipped: ${hub.storeUrl} does not survive a restart`);
      this.skip();
    }
    const all = mixed(12);
    await post(all);
    const page1 = (await getOk<Envelope>(objectsUrl(hub.url, { limit: '5' }))).body;
    assert.equal(page1.more, true);
    const next = page1.next as string;

    // Stop the hub completely (server and store), then start a new one on the same data.
    hub.server.closeAllConnections();
    await new Promise<void>((resolve) => hub.server.close(() => resolve()));
    await hub.stores.close();
    const store2 = await openStore(hub.storeUrl);
    const restarted = await listen(store2);
    try {
      const { items } = await walk(
        objectsUrl(restarted.url, { next }),
        (n) => objectsUrl(restarted.url, { next: n }),
        5,
      );
      const walked = [...(page1.objects ?? []), ...items];
      assertNoDuplicates(walked);
      assert.deepEqual(walked.map(served), all.map(served));
    } finally {
      await restarted.close();
      await store2.close();
    }
  });

  it('objects posted while a client pages appear later in its walk, never skipped', async () => {
    const before = mixed(12);
    await post(before);
    const page1 = (await getOk<Envelope>(objectsUrl(hub.url, { limit: '5' }))).body;
    assert.deepEqual((page1.objects ?? []).map(served), before.slice(0, 5).map(served));

    // Meanwhile: new objects, a newer version of one already served (before[0]) and of one not
    // yet served (before[9]).
    const added = mixed(3);
    const newer0 = withModified(before[0] as StixObject, '2025-03-01T00:00:00.000Z');
    const newer9 = withModified(before[9] as StixObject, '2025-03-01T00:00:00.000Z');
    await post([...added, newer0, newer9]);

    const { items } = await walk(
      objectsUrl(hub.url, { next: page1.next as string }),
      (next) => objectsUrl(hub.url, { next }),
      5,
    );
    const walked = [...(page1.objects ?? []), ...items];
    assertNoDuplicates(walked);
    // Every object reaches the client, each ending on its latest version: before[9]'s old version
    // is no longer the latest when the walk reaches it, and its new one comes at the end.
    const expected = [...before.slice(0, 9), ...before.slice(10), ...added, newer0, newer9];
    assert.deepEqual(walked.map(served), expected.map(served));
    const ids = new Set(walked.map((o) => o.id));
    for (const o of [...before, ...added]) assert.ok(ids.has(o.id), `${o.id} was skipped`);
  });

  /** Another hub instance (createApp) over `stores`, listening on an ephemeral loopback port. */
  async function listen(stores: Stores): Promise<{ url: string; close(): Promise<void> }> {
    const app = await createApp({
      config: hub.config,
      stores,
      logger: createLogger('silent'),
      validate: stixValidator(hub.config.strictValidation),
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }
});
