/**
 * Checklist §11 cases 93–96: Delete an Object. A fresh world per test group, since deletes mutate.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  assertOk,
  assertTaxiiError,
  buildWorld,
  col,
  type Envelope,
  ids,
  type Manifest,
  qs,
  TAXII,
  type Versions,
  type World,
} from './fixture';

describe('TAXII HTTP: delete (§11 #93–#96)', function () {
  let w: World;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  it('#93 DELETE objects/{I}/?match[version]=<v1> → 200; versions = [v2, v3]', async function () {
    const res = await w.alice.delete(
      col(w.RW, `objects/${w.I.v1.id}/${qs([['match[version]', String(w.I.v1.modified)]])}`),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], TAXII);
    const v = assertOk(await w.alice.get<Versions>(col(w.RW, `objects/${w.I.v1.id}/versions/`)));
    assert.deepEqual(v.versions, [w.I.v2.modified, w.I.v3.modified]);
    // first is recomputed: now v2.
    const f = assertOk(await w.alice.get<Envelope>(col(w.RW, `objects/${w.I.v1.id}/?match[version]=first`)));
    assert.deepEqual(f.objects, [w.I.v2]);
    // Deleting the same version again: nothing left to delete → 404.
    assertTaxiiError(
      await w.alice.delete(
        col(w.RW, `objects/${w.I.v1.id}/${qs([['match[version]', String(w.I.v1.modified)]])}`),
      ),
      404,
    );
  });

  it('#94 DELETE objects/{I}/ → 200, TAXII Content-Type, empty body; then I is gone everywhere', async function () {
    const res = await w.alice.delete(col(w.RW, `objects/${w.I.v1.id}/`));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['content-type'], TAXII);
    assert.equal(res.text, '');
    assertTaxiiError(await w.alice.get(col(w.RW, `objects/${w.I.v1.id}/`)), 404);
    assertTaxiiError(await w.alice.get(col(w.RW, `objects/${w.I.v1.id}/versions/`)), 404);
    const m = assertOk(
      await w.alice.get<Manifest>(
        col(
          w.RW,
          `manifest/${qs([
            ['match[id]', w.I.v1.id],
            ['match[version]', 'all'],
          ])}`,
        ),
      ),
    );
    assert.ok(!('objects' in m));
    const all = assertOk(await w.alice.get<Envelope>(col(w.RW, 'objects/?match[version]=all')));
    assert.ok(!ids(all).includes(w.I.v1.id));
    assert.deepEqual(ids(all), [w.M.id, w.S.id, w.W.id]);
  });

  it('#95 DELETE on RO → 403; on WO → 403; on NN → 404; nothing deleted', async function () {
    assertTaxiiError(await w.alice.delete(col(w.RO, `objects/${w.R.id}/`)), 403);
    assertTaxiiError(await w.alice.delete(col(w.WO, `objects/${w.R.id}/`)), 403);
    assertTaxiiError(await w.alice.delete(col(w.NN, `objects/${w.R.id}/`)), 404);
    assertTaxiiError(await w.alice.delete(col(w.X, `objects/${w.R.id}/`)), 404);
    assert.deepEqual(ids(assertOk(await w.alice.get<Envelope>(col(w.RO, `objects/${w.R.id}/`)))), [w.R.id]);
  });

  it('#95 read-only on U (erin) may not delete (403); read+write from two groups (dave) may', async function () {
    assertOk(await w.dave.post(col(w.U, 'objects/'), { objects: [w.W] }), 202);
    assertTaxiiError(await w.erin.delete(col(w.U, `objects/${w.W.id}/`)), 403);
    const res = await w.dave.delete(col(w.U, `objects/${w.W.id}/`));
    assert.equal(res.status, 200, res.text);
    assertTaxiiError(await w.dave.get(col(w.U, `objects/${w.W.id}/`)), 404);
    // The same object in RW is untouched.
    assertOk(await w.alice.get(col(w.RW, `objects/${w.W.id}/`)));
  });

  it('#96 DELETE objects/{absent id}/ on RW → 404; no credentials → 401', async function () {
    assertTaxiiError(await w.alice.delete(col(w.RW, `objects/indicator--${randomUUID()}/`)), 404);
    assertTaxiiError(await w.anon.delete(col(w.RW, `objects/${w.M.id}/`)), 401);
    assertOk(await w.alice.get(col(w.RW, `objects/${w.M.id}/`)));
  });
});
