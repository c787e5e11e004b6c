/**
 * Checklist §11 cases 36–60: match[version], match[type], match[id], match[spec_version], unknown
 * match fields and added_after.
 *
 * Tessera stores STIX 2.1 only (a 2.0 object fails at POST, see post.test.ts), so there is no
 * object "D" stored in both versions: cases 52–54 become "2.0 → empty; no parameter, 2.1 and
 * 2.0,2.1 → the 2.1 object".
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
  type Envelope,
  ids,
  micros,
  nth,
  qs,
  ts6,
  type World,
} from './fixture';

describe('TAXII HTTP: filters (§11 #36–#60)', function () {
  let w: World;
  const objects = (query: [string, string][]) => w.alice.get<Envelope>(col(w.RW, `objects/${qs(query)}`));
  const I = () => w.I.v1.id;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  // ------------------------------------------------------------------ match[version]

  it('#36 match[id]=I → exactly one I, modified = v3 (default last)', async function () {
    const body = assertOk(await objects([['match[id]', I()]]));
    assert.equal(body.objects?.length, 1);
    assert.equal(nth(body.objects, 0).modified, w.I.v3.modified);
  });

  it('#37 match[id]=I&match[version]=first → modified = v1', async function () {
    const body = assertOk(
      await objects([
        ['match[id]', I()],
        ['match[version]', 'first'],
      ]),
    );
    assert.equal(body.objects?.length, 1);
    assert.equal(nth(body.objects, 0).modified, w.I.v1.modified);
  });

  it('#38 match[id]=I&match[version]=all → 3 objects ascending by date_added', async function () {
    const body = assertOk(
      await objects([
        ['match[id]', I()],
        ['match[version]', 'all'],
      ]),
    );
    assert.deepEqual(
      (body.objects ?? []).map((o) => o.modified),
      [w.I.v1.modified, w.I.v2.modified, w.I.v3.modified],
    );
  });

  it('#39 match[version]=first,last → v1 and v3 only', async function () {
    const body = assertOk(
      await objects([
        ['match[id]', I()],
        ['match[version]', 'first,last'],
      ]),
    );
    assert.deepEqual(
      (body.objects ?? []).map((o) => o.modified),
      [w.I.v1.modified, w.I.v3.modified],
    );
  });

  it('#40 match[version]=<v2> → only v2 of I; objects without that version are absent', async function () {
    const body = assertOk(await objects([['match[version]', String(w.I.v2.modified)]]));
    assert.deepEqual(ids(body), [I()]);
    assert.equal(nth(body.objects, 0).modified, w.I.v2.modified);
  });

  it('#40 match[version] matches the same instant written with another precision', async function () {
    // v2 is 2025-01-01T01:00:00.000Z; the same instant with six digits is the same version.
    const body = assertOk(await objects([['match[version]', '2025-01-01T01:00:00.000000Z']]));
    assert.deepEqual(
      (body.objects ?? []).map((o) => o.modified),
      [w.I.v2.modified],
    );
  });

  it('#41 match[version]=all,first → 400', async function () {
    assertTaxiiError(await objects([['match[version]', 'all,first']]), 400);
  });

  it('#42 match[version]=last,last → 400', async function () {
    assertTaxiiError(await objects([['match[version]', 'last,last']]), 400);
  });

  it('#42 match[version] with a value that is neither keyword nor timestamp → 400', async function () {
    assertTaxiiError(await objects([['match[version]', 'latest']]), 400);
    assertTaxiiError(await objects([['match[version]', '']]), 400);
  });

  it('#43 match[id]=M&match[version]=<M.created> → M', async function () {
    const body = assertOk(
      await objects([
        ['match[id]', w.M.id],
        ['match[version]', String(w.M.created)],
      ]),
    );
    assert.deepEqual(body.objects, [w.M]);
  });

  it('#44 objects/{S}/ with match[version]=first, =last, =all → exactly 1 object each', async function () {
    for (const v of ['first', 'last', 'all']) {
      const body = assertOk(
        await w.alice.get<Envelope>(col(w.RW, `objects/${w.S.id}/${qs([['match[version]', v]])}`)),
      );
      assert.deepEqual(body.objects, [w.S], `match[version]=${v}`);
    }
  });

  // ------------------------------------------------------------------ type, id, combinations

  it('#45 match[type]=indicator,malware → only indicators and malware (OR)', async function () {
    const body = assertOk(await objects([['match[type]', 'indicator,malware']]));
    assert.deepEqual(ids(body), [I(), w.W.id]);
  });

  it('#46 match[type]=indicator&match[id]=I → only I (AND)', async function () {
    const body = assertOk(
      await objects([
        ['match[type]', 'indicator'],
        ['match[id]', I()],
      ]),
    );
    assert.deepEqual(ids(body), [I()]);
    const none = assertOk(
      await objects([
        ['match[type]', 'malware'],
        ['match[id]', I()],
      ]),
    );
    assert.ok(!('objects' in none));
  });

  it('#47 match[type]=indicator,malware&match[id]=<W> → only W', async function () {
    const body = assertOk(
      await objects([
        ['match[type]', 'indicator,malware'],
        ['match[id]', w.W.id],
      ]),
    );
    assert.deepEqual(body.objects, [w.W]);
  });

  it('#48 match[type]=grouping (valid, none stored) → 200 empty envelope, no X-TAXII headers', async function () {
    const res = await objects([['match[type]', 'grouping']]);
    const body = assertOk(res);
    assert.ok(!('objects' in body));
    assertNoDateHeaders(res);
  });

  it('#49 match[type]=x-unknown → 200 empty (recorded: any well-formed type name is accepted)', async function () {
    const body = assertOk(await objects([['match[type]', 'x-unknown']]));
    assert.ok(!('objects' in body));
  });

  it('#49 match[type] that is not a type name (uppercase, empty item) → 400', async function () {
    assertTaxiiError(await objects([['match[type]', 'Indicator']]), 400);
    assertTaxiiError(await objects([['match[type]', 'indicator,']]), 400);
  });

  it('#50 match[id]=A,B → both; match[id]=<absent> → 200 {}', async function () {
    const body = assertOk(await objects([['match[id]', `${w.M.id},${w.W.id}`]]));
    assert.deepEqual(ids(body), [w.M.id, w.W.id]);
    const res = await objects([['match[id]', `indicator--${randomUUID()}`]]);
    const none = assertOk(res);
    assert.deepEqual(none, {});
    assertNoDateHeaders(res);
  });

  it('#51 match[type]=campaign&match[type]=malware → 400; every duplicated parameter → 400', async function () {
    assertTaxiiError(
      await objects([
        ['match[type]', 'campaign'],
        ['match[type]', 'malware'],
      ]),
      400,
    );
    // The same key spelled percent-encoded is still the same parameter.
    const enc = await w.alice.get(col(w.RW, `objects/?match%5Btype%5D=campaign&match[type]=malware`));
    assertTaxiiError(enc, 400);
    for (const [k, v] of [
      ['match[id]', I()],
      ['match[version]', 'all'],
      ['match[spec_version]', '2.1'],
      ['limit', '1'],
    ] as [string, string][]) {
      assertTaxiiError(
        await objects([
          [k, v],
          [k, v],
        ]),
        400,
      );
    }
  });

  it('#52 match[spec_version]=2.0 → empty (Tessera stores 2.1 only)', async function () {
    const res = await objects([['match[spec_version]', '2.0']]);
    const body = assertOk(res);
    assert.ok(!('objects' in body), res.text);
    assertNoDateHeaders(res);
  });

  it('#53 #54 no spec_version parameter, =2.1 and =2.0,2.1 → the 2.1 objects', async function () {
    const expected = [I(), w.M.id, w.S.id, w.W.id];
    assert.deepEqual(ids(assertOk(await objects([]))), expected);
    assert.deepEqual(ids(assertOk(await objects([['match[spec_version]', '2.1']]))), expected);
    assert.deepEqual(ids(assertOk(await objects([['match[spec_version]', '2.0,2.1']]))), expected);
    const m = assertOk(await objects([['match[spec_version]', '2.1']]));
    for (const o of m.objects ?? []) assert.equal(o.spec_version, '2.1');
  });

  it('#52 match[spec_version] that is not a version number → 400', async function () {
    assertTaxiiError(await objects([['match[spec_version]', 'two']]), 400);
  });

  it('#55 match[foo]=bar → 200, ignored', async function () {
    const body = assertOk(await objects([['match[foo]', 'bar']]));
    assert.deepEqual(ids(body), [I(), w.M.id, w.S.id, w.W.id]);
  });

  // ------------------------------------------------------------------ added_after

  it('#56 added_after=<date_added of object k> → k excluded, every item after it', async function () {
    const k = addedOf(w, w.M);
    const res = await objects([
      ['added_after', k],
      ['match[version]', 'all'],
    ]);
    const body = assertOk(res);
    assert.deepEqual(ids(body), [w.S.id, w.W.id]);
    // The headers (date_added of the items) are all strictly after k.
    assert.ok(micros(res.headers['x-taxii-date-added-first'] as string) > micros(k));
    const man = assertOk(
      await w.alice.get<{ objects?: { date_added: string }[] }>(
        col(
          w.RW,
          `manifest/${qs([
            ['added_after', addedOf(w, w.I.v1)],
            ['match[version]', 'all'],
          ])}`,
        ),
      ),
    );
    assert.equal(man.objects?.length, 5);
    for (const r of man.objects ?? []) assert.ok(micros(r.date_added) > micros(addedOf(w, w.I.v1)));
  });

  it('#56 added_after one microsecond before k includes k', async function () {
    const k = addedOf(w, w.M);
    const body = assertOk(await objects([['added_after', ts6(micros(k) - 1)]]));
    assert.deepEqual(ids(body), [w.M.id, w.S.id, w.W.id]);
  });

  it('#57 added_after=1970-01-01T00:00:00.000000Z → everything; now + 1 day → 200 {}', async function () {
    assert.deepEqual(ids(assertOk(await objects([['added_after', '1970-01-01T00:00:00.000000Z']]))), [
      I(),
      w.M.id,
      w.S.id,
      w.W.id,
    ]);
    const res = await objects([['added_after', ts6((Date.now() + 86_400_000) * 1000)]]);
    assert.deepEqual(assertOk(res), {});
    assertNoDateHeaders(res);
  });

  it('#58 added_after=yesterday → 400; other unparseable values → 400', async function () {
    for (const v of [
      'yesterday',
      '',
      '2016-13-01T00:00:00Z',
      '2016-11-03',
      '2016-11-03T12:30:59',
      '1478176259',
    ]) {
      assertTaxiiError(await objects([['added_after', v]]), 400);
    }
  });

  it('#59 added_after given twice → 400', async function () {
    assertTaxiiError(
      await objects([
        ['added_after', '2016-11-03T12:30:59.000000Z'],
        ['added_after', '2017-11-03T12:30:59.000000Z'],
      ]),
      400,
    );
  });

  it('#60 added_after without fraction, with other precisions and with an offset → accepted and exact', async function () {
    // Whole seconds, no fraction: the same answer as the six-digit form of that second.
    const k = addedOf(w, w.M);
    const us = micros(k);
    const sec = Math.floor(us / 1_000_000);
    const isoSec = new Date(sec * 1000).toISOString().slice(0, 19);
    const expectedAfterSec = ids(assertOk(await objects([['added_after', ts6(sec * 1_000_000)]])));
    assert.deepEqual(ids(assertOk(await objects([['added_after', `${isoSec}Z`]]))), expectedAfterSec);
    // The exact instant of k with nine fractional digits (truncated to microseconds): k excluded.
    const frac6 = k.slice(20, 26);
    assert.deepEqual(ids(assertOk(await objects([['added_after', `${isoSec}.${frac6}999Z`]]))), [
      w.S.id,
      w.W.id,
    ]);
    // The same instant as +01:00 local time.
    const plusOne = new Date(sec * 1000 + 3_600_000).toISOString().slice(0, 19);
    assert.deepEqual(ids(assertOk(await objects([['added_after', `${plusOne}.${frac6}+01:00`]]))), [
      w.S.id,
      w.W.id,
    ]);
    const minusTwo = new Date(sec * 1000 - 7_200_000).toISOString().slice(0, 19);
    assert.deepEqual(ids(assertOk(await objects([['added_after', `${minusTwo}.${frac6}-02:00`]]))), [
      w.S.id,
      w.W.id,
    ]);
    // The checklist's literal examples: accepted, never 500.
    assertOk(await objects([['added_after', '2016-11-03T12:30:59Z']]));
    assertOk(await objects([['added_after', '2016-11-03T12:30:59+01:00']]));
  });
});
