/**
 * Checklist §11 cases 74–78: the versions endpoint.
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
  qs,
  TS6,
  type Versions,
  type World,
} from './fixture';

describe('TAXII HTTP: versions (§11 #74–#78)', function () {
  let w: World;
  const versions = (id: string, query: [string, string][] = [], collection?: string) =>
    w.alice.get<Versions>(col(collection ?? w.RW, `objects/${id}/versions/${qs(query)}`));
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  it('#74 versions of I → [v1, v2, v3] in date_added order, each = modified; TS6 headers', async function () {
    const res = await versions(w.I.v1.id);
    const body = assertOk(res);
    assert.deepEqual(body, { versions: [w.I.v1.modified, w.I.v2.modified, w.I.v3.modified] });
    const h = dateHeaders(res);
    assert.match(h.first ?? '', TS6);
    assert.match(h.last ?? '', TS6);
    assert.equal(h.first, addedOf(w, w.I.v1));
    assert.equal(h.last, addedOf(w, w.I.v3));
  });

  it('#75 versions of M → [M.created]; of S → one non-empty version', async function () {
    assert.deepEqual(assertOk(await versions(w.M.id)), { versions: [w.M.created] });
    const s = assertOk(await versions(w.S.id));
    assert.equal(s.versions?.length, 1);
    assert.ok((s.versions?.[0] ?? '').length > 0);
  });

  it('#76 versions of an absent id → 404; of an id only in another collection → 404', async function () {
    assertTaxiiError(await versions(`indicator--${randomUUID()}`), 404);
    assertTaxiiError(await versions(w.R.id), 404);
  });

  it('#77 versions?limit=2 → 2, more: true; then added_after=<X-TAXII-Date-Added-Last> → v3', async function () {
    const res = await versions(w.I.v1.id, [['limit', '2']]);
    const body = assertOk(res);
    assert.deepEqual(body.versions, [w.I.v1.modified, w.I.v2.modified]);
    assert.equal(body.more, true);
    const last = dateHeaders(res).last as string;
    assert.equal(last, addedOf(w, w.I.v2));
    const rest = assertOk(await versions(w.I.v1.id, [['added_after', last]]));
    assert.deepEqual(rest.versions, [w.I.v3.modified]);
    assert.notEqual(rest.more, true);
  });

  it('#78 versions of a 2.1-only object with match[spec_version]=2.0 → 200 {} without headers', async function () {
    const res = await versions(w.I.v1.id, [['match[spec_version]', '2.0']]);
    assert.deepEqual(assertOk(res), {});
    assertNoDateHeaders(res);
    assert.equal(assertOk(await versions(w.I.v1.id, [['match[spec_version]', '2.1']])).versions?.length, 3);
  });

  it('versions: match[version] is not a parameter of this endpoint (ignored), duplicates → 400', async function () {
    const body = assertOk(await versions(w.I.v1.id, [['match[version]', 'first']]));
    assert.equal(body.versions?.length, 3);
    assertTaxiiError(
      await versions(w.I.v1.id, [
        ['limit', '1'],
        ['limit', '2'],
      ]),
      400,
    );
  });

  it('versions on WO → 403; on NN → 404; on X → 404', async function () {
    assertTaxiiError(await versions(w.I.v1.id, [], w.WO), 403);
    assertTaxiiError(await versions(w.I.v1.id, [], w.NN), 404);
    assertTaxiiError(await versions(w.I.v1.id, [], w.X), 404);
  });
});
