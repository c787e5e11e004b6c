/**
 * Crash safety (issue 3 item 3): SIGKILL a hub process during a large concurrent ingest, restart it
 * on the same store, and check that every object an answered status reported as a success is
 * there, that the store is consistent, and that re-sending is idempotent.
 */
import assert from 'node:assert/strict';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import {
  API_ROOT,
  assertStoreConsistent,
  basic,
  getTaxii,
  postEnvelope,
  startHubProcess,
  useSeededStore,
  type StatusJson,
} from '../helpers/process';
import { backendName } from '../helpers/store';
import { makeIndicator, type StixObject } from '../helpers/stix';

const MEMBER = 'poster';
const PASSWORD = 'crash-test-secret-1';
const AUTH = basic(MEMBER, PASSWORD);
const POSTERS = 4;
const ENVELOPES_PER_POSTER = 30;
const ENVELOPE_SIZE = 500;
const KILL_AFTER_ACKS = 4;

const ALREADY_PRESENT = /^already present/;

describe(`hub process [${backendName()}]: crash safety`, function () {
  this.timeout(120_000);
  const seeded = useSeededStore({ name: MEMBER, password: PASSWORD, group: 'posters' });
  let store: Stores | undefined;

  after(async () => {
    await store?.close();
  });

  it('keeps every acknowledged object and a consistent store after SIGKILL mid-ingest', async () => {
    const envelopes: StixObject[][][] = Array.from({ length: POSTERS }, () =>
      Array.from({ length: ENVELOPES_PER_POSTER }, () =>
        Array.from({ length: ENVELOPE_SIZE }, () => makeIndicator()),
      ),
    );
    const acked: { objects: StixObject[]; status: StatusJson }[] = [];
    const unanswered: StixObject[][] = [];
    let killed: Promise<unknown> | null = null;

    const hub = await startHubProcess({ storeUrl: seeded.url });
    seeded.hubs.push(hub);
    const poster = async (mine: StixObject[][]) => {
      for (const objects of mine) {
        if (killed) return;
        let status: StatusJson;
        try {
          status = await postEnvelope(hub, seeded.collectionId, AUTH, objects);
        } catch (e) {
          // Only a request cut off by the kill may fail.
          if (!killed) throw e;
          unanswered.push(objects);
          return;
        }
        acked.push({ objects, status });
        if (acked.length >= KILL_AFTER_ACKS && !killed) killed = hub.kill();
      }
    };
    await Promise.all(envelopes.map(poster));
    const exit = await hub.exited;
    assert.equal(exit.signal, 'SIGKILL', 'the hub was killed before the posters finished');
    assert.ok(acked.length >= KILL_AFTER_ACKS);
    assert.ok(unanswered.length >= 1, 'at least one envelope was in flight when the hub was killed');
    for (const { status } of acked) {
      assert.equal(status.status, 'complete');
      assert.equal(status.success_count, ENVELOPE_SIZE);
      assert.equal(status.failure_count, 0);
    }

    // Restart on the same store.
    const hub2 = await startHubProcess({ storeUrl: seeded.url });
    seeded.hubs.push(hub2);

    // Every answered status is still readable and every success it reported is served.
    const reported = new Map<string, string>();
    for (const { status } of acked) {
      for (const s of status.successes ?? []) reported.set(s.id, s.version);
      const again = await getTaxii(`${hub2.url}/${API_ROOT}/status/${status.id}/`, AUTH);
      assert.equal(again.status, 200);
      assert.equal(again.body?.success_count, ENVELOPE_SIZE);
    }
    assert.equal(reported.size, acked.length * ENVELOPE_SIZE);
    const ids = [...reported.keys()];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      const url =
        `${hub2.url}/${API_ROOT}/collections/${seeded.collectionId}/manifest/` +
        `?match[id]=${batch.join(',')}&match[version]=all&limit=1000`;
      const res = await getTaxii(url, AUTH);
      assert.equal(res.status, 200);
      const items = (res.body?.objects ?? []) as { id: string; version: string }[];
      assert.deepEqual(
        items.map((o) => `${o.id} ${o.version}`).sort(),
        batch.map((id) => `${id} ${reported.get(id)}`).sort(),
      );
    }

    // The store is consistent and holds only objects that were sent.
    store = await openStore(seeded.url);
    const stored = await assertStoreConsistent(store.objects, seeded.collectionId);
    const sent = new Set([...acked.map((a) => a.objects), ...unanswered].flat().map((o) => o.id));
    for (const v of stored) assert.ok(sent.has(v.id), `stored object ${v.id} was never sent`);
    const storedIds = new Set(stored.map((v) => v.id));
    for (const id of ids) assert.ok(storedIds.has(id), `acknowledged object ${id} is missing`);
    const before = stored.length;

    // Re-sending the acknowledged envelopes adds nothing: every object is a duplicate.
    for (const { objects } of acked) {
      const status = await postEnvelope(hub2, seeded.collectionId, AUTH, objects);
      assert.equal(status.success_count, ENVELOPE_SIZE);
      for (const s of status.successes ?? []) assert.match(s.message ?? '', ALREADY_PRESENT);
    }
    assert.equal(await store.objects.countObjects(seeded.collectionId), before);

    // Re-sending the envelopes cut off by the kill completes them: every sent object exactly once.
    for (const objects of unanswered) {
      const status = await postEnvelope(hub2, seeded.collectionId, AUTH, objects);
      assert.equal(status.success_count, ENVELOPE_SIZE);
    }
    const after = await assertStoreConsistent(store.objects, seeded.collectionId);
    assert.equal(after.length, sent.size);
    assert.deepEqual(new Set(after.map((v) => v.id)), sent);

    const stop = await hub2.terminate();
    assert.deepEqual(stop, { code: 0, signal: null });
  });
});
