/**
 * Checklist §11 cases 31–35 (Get Objects: basics and permissions) and 70, 72, 73 (Get an Object).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  addedOf,
  assertNoDateHeaders,
  assertOk,
  assertTaxiiError,
  buildWorld,
  col,
  dateHeaders,
  type Envelope,
  ids,
  micros,
  nth,
  qs,
  TAXII,
  TS6,
  type World,
} from './fixture';

describe('TAXII HTTP: get objects and get an object (§11 #31–#35, #70, #72, #73)', function () {
  let w: World;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  it('#31 objects/ → 200, TAXII (not STIX) Content-Type, ascending by date_added, headers bracket the page', async function () {
    const res = await w.alice.get<Envelope>(col(w.RW, 'objects/'));
    const body = assertOk(res);
    assert.equal(res.headers['content-type'], TAXII);
    assert.deepEqual(ids(body), [w.I.v3.id, w.M.id, w.S.id, w.W.id]);
    const h = dateHeaders(res);
    assert.match(h.first ?? '', TS6);
    assert.match(h.last ?? '', TS6);
    assert.equal(h.first, addedOf(w, w.I.v3));
    assert.equal(h.last, addedOf(w, w.W));
    const adds = [w.I.v3, w.M, w.S, w.W].map((o) => micros(addedOf(w, o)));
    for (let i = 1; i < adds.length; i++) assert.ok(nth(adds, i) > nth(adds, i - 1), 'ascending');
    // Objects are served as stored.
    assert.deepEqual(nth(body.objects, 0), w.I.v3);
    assert.deepEqual(nth(body.objects, 1), w.M);
    assert.deepEqual(nth(body.objects, 2), w.S);
  });

  it('#32 objects/ of an empty collection → 200 without objects key; X-TAXII headers omitted', async function () {
    const res = await w.alice.get<Envelope>(col(w.EMPTY, 'objects/'));
    const body = assertOk(res);
    assert.ok(!('objects' in body), res.text);
    assert.notEqual(body.more, true);
    assertNoDateHeaders(res);
  });

  it('#33 objects/ of WO (write only) → 403', async function () {
    assertTaxiiError(await w.alice.get(col(w.WO, 'objects/')), 403);
  });

  it('#34 objects/ of NN → 404; of X → 404', async function () {
    assertTaxiiError(await w.alice.get(col(w.NN, 'objects/')), 404);
    assertTaxiiError(await w.alice.get(col(w.X, 'objects/')), 404);
  });

  it('#34 objects/ of RO (read only) → 200 with its content', async function () {
    assert.deepEqual(ids(assertOk(await w.alice.get<Envelope>(col(w.RO, 'objects/')))), [w.R.id]);
  });

  it('#70 objects/{I}/ → 200, exactly one object (v3), X-TAXII headers present', async function () {
    const res = await w.alice.get<Envelope>(col(w.RW, `objects/${w.I.v1.id}/`));
    const body = assertOk(res);
    assert.equal(body.objects?.length, 1);
    assert.deepEqual(nth(body.objects, 0), w.I.v3);
    const h = dateHeaders(res);
    assert.equal(h.first, addedOf(w, w.I.v3));
    assert.equal(h.last, addedOf(w, w.I.v3));
  });

  it('#72 objects/{absent id}/ → 404', async function () {
    assertTaxiiError(await w.alice.get(col(w.RW, `objects/indicator--${randomUUID()}/`)), 404);
  });

  it('#72 objects/{id stored only in another collection}/ → 404', async function () {
    assertTaxiiError(await w.alice.get(col(w.RW, `objects/${w.R.id}/`)), 404);
    assertTaxiiError(await w.alice.get(col(w.RO, `objects/${w.I.v1.id}/`)), 404);
  });

  it('#72 objects/{not a STIX id}/ → 404 or 400, never 500', async function () {
    const res = await w.alice.get(col(w.RW, 'objects/not-an-id/'));
    assert.ok([400, 404].includes(res.status), `status ${res.status}`);
    assertTaxiiError(res, res.status);
  });

  it('an existing object with a filter that excludes everything → 200 empty envelope, no headers', async function () {
    const cases: [string, string][][] = [
      [['match[version]', '2030-01-01T00:00:00.000Z']],
      [['added_after', '2999-01-01T00:00:00.000000Z']],
      [['match[spec_version]', '2.0']],
    ];
    for (const q of cases) {
      const res = await w.alice.get<Envelope>(col(w.RW, `objects/${w.I.v1.id}/${qs(q)}`));
      const body = assertOk(res);
      assert.ok(!('objects' in body), `${JSON.stringify(q)}: ${res.text}`);
      assertNoDateHeaders(res);
    }
  });

  it('#73 objects/{I}/ on WO → 403; on NN → 404', async function () {
    assertTaxiiError(await w.alice.get(col(w.WO, `objects/${w.I.v1.id}/`)), 403);
    assertTaxiiError(await w.alice.get(col(w.NN, `objects/${w.I.v1.id}/`)), 404);
  });
});
