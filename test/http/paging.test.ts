/**
 * Checklist §11 cases 61–69 and 71: limit, more, next, and paging by X-TAXII-Date-Added-Last;
 * also the page-size cap (TESSERA_MAX_PAGE_SIZE), `next` on every paged endpoint, `next` sent
 * alone, and forged or misplaced `next` values.
 */
import assert from 'node:assert/strict';
import { makeIndicator, makeMalware, type StixObject } from '../helpers/stix';
import {
  addedOf,
  assertOk,
  assertTaxiiError,
  buildWorld,
  col,
  dateHeaders,
  type Envelope,
  ids,
  type Manifest,
  micros,
  nth,
  postAll,
  qs,
  type Reply,
  TS6,
  type Versions,
  type World,
} from './fixture';

const MAX_PAGE = 100;

/** Type checks of #69 on any paged body. */
function checkPaging(body: { more?: unknown; next?: unknown }, text: string): void {
  if ('more' in body) assert.equal(typeof body.more, 'boolean', `more is a boolean: ${text.slice(0, 200)}`);
  if ('next' in body) {
    assert.equal(typeof body.next, 'string', 'next is a string');
    assert.equal(body.more, true, 'next only with more: true');
  }
  if (body.more === true) assert.equal(typeof body.next, 'string', 'more: true comes with next');
}

describe('TAXII HTTP: paging (§11 #61–#69, #71)', function () {
  let w: World;
  let P5: string;
  let P250: string;
  const p5: StixObject[] = [];
  const p250: StixObject[] = [];
  const get = <T>(collection: string, rest: string, query: [string, string][] = []) =>
    w.alice.get<T>(col(collection, `${rest}${qs(query)}`));

  before(async function () {
    this.timeout(120_000);
    w = await buildWorld({ env: { TESSERA_MAX_PAGE_SIZE: String(MAX_PAGE), TESSERA_PAGE_SIZE: '50' } });
    const grants = [{ group: 'analysts', read: true, write: true }];
    P5 = (await w.hub.addCollection({ title: 'P5', grants })).id;
    P250 = (await w.hub.addCollection({ title: 'P250', grants })).id;
    for (let i = 0; i < 5; i++) {
      const o = makeIndicator();
      p5.push(o);
      await postAll(w.alice, P5, [o]);
    }
    for (let i = 0; i < 250; i++) p250.push(i % 2 === 0 ? makeIndicator() : makeMalware());
    for (let i = 0; i < 250; i += 50) await postAll(w.alice, P250, p250.slice(i, i + 50));
  });
  after(async function () {
    await w?.hub.close();
  });

  /** Follow `next` from a first request; returns every page. */
  async function follow<T extends { more?: boolean; next?: string }>(
    collection: string,
    rest: string,
    first: [string, string][],
    nextQuery: (next: string) => [string, string][],
  ): Promise<Reply<T>[]> {
    const pages: Reply<T>[] = [];
    let res = await get<T>(collection, rest, first);
    for (let guard = 0; guard < 400; guard++) {
      const body = assertOk(res);
      checkPaging(body, res.text);
      pages.push(res);
      if (body.more !== true) return pages;
      res = await get<T>(collection, rest, nextQuery(body.next as string));
    }
    assert.fail('paging did not end');
  }

  it('#61 limit=2 on 5 objects → the oldest two, more: true, headers of those two', async function () {
    const res = await get<Envelope>(P5, 'objects/', [['limit', '2']]);
    const body = assertOk(res);
    assert.deepEqual(ids(body), [nth(p5, 0).id, nth(p5, 1).id]);
    assert.equal(body.more, true);
    assert.equal(typeof body.next, 'string');
    const man = assertOk(await get<Manifest>(P5, 'manifest/'));
    const h = dateHeaders(res);
    assert.equal(h.first, nth(man.objects, 0).date_added);
    assert.equal(h.last, nth(man.objects, 1).date_added);
  });

  it('#62 limit=0, -1, abc, 1.5 (and empty) → 400 each', async function () {
    for (const v of ['0', '-1', 'abc', '1.5', '', '1e2']) {
      assertTaxiiError(await get(P5, 'objects/', [['limit', v]]), 400);
    }
  });

  it('#63 limit=1000000 → clamped to TESSERA_MAX_PAGE_SIZE, more: true', async function () {
    for (const rest of ['objects/', 'manifest/']) {
      const res = await get<Envelope>(P250, rest, [['limit', '1000000']]);
      const body = assertOk(res);
      assert.equal(body.objects?.length, MAX_PAGE, rest);
      assert.equal(body.more, true, rest);
      checkPaging(body, res.text);
    }
    // A limit just above the cap is clamped too, and the default page size applies without limit.
    assert.equal(
      assertOk(await get<Envelope>(P250, 'objects/', [['limit', String(MAX_PAGE + 1)]])).objects?.length,
      MAX_PAGE,
    );
    assert.equal(assertOk(await get<Envelope>(P250, 'objects/')).objects?.length, 50);
  });

  it('#64 limit=<total> → all objects, more absent or false, no next', async function () {
    const res = await get<Envelope>(P5, 'objects/', [['limit', '5']]);
    const body = assertOk(res);
    assert.deepEqual(
      ids(body),
      p5.map((o) => o.id),
    );
    assert.notEqual(body.more, true);
    assert.ok(!('next' in body));
    checkPaging(body, res.text);
  });

  it('#65 #69 following next with identical filters → the unpaginated result, no duplicates, in order', async function () {
    const filters: [string, string][] = [
      ['match[type]', 'malware'],
      ['limit', '20'],
    ];
    const pages = await follow<Envelope>(P250, 'objects/', filters, (next) => [...filters, ['next', next]]);
    const union = pages.flatMap((p) => ids(p.body));
    const malware = p250.filter((o) => o.type === 'malware').map((o) => o.id);
    assert.equal(pages.length, Math.ceil(malware.length / 20));
    assert.equal(new Set(union).size, union.length, 'no duplicates');
    assert.deepEqual([...union].sort(), [...malware].sort());
    // In order: every page starts after the previous one ended.
    for (let i = 1; i < pages.length; i++) {
      const prev = dateHeaders(nth(pages, i - 1)).last as string;
      const cur = dateHeaders(nth(pages, i)).first as string;
      assert.ok(micros(cur) > micros(prev), `page ${i} starts after page ${i - 1}`);
    }
    // The same as the unpaginated answer (125 malware fit in one page of the cap).
    const whole = assertOk(
      await get<Envelope>(P250, 'objects/', [
        ['match[type]', 'malware'],
        ['limit', String(MAX_PAGE)],
      ]),
    );
    assert.deepEqual(union.slice(0, MAX_PAGE), ids(whole));
  });

  it('next sent alone (no filters) continues with the original filters and limit', async function () {
    const pages = await follow<Envelope>(
      P250,
      'objects/',
      [
        ['match[type]', 'malware'],
        ['limit', '30'],
      ],
      (next) => [['next', next]],
    );
    const union = pages.flatMap((p) => ids(p.body));
    assert.equal(union.length, 125);
    assert.equal(new Set(union).size, 125);
    for (const p of pages.slice(0, -1)) assert.equal(p.body.objects?.length, 30, 'original limit kept');
    for (const p of pages) for (const o of p.body.objects ?? []) assert.equal(o.type, 'malware');
  });

  it('#66 paging with added_after = X-TAXII-Date-Added-Last over 250 objects never skips or repeats', async function () {
    const union: string[] = [];
    let after: string | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const q: [string, string][] = [['limit', '40']];
      if (after !== undefined) q.push(['added_after', after]);
      const res = await get<Envelope>(P250, 'objects/', q);
      const body = assertOk(res);
      const page = ids(body);
      if (page.length === 0) break;
      union.push(...page);
      const last = dateHeaders(res).last;
      assert.match(last ?? '', TS6);
      if (after !== undefined) assert.ok(micros(dateHeaders(res).first as string) > micros(after));
      after = last;
    }
    assert.equal(union.length, 250);
    assert.equal(new Set(union).size, 250);
    assert.deepEqual([...union].sort(), p250.map((o) => o.id).sort());
  });

  it('date_added values are unique and strictly increasing (manifest of 250 objects in envelopes of 50)', async function () {
    const pages = await follow<Manifest>(P250, 'manifest/', [['limit', '100']], (next) => [['next', next]]);
    const recs = pages.flatMap((p) => p.body.objects ?? []);
    assert.equal(recs.length, 250);
    for (let i = 1; i < recs.length; i++) {
      assert.ok(
        micros(nth(recs, i).date_added) > micros(nth(recs, i - 1).date_added),
        `date_added[${i}] ${nth(recs, i).date_added} > ${nth(recs, i - 1).date_added}`,
      );
    }
    // Within one envelope, the objects are added in envelope order.
    assert.deepEqual(
      recs.map((r) => r.id),
      p250.map((o) => o.id),
    );
  });

  it('date_added stays unique and increasing under concurrent POSTs; paging sees every object once', async function () {
    const C = (
      await w.hub.addCollection({ title: 'C', grants: [{ group: 'analysts', read: true, write: true }] })
    ).id;
    const batches: StixObject[][] = [];
    for (let b = 0; b < 10; b++) batches.push(Array.from({ length: 10 }, () => makeIndicator()));
    await Promise.all(batches.map((batch) => postAll(w.alice, C, batch)));
    const pages = await follow<Manifest>(C, 'manifest/', [['limit', '7']], (next) => [['next', next]]);
    const recs = pages.flatMap((p) => p.body.objects ?? []);
    assert.equal(recs.length, 100);
    assert.equal(new Set(recs.map((r) => r.id)).size, 100);
    for (let i = 1; i < recs.length; i++) {
      assert.ok(micros(nth(recs, i).date_added) > micros(nth(recs, i - 1).date_added), `date_added[${i}]`);
    }
  });

  it('#67 next=garbage → 400; a tampered or truncated token → 400', async function () {
    assertTaxiiError(await get(P250, 'objects/', [['next', 'garbage']]), 400);
    const body = assertOk(await get<Envelope>(P250, 'objects/', [['limit', '10']]));
    const token = body.next as string;
    const [payload, mac] = token.split('.') as [string, string];
    // Tampered payload (jump far ahead) with the original signature.
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: number };
    state.p = 0;
    const forged = `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${mac}`;
    for (const bad of [forged, payload, `${payload}.`, `${payload}.${mac.slice(0, -2)}`, `x${token}`]) {
      const res = await get(P250, 'objects/', [['next', bad]]);
      assertTaxiiError(res, 400);
    }
  });

  it('#68 a valid next used on another collection, endpoint or object → 400', async function () {
    const body = assertOk(await get<Envelope>(P250, 'objects/', [['limit', '10']]));
    const token = body.next as string;
    assertTaxiiError(await get(P5, 'objects/', [['next', token]]), 400);
    assertTaxiiError(await get(w.RW, 'objects/', [['next', token]]), 400);
    assertTaxiiError(await get(P250, 'manifest/', [['next', token]]), 400);
    const one = assertOk(
      await get<Envelope>(w.RW, `objects/${w.I.v1.id}/`, [
        ['match[version]', 'all'],
        ['limit', '1'],
      ]),
    );
    assertTaxiiError(await get(w.RW, `objects/${w.W.id}/`, [['next', one.next as string]]), 400);
    assertTaxiiError(await get(w.RW, `objects/${w.I.v1.id}/versions/`, [['next', one.next as string]]), 400);
  });

  it("#68 a valid next with another member's credentials: no access → 404, same access → re-evaluated", async function () {
    const body = assertOk(await get<Envelope>(P250, 'objects/', [['limit', '10']]));
    const token = body.next as string;
    const carol = await w.carol.get(col(P250, `objects/${qs([['next', token]])}`));
    assertTaxiiError(carol, 404);
    assert.ok(!carol.text.includes('indicator--') && !carol.text.includes('malware--'));
    const bob = assertOk(await w.bob.get<Envelope>(col(P250, `objects/${qs([['next', token]])}`)));
    const alice = assertOk(await get<Envelope>(P250, 'objects/', [['next', token]]));
    assert.deepEqual(ids(bob), ids(alice));
    assert.deepEqual(
      ids(alice),
      p250.slice(10, 20).map((o) => o.id),
    );
  });

  it("#68 a valid next with changed filters → the new filters apply from the token's position", async function () {
    const body = assertOk(
      await get<Envelope>(P250, 'objects/', [
        ['match[type]', 'malware'],
        ['limit', '10'],
      ]),
    );
    const res = assertOk(
      await get<Envelope>(P250, 'objects/', [
        ['match[type]', 'indicator'],
        ['limit', '10'],
        ['next', body.next as string],
      ]),
    );
    for (const o of res.objects ?? []) assert.equal(o.type, 'indicator');
    // The token's position is after the 10th malware, i.e. after p250[19].
    assert.deepEqual(
      ids(res),
      p250
        .slice(20)
        .filter((o) => o.type === 'indicator')
        .slice(0, 10)
        .map((o) => o.id),
    );
  });

  it('next appears on manifest pages and versions pages when more: true, and continues them', async function () {
    const m1 = assertOk(await get<Manifest>(P5, 'manifest/', [['limit', '3']]));
    assert.equal(m1.more, true);
    assert.equal(typeof m1.next, 'string');
    const m2 = assertOk(await get<Manifest>(P5, 'manifest/', [['next', m1.next as string]]));
    assert.deepEqual(
      [...(m1.objects ?? []), ...(m2.objects ?? [])].map((r) => r.id),
      p5.map((o) => o.id),
    );
    assert.notEqual(m2.more, true);

    const v1 = assertOk(await get<Versions>(w.RW, `objects/${w.I.v1.id}/versions/`, [['limit', '2']]));
    assert.deepEqual(v1.versions, [w.I.v1.modified, w.I.v2.modified]);
    assert.equal(v1.more, true);
    assert.equal(typeof v1.next, 'string');
    const v2 = assertOk(
      await get<Versions>(w.RW, `objects/${w.I.v1.id}/versions/`, [['next', v1.next as string]]),
    );
    assert.deepEqual(v2.versions, [w.I.v3.modified]);
    assert.notEqual(v2.more, true);
    assert.ok(!('next' in v2));
  });

  it('#71 objects/{I}/?match[version]=all&limit=1 → v1 with more: true; next gives v2, then v3', async function () {
    const path = `objects/${w.I.v1.id}/`;
    const r1 = await get<Envelope>(w.RW, path, [
      ['match[version]', 'all'],
      ['limit', '1'],
    ]);
    const b1 = assertOk(r1);
    assert.deepEqual(b1.objects, [w.I.v1]);
    assert.equal(b1.more, true);
    const b2 = assertOk(await get<Envelope>(w.RW, path, [['next', b1.next as string]]));
    assert.deepEqual(b2.objects, [w.I.v2]);
    assert.equal(b2.more, true);
    const b3 = assertOk(await get<Envelope>(w.RW, path, [['next', b2.next as string]]));
    assert.deepEqual(b3.objects, [w.I.v3]);
    assert.notEqual(b3.more, true);
    // The same through added_after = X-TAXII-Date-Added-Last.
    const a2 = await get<Envelope>(w.RW, path, [
      ['match[version]', 'all'],
      ['limit', '1'],
      ['added_after', dateHeaders(r1).last as string],
    ]);
    assert.deepEqual(assertOk(a2).objects, [w.I.v2]);
    assert.equal(dateHeaders(a2).first, addedOf(w, w.I.v2));
  });
});
