/**
 * Checklist §11 cases 23–30: the manifest endpoint.
 */
import assert from 'node:assert/strict';
import {
  addedOf,
  assertOk,
  assertTaxiiError,
  buildWorld,
  col,
  dateHeaders,
  type Manifest,
  nth,
  qs,
  STIX21,
  TAXII,
  TS6,
  type CollectionResource,
  type World,
} from './fixture';

describe('TAXII HTTP: manifest (§11 #23–#30)', function () {
  let w: World;
  const manifest = (query: [string, string][] = []) =>
    w.alice.get<Manifest>(col(w.RW, `manifest/${qs(query)}`));
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  it('#23 manifest → TS6 X-TAXII-Date-Added-First/Last, records ascending, headers = first/last record', async function () {
    const res = await manifest();
    const body = assertOk(res);
    const recs = body.objects ?? [];
    // Latest versions of I, M, S, W.
    assert.deepEqual(
      recs.map((r) => r.id),
      [w.I.v3.id, w.M.id, w.S.id, w.W.id],
    );
    const h = dateHeaders(res);
    assert.match(h.first ?? '', TS6);
    assert.match(h.last ?? '', TS6);
    const dates = recs.map((r) => r.date_added);
    assert.deepEqual(dates, [...dates].sort());
    assert.equal(new Set(dates).size, dates.length);
    assert.equal(h.first, nth(recs, 0).date_added);
    assert.equal(h.last, nth(recs, recs.length - 1).date_added);
  });

  it("#24 each record has id, TS6 date_added, string version, media_type among the collection's", async function () {
    const c = assertOk(await w.alice.get<CollectionResource>(col(w.RW)));
    const body = assertOk(await manifest([['match[version]', 'all']]));
    assert.equal(body.objects?.length, 6);
    for (const r of body.objects ?? []) {
      assert.equal(typeof r.id, 'string');
      assert.match(r.date_added, TS6);
      assert.equal(typeof r.version, 'string');
      assert.ok(r.version.length > 0);
      if (r.media_type !== undefined) {
        assert.ok(c.media_types?.includes(r.media_type), `media_type ${r.media_type}`);
        assert.equal(r.media_type, STIX21);
      }
    }
  });

  it('#25 match[id]=I → one record, version = v3', async function () {
    const body = assertOk(await manifest([['match[id]', w.I.v1.id]]));
    assert.equal(body.objects?.length, 1);
    assert.equal(nth(body.objects, 0).version, w.I.v3.modified);
    assert.equal(nth(body.objects, 0).date_added, addedOf(w, w.I.v3));
  });

  it('#26 match[id]=I&match[version]=all → 3 records, one per version, in date_added order', async function () {
    const body = assertOk(
      await manifest([
        ['match[id]', w.I.v1.id],
        ['match[version]', 'all'],
      ]),
    );
    assert.deepEqual(
      (body.objects ?? []).map((r) => r.version),
      [w.I.v1.modified, w.I.v2.modified, w.I.v3.modified],
    );
  });

  it('#27 match[id]=M → version = M.created; match[id]=S twice → the same version', async function () {
    const m = assertOk(await manifest([['match[id]', w.M.id]]));
    assert.equal(m.objects?.length, 1);
    assert.equal(nth(m.objects, 0).version, w.M.created);
    const s1 = assertOk(await manifest([['match[id]', w.S.id]]));
    const s2 = assertOk(await manifest([['match[id]', w.S.id]]));
    assert.equal(s1.objects?.length, 1);
    const v = nth(s1.objects, 0).version;
    assert.equal(typeof v, 'string');
    assert.ok(v.length > 0);
    assert.equal(nth(s2.objects, 0).version, v);
  });

  it('#28 match[type]=indicator → only indicator ids', async function () {
    const body = assertOk(await manifest([['match[type]', 'indicator']]));
    assert.deepEqual(
      (body.objects ?? []).map((r) => r.id),
      [w.I.v1.id],
    );
    const all = assertOk(
      await manifest([
        ['match[type]', 'indicator'],
        ['match[version]', 'all'],
      ]),
    );
    assert.equal(all.objects?.length, 3);
    for (const r of all.objects ?? []) assert.ok(r.id.startsWith('indicator--'));
  });

  it('#29 Accept: TAXII 2.1 together with STIX 2.1 → 200, not 406', async function () {
    assertOk(await w.alice.get(col(w.RW, 'manifest/'), { Accept: `${TAXII},${STIX21}` }));
  });

  it('#30 manifest of WO (write only) → 403; of NN → 404; of X → 404', async function () {
    assertTaxiiError(await w.alice.get(col(w.WO, 'manifest/')), 403);
    assertTaxiiError(await w.alice.get(col(w.NN, 'manifest/')), 404);
    assertTaxiiError(await w.alice.get(col(w.X, 'manifest/')), 404);
  });

  it('manifest of an empty collection → 200 without objects and without X-TAXII headers', async function () {
    const res = await w.alice.get<Manifest>(col(w.EMPTY, 'manifest/'));
    const body = assertOk(res);
    assert.ok(!('objects' in body), res.text);
    assert.equal(dateHeaders(res).first, undefined);
    assert.equal(dateHeaders(res).last, undefined);
  });
});
