/**
 * Checklist §11 cases 79 and 82–92: Add Objects (the status resource of case 80–81 is in
 * status.test.ts), plus the STIX 2.0 rejection that replaces cases 52–54 (Tessera stores 2.1 only),
 * and max_content_length with honest Content-Length and with a chunked body.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHub } from '../helpers/hub';
import { makeIndicator, makeIpv4Addr, withModified } from '../helpers/stix';
import {
  ALICE,
  assertOk,
  assertTaxiiError,
  buildWorld,
  Client,
  col,
  type Envelope,
  ids,
  type Manifest,
  nth,
  qs,
  rawCall,
  type StatusResource,
  TAXII,
  TS6,
  ts6,
  UUID4,
  type Versions,
  type World,
} from './fixture';

function checkStatusShape(s: StatusResource, total: number): void {
  assert.match(s.id, UUID4);
  assert.ok(['complete', 'pending'].includes(s.status), s.status);
  assert.equal(s.total_count, total);
  assert.equal(s.success_count + s.failure_count + s.pending_count, s.total_count);
  assert.equal((s.successes ?? []).length, s.success_count);
  assert.equal((s.failures ?? []).length, s.failure_count);
  assert.equal((s.pendings ?? []).length, s.pending_count);
  for (const key of ['successes', 'failures', 'pendings'] as const) {
    if (key in s) assert.ok((s[key] ?? []).length > 0, `${key} is never an empty list`);
  }
}

describe('TAXII HTTP: add objects (§11 #79, #82–#92)', function () {
  let w: World;
  const post = (collection: string, body: unknown, headers?: Record<string, string | undefined>) =>
    w.alice.post(col(collection, 'objects/'), body, headers);
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  const N = makeIndicator();

  it('#79 POST {"objects":[N]} → 202, TAXII Content-Type, status with UUID id and consistent counts', async function () {
    const res = await post(w.EMPTY, { objects: [N] });
    const s = assertOk(res, 202);
    checkStatusShape(s, 1);
    assert.equal(s.status, 'complete');
    assert.equal(s.success_count, 1);
    assert.match(s.request_timestamp ?? '', TS6);
    assert.deepEqual(
      (s.successes ?? []).map((d) => [d.id, d.version]),
      [[N.id, N.modified]],
    );
  });

  it('#82 the same POST again → 202, N not in failures, still one version', async function () {
    const s = assertOk(await post(w.EMPTY, { objects: [N] }), 202);
    checkStatusShape(s, 1);
    assert.ok(!(s.failures ?? []).some((f) => f.id === N.id));
    assert.equal(s.success_count, 1);
    const v = assertOk(await w.alice.get<Versions>(col(w.EMPTY, `objects/${N.id}/versions/`)));
    assert.deepEqual(v.versions, [N.modified]);
  });

  it('#83 POST N with a later modified → 202; versions lists both; GET returns the new one', async function () {
    const N2 = withModified(N, '2025-06-01T00:00:00.000Z');
    assertOk(await post(w.EMPTY, { objects: [N2] }), 202);
    const v = assertOk(await w.alice.get<Versions>(col(w.EMPTY, `objects/${N.id}/versions/`)));
    assert.deepEqual(v.versions, [N.modified, N2.modified]);
    const o = assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${N.id}/`)));
    assert.deepEqual(o.objects, [N2]);
  });

  it('#83 an older version posted after a newer one is stored; "last" stays the newest modified', async function () {
    const A = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const A3 = withModified(A, '2025-03-01T00:00:00.000Z');
    const A2 = withModified(A, '2025-02-01T00:00:00.000Z');
    await post(w.EMPTY, { objects: [A3] });
    await post(w.EMPTY, { objects: [A2] });
    const o = assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${A.id}/`)));
    assert.deepEqual(o.objects, [A3]);
    const f = assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${A.id}/?match[version]=first`)));
    assert.deepEqual(f.objects, [A2]);
  });

  it('#84 an SCO posted twice → 202 both times, one manifest record, non-empty status version', async function () {
    const S = makeIpv4Addr({ value: '203.0.113.7' });
    const s1 = assertOk(await post(w.EMPTY, { objects: [S] }), 202);
    const s2 = assertOk(await post(w.EMPTY, { objects: [S] }), 202);
    for (const s of [s1, s2]) {
      assert.equal(s.success_count, 1);
      const d = nth(s.successes, 0);
      assert.equal(d.id, S.id);
      assert.equal(typeof d.version, 'string');
      assert.ok(d.version.length > 0);
    }
    assert.equal(nth(s1.successes, 0).version, nth(s2.successes, 0).version);
    const m = assertOk(await w.alice.get<Manifest>(col(w.EMPTY, `manifest/${qs([['match[id]', S.id]])}`)));
    assert.equal(m.objects?.length, 1);
    const m2 = assertOk(
      await w.alice.get<Manifest>(
        col(
          w.EMPTY,
          `manifest/${qs([
            ['match[id]', S.id],
            ['match[version]', 'all'],
          ])}`,
        ),
      ),
    );
    assert.equal(m2.objects?.length, 1);
  });

  it('#82 the same object twice in one envelope → 202, counts add up, one version stored', async function () {
    const D = makeIndicator();
    const S = makeIpv4Addr({ value: '203.0.113.9' });
    const s = assertOk(await post(w.EMPTY, { objects: [D, D, S, S] }), 202);
    checkStatusShape(s, 4);
    assert.equal(s.failure_count, 0, JSON.stringify(s.failures));
    assert.equal(s.success_count, 4);
    const v = assertOk(await w.alice.get<Versions>(col(w.EMPTY, `objects/${D.id}/versions/`)));
    assert.deepEqual(v.versions, [D.modified]);
    const sv = assertOk(await w.alice.get<Versions>(col(w.EMPTY, `objects/${S.id}/versions/`)));
    assert.equal(sv.versions?.length, 1);
  });

  it('#83 two versions in one envelope, newest first → both stored, last = newest, first = oldest', async function () {
    const B = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
    const B2 = withModified(B, '2025-04-01T00:00:00.000Z');
    assertOk(await post(w.EMPTY, { objects: [B2, B] }), 202);
    const last = assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${B.id}/`)));
    assert.deepEqual(last.objects, [B2]);
    const first = assertOk(
      await w.alice.get<Envelope>(col(w.EMPTY, `objects/${B.id}/?match[version]=first`)),
    );
    assert.deepEqual(first.objects, [B]);
    const v = assertOk(await w.alice.get<Versions>(col(w.EMPTY, `objects/${B.id}/versions/`)));
    assert.deepEqual(v.versions, [B2.modified, B.modified], 'versions in date_added order');
  });

  it('#85 Content-Type application/json → 415; no Content-Type → 415; taxii+json without version → 202', async function () {
    const X1 = makeIndicator();
    assertTaxiiError(await post(w.EMPTY, { objects: [X1] }, { 'Content-Type': 'application/json' }), 415);
    assertTaxiiError(await post(w.EMPTY, { objects: [X1] }, { 'Content-Type': undefined }), 415);
    assertTaxiiError(
      await post(w.EMPTY, { objects: [X1] }, { 'Content-Type': 'application/taxii+json;version=2.0' }),
      415,
    );
    assertTaxiiError(await w.alice.get(col(w.EMPTY, `objects/${X1.id}/`)), 404);
    const s = assertOk(
      await post(w.EMPTY, { objects: [X1] }, { 'Content-Type': 'application/taxii+json' }),
      202,
    );
    assert.equal(s.success_count, 1);
    assertOk(
      await post(
        w.EMPTY,
        { objects: [makeIndicator()] },
        { 'Content-Type': 'application/taxii+json; version=2.1' },
      ),
      202,
    );
  });

  it('#86 POST to RO → 403; to NN → 404; to X → 404; nothing stored', async function () {
    const X2 = makeIndicator();
    assertTaxiiError(await post(w.RO, { objects: [X2] }), 403);
    assertTaxiiError(await post(w.NN, { objects: [X2] }), 404);
    assertTaxiiError(await post(w.X, { objects: [X2] }), 404);
    assertTaxiiError(await w.alice.get(col(w.RO, `objects/${X2.id}/`)), 404);
  });

  it('#88 POST body "not json" → 400', async function () {
    assertTaxiiError(await post(w.EMPTY, 'not json'), 400);
    assertTaxiiError(await post(w.EMPTY, '{"objects":['), 400);
    assertTaxiiError(await post(w.EMPTY, ''), 400);
  });

  it('#88 POST a bare STIX object (no envelope) → 422; other non-envelope JSON → 422', async function () {
    const bare = makeIndicator();
    assertTaxiiError(await post(w.EMPTY, bare), 422);
    // A STIX object that happens to carry "objects" is still a bare object, not an envelope.
    assertTaxiiError(await post(w.EMPTY, { ...bare, objects: [makeIndicator()] }), 422);
    assertTaxiiError(await post(w.EMPTY, [bare]), 422);
    assertTaxiiError(await post(w.EMPTY, { objects: bare }), 422);
    assertTaxiiError(await post(w.EMPTY, 'null'), 422);
    assertTaxiiError(await w.alice.get(col(w.EMPTY, `objects/${bare.id}/`)), 404);
  });

  it('a STIX bundle is accepted as an envelope (the stix2 TAXII sink sends bundles); its objects are checked one by one', async function () {
    const inBundle = makeIndicator();
    const v20: Record<string, unknown> = { ...makeIndicator() };
    delete v20.spec_version;
    const bundleId = `bundle--${randomUUID()}`;
    const s = assertOk(await post(w.EMPTY, { type: 'bundle', id: bundleId, objects: [inBundle, v20] }), 202);
    assert.equal(s.total_count, 2);
    assert.deepEqual(
      (s.successes ?? []).map((x) => x.id),
      [inBundle.id],
    );
    assert.deepEqual(
      (s.failures ?? []).map((x) => x.id),
      [v20.id],
    );
    assert.deepEqual(ids(assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${inBundle.id}/`)))), [
      inBundle.id,
    ]);
    // The bundle itself is not an object of the collection.
    assertTaxiiError(await w.alice.get(col(w.EMPTY, `objects/${bundleId}/`)), 404);
    // A bundle without objects, or with an empty list, is refused like an empty envelope.
    const noObjects = await post(w.EMPTY, { type: 'bundle', id: `bundle--${randomUUID()}` });
    assertTaxiiError(noObjects, 422);
    assert.match(JSON.stringify(noObjects.body), /bundle has no \\"objects\\" list/);
    assertTaxiiError(
      await post(w.EMPTY, { type: 'bundle', id: `bundle--${randomUUID()}`, objects: [] }),
      422,
    );
  });

  it('#89 POST {"objects":[]} → 422', async function () {
    assertTaxiiError(await post(w.EMPTY, { objects: [] }), 422);
  });

  it('#90 invalid objects → 202 with failures carrying id, version, message; valid ones stored', async function () {
    const good = makeIndicator();
    const bad99 = makeIndicator({ spec_version: '9.9' });
    const badId = { ...makeIndicator(), id: 'indicator--not-a-uuid' };
    const s = assertOk(await post(w.EMPTY, { objects: [good, bad99, badId, 42] }), 202);
    checkStatusShape(s, 4);
    assert.equal(s.success_count, 1);
    assert.equal(s.failure_count, 3);
    for (const f of s.failures ?? []) {
      assert.equal(typeof f.id, 'string');
      assert.equal(typeof f.version, 'string');
      assert.equal(typeof f.message, 'string');
      assert.ok((f.message ?? '').length > 0);
    }
    const f99 = (s.failures ?? []).find((f) => f.id === bad99.id);
    assert.ok(f99, 'the 9.9 object is listed in failures');
    assert.equal(f99.version, bad99.modified);
    assert.deepEqual(ids(assertOk(await w.alice.get<Envelope>(col(w.EMPTY, `objects/${good.id}/`)))), [
      good.id,
    ]);
    assertTaxiiError(await w.alice.get(col(w.EMPTY, `objects/${bad99.id}/`)), 404);
  });

  it('#52–#54 a STIX 2.0 object (no spec_version, with created/modified) is listed in failures, not stored', async function () {
    const v20: Record<string, unknown> = { ...makeIndicator() };
    delete v20.spec_version;
    delete v20.pattern_type;
    const s = assertOk(await post(w.EMPTY, { objects: [v20] }), 202);
    checkStatusShape(s, 1);
    assert.equal(s.failure_count, 1);
    assert.equal(s.success_count, 0);
    assert.equal(nth(s.failures, 0).id, v20.id);
    assert.match(nth(s.failures, 0).message ?? '', /spec_version/);
    assertTaxiiError(await w.alice.get(col(w.EMPTY, `objects/${String(v20.id)}/`)), 404);
    const none = assertOk(await w.alice.get<Envelope>(col(w.EMPTY, 'objects/?match[spec_version]=2.0')));
    assert.ok(!('objects' in none));
  });

  it('#91 an envelope-level custom property is ignored → 202, the object stored', async function () {
    const o = makeIndicator();
    const s = assertOk(await post(w.EMPTY, { objects: [o], x_example_com_note: 'hello', more: false }), 202);
    assert.equal(s.success_count, 1);
    assertOk(await w.alice.get(col(w.EMPTY, `objects/${o.id}/`)));
  });

  it('#92 manifest?added_after=<just before the POST>&match[id]=N → 1 record with a TS6 date_added', async function () {
    const before = ts6(Date.now() * 1000 - 1000);
    const n = makeIndicator();
    assertOk(await post(w.EMPTY, { objects: [n] }), 202);
    const m = assertOk(
      await w.alice.get<Manifest>(
        col(
          w.EMPTY,
          `manifest/${qs([
            ['added_after', before],
            ['match[id]', n.id],
          ])}`,
        ),
      ),
    );
    assert.equal(m.objects?.length, 1);
    assert.match(nth(m.objects, 0).date_added, TS6);
    assert.equal(nth(m.objects, 0).version, n.modified);
  });

  it('POST through the collection alias stores into that collection', async function () {
    const o = makeIndicator();
    assertOk(await post(w.RW_ALIAS, { objects: [o] }), 202);
    assertOk(await w.alice.get(col(w.RW, `objects/${o.id}/`)));
  });
});

describe('TAXII HTTP: max_content_length (§11 #87), TESSERA_MAX_CONTENT_LENGTH=2048', function () {
  const MAX = 2048;
  let hub: Awaited<ReturnType<typeof startHub>>;
  let alice: Client;
  let collection: string;
  before(async function () {
    hub = await startHub({ env: { TESSERA_MAX_CONTENT_LENGTH: String(MAX) } });
    await hub.addMember(ALICE.name, ALICE.password, ['analysts']);
    collection = (await hub.addCollection({ grants: [{ group: 'analysts', read: true, write: true }] })).id;
    alice = new Client(hub, ALICE);
  });
  after(async function () {
    await hub?.close();
  });

  /** An envelope of one indicator whose JSON text is exactly `size` bytes. */
  function envelopeOfSize(size: number): { text: string; id: string } {
    const o = makeIndicator({ description: '' });
    const base = JSON.stringify({ objects: [o] }).length;
    assert.ok(size >= base);
    o.description = 'x'.repeat(size - base);
    const text = JSON.stringify({ objects: [o] });
    assert.equal(Buffer.byteLength(text), size);
    return { text, id: o.id };
  }

  it('#87 one object with Content-Length above max_content_length → 413, not stored', async function () {
    const { text, id } = envelopeOfSize(MAX + 1);
    assertTaxiiError(await alice.post(col(collection, 'objects/'), text), 413);
    assertTaxiiError(await alice.get(col(collection, `objects/${id}/`)), 404);
    const big = envelopeOfSize(MAX * 8);
    assertTaxiiError(await alice.post(col(collection, 'objects/'), big.text), 413);
  });

  it('#87 a body just under (and exactly at) max_content_length → 202', async function () {
    for (const size of [MAX - 1, MAX]) {
      const { text, id } = envelopeOfSize(size);
      const s = assertOk(await alice.post(col(collection, 'objects/'), text), 202);
      assert.equal(s.success_count, 1, `size ${size}`);
      assertOk(await alice.get(col(collection, `objects/${id}/`)));
    }
  });

  it('#87 a chunked body (no Content-Length) that grows past the max → 413; a small chunked body → 202', async function () {
    const { text, id } = envelopeOfSize(MAX * 3);
    const buf = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += 256) chunks.push(buf.subarray(i, i + 256));
    const res = await alice.postChunked(col(collection, 'objects/'), chunks);
    assertTaxiiError(res, 413);
    assertTaxiiError(await alice.get(col(collection, `objects/${id}/`)), 404);

    const small = envelopeOfSize(MAX - 100);
    const sb = Buffer.from(small.text);
    const s = assertOk(
      await alice.postChunked(col(collection, 'objects/'), [sb.subarray(0, 500), sb.subarray(500)]),
      202,
    );
    assert.equal(s.success_count, 1);
  });

  it('#87 the hub keeps serving after refusing bodies', async function () {
    const res = await rawCall(hub.url, 'GET', '/taxii2/', {
      headers: { Accept: TAXII, Authorization: hub.basic(ALICE.name, ALICE.password) },
    });
    assertOk(res);
  });
});
