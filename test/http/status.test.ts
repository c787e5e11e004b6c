/**
 * Checklist §11 cases 80 and 81: the status resource, and who may read it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { makeIndicator } from '../helpers/stix';
import {
  assertOk,
  assertTaxiiError,
  buildWorld,
  col,
  nth,
  sleep,
  type StatusResource,
  TS6,
  type World,
} from './fixture';

describe('TAXII HTTP: status (§11 #80, #81)', function () {
  let w: World;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  async function pollComplete(id: string): Promise<StatusResource> {
    for (let i = 0; i < 50; i++) {
      const s = assertOk(await w.alice.get<StatusResource>(`/api1/status/${id}/`));
      if (s.status !== 'pending') return s;
      await sleep(100);
    }
    assert.fail(`status ${id} still pending`);
  }

  it('#80 GET /api1/status/{id}/ → the same id; complete: success_count 1, successes[0] = N.id/N.modified', async function () {
    const N = makeIndicator();
    const posted = assertOk(await w.alice.post(col(w.RW, 'objects/'), { objects: [N] }), 202);
    const s = await pollComplete(posted.id);
    assert.equal(s.id, posted.id);
    assert.equal(s.status, 'complete');
    assert.equal(s.total_count, 1);
    assert.equal(s.success_count, 1);
    assert.equal(s.failure_count, 0);
    assert.equal(s.pending_count, 0);
    assert.equal(nth(s.successes, 0).id, N.id);
    assert.equal(nth(s.successes, 0).version, N.modified);
    assert.match(s.request_timestamp ?? '', TS6);
    assert.deepEqual(s, posted, 'the stored status equals the one returned by the POST');
  });

  it('#80 a status with failures lists them when read back', async function () {
    const bad = makeIndicator({ spec_version: '9.9' });
    const good = makeIndicator();
    const posted = assertOk(await w.alice.post(col(w.RW, 'objects/'), { objects: [good, bad] }), 202);
    const s = await pollComplete(posted.id);
    assert.equal(s.success_count, 1);
    assert.equal(s.failure_count, 1);
    assert.equal(nth(s.failures, 0).id, bad.id);
    assert.equal(nth(s.successes, 0).id, good.id);
  });

  it('#81 GET /api1/status/<random uuid>/ → 404; a non-UUID → 404', async function () {
    assertTaxiiError(await w.alice.get(`/api1/status/${randomUUID()}/`), 404);
    assertTaxiiError(await w.alice.get('/api1/status/not-a-uuid/'), 404);
  });

  it('a status is visible only to the member who posted it (another member → 404)', async function () {
    const posted = assertOk(await w.alice.post(col(w.RW, 'objects/'), { objects: [makeIndicator()] }), 202);
    assertOk(await w.alice.get(`/api1/status/${posted.id}/`));
    // bob is in the same trust group, with the same rights on RW.
    const bob = await w.bob.get(`/api1/status/${posted.id}/`);
    assertTaxiiError(bob, 404);
    assert.ok(!bob.text.includes('success_count'), 'no status content leaks');
    assertTaxiiError(await w.carol.get(`/api1/status/${posted.id}/`), 404);
    assertTaxiiError(await w.anon.get(`/api1/status/${posted.id}/`), 401);
  });

  it('a status is found only under the API root of its collection', async function () {
    await w.hub.stores.registry.createApiRoot({ name: 'api2', title: 'Second root' });
    await w.hub.addCollection({ apiRoot: 'api2', grants: [{ group: 'analysts', read: true, write: true }] });
    const posted = assertOk(await w.alice.post(col(w.RW, 'objects/'), { objects: [makeIndicator()] }), 202);
    assertOk(await w.alice.get('/api2/'));
    assertTaxiiError(await w.alice.get(`/api2/status/${posted.id}/`), 404);
  });
});
