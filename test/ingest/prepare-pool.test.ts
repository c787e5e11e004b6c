/**
 * The worker pool that prepares POSTed envelopes gives exactly what inline preparation gives, maps
 * errors to the same TAXII statuses, and serves real POSTs.
 */
import assert from 'node:assert/strict';
import { BadRequestError, UnprocessableError } from '../../server/errors';
import { prepareEnvelopeText, PreparePool } from '../../server/ingest';
import { stixValidator } from '../../server/stix/plug';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator } from '../helpers/stix';

describe('ingest worker pool', function () {
  this.timeout(60_000);
  let pool: PreparePool;
  before(() => {
    pool = new PreparePool(2, false);
  });
  after(async () => {
    await pool.close();
  });

  it('reports ready only once its workers have compiled and warmed up the validator', async () => {
    const fresh = new PreparePool(1, false);
    try {
      assert.equal(fresh.isReady(), false, 'not ready at construction');
      const deadline = Date.now() + 30_000;
      while (!fresh.isReady() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(fresh.isReady(), true);
    } finally {
      await fresh.close();
    }
  });

  it('prepares an envelope exactly as inline preparation does, valid and invalid objects alike', async () => {
    const objects = [
      makeIndicator(),
      makeIndicator({ pattern: "[ipv4-addr:value = '1.2.3.4'" }),
      { type: 'indicator', id: 'indicator--nope' },
      makeIndicator({ indicator_types: ['not-in-the-vocabulary'] }),
    ];
    const text = JSON.stringify({ objects });
    const fromPool = await pool.prepare(text);
    const inline = prepareEnvelopeText(text, stixValidator(false));
    assert.deepEqual(fromPool, inline);
    assert.equal(fromPool.accepted.length, 2);
    assert.equal(fromPool.failures.length, 2);
    assert.match(fromPool.failures[0]?.message ?? '', /pattern/);
    assert.match(fromPool.warnings[1] ?? '', /^warning: /);
  });

  it('keeps many concurrent requests apart', async () => {
    const texts = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ objects: Array.from({ length: i + 1 }, () => makeIndicator()) }),
    );
    const results = await Promise.all(texts.map((t) => pool.prepare(t)));
    results.forEach((r, i) => {
      assert.equal(r.total, i + 1);
      assert.equal(r.accepted.length, i + 1);
      const sent = (JSON.parse(texts[i] as string) as { objects: { id: string }[] }).objects.map((o) => o.id);
      assert.deepEqual(
        r.accepted.map((a) => a.id),
        sent,
      );
    });
  });

  it('maps a body that is not JSON to 400 and a non-envelope to 422', async () => {
    await assert.rejects(pool.prepare('{"objects": ['), BadRequestError);
    await assert.rejects(pool.prepare(JSON.stringify(makeIndicator())), UnprocessableError);
    await assert.rejects(pool.prepare('{"objects": []}'), UnprocessableError);
  });

  describe('behind the HTTP API', () => {
    let hub: TestHub;
    before(async () => {
      hub = await startHub({ prepare: pool.prepare });
      await hub.addMember('poster', 'poster-password-1', ['g']);
    });
    after(async () => {
      await hub.close();
    });

    it('stores what the workers accepted and reports what they refused', async () => {
      const c = await hub.addCollection({ grants: [{ group: 'g', read: true, write: true }] });
      const good = makeIndicator();
      const res = await fetch(`${hub.url}/api1/collections/${c.id}/objects/`, {
        method: 'POST',
        headers: {
          Accept: TAXII,
          'Content-Type': TAXII,
          Authorization: hub.basic('poster', 'poster-password-1'),
        },
        body: JSON.stringify({ objects: [good, { type: 'indicator', id: 'indicator--bad' }] }),
      });
      assert.equal(res.status, 202);
      const status = (await res.json()) as { success_count: number; failure_count: number };
      assert.deepEqual([status.success_count, status.failure_count], [1, 1]);
      assert.ok(await hub.stores.objects.objectExists({ visibleTo: 'all', collectionId: c.id, id: good.id }));
      const bad = await fetch(`${hub.url}/api1/collections/${c.id}/objects/`, {
        method: 'POST',
        headers: {
          Accept: TAXII,
          'Content-Type': TAXII,
          Authorization: hub.basic('poster', 'poster-password-1'),
        },
        body: 'not json',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers.get('content-type'), TAXII);
    });
  });
});
