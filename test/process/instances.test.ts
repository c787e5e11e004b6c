/**
 * Several instances (issue 3 item 4): two hub processes on one store (the same SQLite file, or the
 * same MongoDB database) serve the same data, honour each other's `next` tokens, and interleave
 * writes — including the same objects sent to both at once — without duplicate versions.
 */
import assert from 'node:assert/strict';
import { openStore } from '../../server/store';
import type { Stores } from '../../server/store/contract';
import {
  API_ROOT,
  assertStoreConsistent,
  basic,
  getTaxii,
  killAllHubs,
  postEnvelope,
  processStoreUrl,
  reportOnFailure,
  seedStore,
  startHubProcess,
  type HubProcess,
  type StatusJson,
} from '../helpers/process';
import { backendName, type TestStoreUrl } from '../helpers/store';
import { makeIndicator, withModified, type StixObject } from '../helpers/stix';

const MEMBER = 'analyst';
const PASSWORD = 'several-instances-1';
const AUTH = basic(MEMBER, PASSWORD);
const SIZE = 500;
/** Envelope size of the concurrent-write tests (see the note above them). */
const RACE_SIZE = backendName() === 'mongodb' ? 50 : SIZE;

const ADDED = /^added/;

function envelope(n = SIZE): StixObject[] {
  return Array.from({ length: n }, () => makeIndicator());
}

function pairsOf(objects: StixObject[]): string[] {
  return objects.map((o) => `${o.id} ${o.modified as string}`);
}

function assertAllSucceeded(status: StatusJson, n = SIZE): void {
  assert.equal(status.status, 'complete');
  assert.equal(status.failure_count, 0, JSON.stringify(status.failures?.slice(0, 3)));
  assert.equal(status.success_count, n);
}

describe(`hub process [${backendName()}]: several instances on one store`, function () {
  this.timeout(120_000);
  let fresh: TestStoreUrl;
  let store: Stores;
  let readCollection: string;
  let writeCollection: string;
  let pollCollection: string;
  let a: HubProcess;
  let b: HubProcess;
  const hubs: HubProcess[] = [];

  before(async () => {
    fresh = processStoreUrl();
    const grants = [{ group: 'csirts', read: true, write: true }];
    [readCollection, writeCollection, pollCollection] = (await seedStore(fresh.url, {
      members: [{ name: MEMBER, password: PASSWORD, groups: ['csirts'] }],
      collections: [{ grants }, { grants }, { grants }],
    })) as [string, string, string];
    [a, b] = await Promise.all([
      startHubProcess({ storeUrl: fresh.url }),
      startHubProcess({ storeUrl: fresh.url }),
    ]);
    hubs.push(a, b);
    store = await openStore(fresh.url);
  });

  afterEach(function () {
    reportOnFailure(this, hubs);
  });

  after(async () => {
    await killAllHubs(hubs);
    await store?.close();
    await fresh?.dispose();
  });

  it('serve the same data, and a next token from one is honoured by the other', async () => {
    const sent: StixObject[] = [];
    for (let i = 0; i < 3; i++) {
      const objects = envelope();
      assertAllSucceeded(await postEnvelope(a, readCollection, AUTH, objects));
      sent.push(...objects);
    }
    // What A stored, B serves at once (and the other way round).
    const one = sent[0] as StixObject;
    const viaB = await getTaxii(
      `${b.url}/${API_ROOT}/collections/${readCollection}/objects/${one.id}/`,
      AUTH,
    );
    assert.equal(viaB.status, 200);
    assert.deepEqual(viaB.body?.objects, [one]);
    const extra = envelope(10);
    assertAllSucceeded(await postEnvelope(b, readCollection, AUTH, extra), 10);
    sent.push(...extra);
    const viaA = await getTaxii(
      `${a.url}/${API_ROOT}/collections/${readCollection}/manifest/?match[id]=${extra.map((o) => o.id).join(',')}`,
      AUTH,
    );
    assert.equal(viaA.status, 200);
    assert.equal((viaA.body?.objects as unknown[]).length, 10);

    // First page from A, then follow `next` alternately on B and A.
    const base = `/${API_ROOT}/collections/${readCollection}/objects/`;
    const first = await getTaxii(`${a.url}${base}?limit=200`, AUTH);
    assert.equal(first.status, 200);
    assert.equal(first.body?.more, true);
    const firstIds = (first.body?.objects as StixObject[]).map((o) => o.id);
    assert.equal(firstIds.length, 200);
    const rest: string[] = [];
    let next = first.body?.next as string | undefined;
    let turn = 0;
    while (next !== undefined) {
      const hub = turn++ % 2 === 0 ? b : a;
      const page = await getTaxii(`${hub.url}${base}?next=${encodeURIComponent(next)}`, AUTH);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const items = (page.body?.objects ?? []) as StixObject[];
      assert.ok(items.length <= 200);
      rest.push(...items.map((o) => o.id));
      next = page.body?.more === true ? (page.body.next as string) : undefined;
    }
    assert.ok(turn >= 2, 'the token chain crossed instances more than once');
    const sentIds = sent.map((o) => o.id);
    assert.equal(rest.length, sentIds.length - 200, 'exactly the remaining items');
    assert.deepEqual([...firstIds, ...rest], sentIds, 'every object once, in the order stored');
  });

  // On the MongoDB backend the envelopes are smaller (RACE_SIZE): CI runs it on FerretDB 1.24, a
  // wire-compatible server that serialises concurrent writers and scans where MongoDB uses indexes,
  // so 500-object races take minutes there. The checks are the same.
  it('interleave concurrent writes, including the same objects sent to both at once, without duplicates', async () => {
    const shared = [envelope(RACE_SIZE), envelope(RACE_SIZE)];
    const newer = shared.map((objs) => objs.map((o) => withModified(o, '2025-06-01T00:00:00.000Z')));
    const [s0, s1] = shared as [StixObject[], StixObject[]];
    const [n0, n1] = newer as [StixObject[], StixObject[]];
    const onlyA = [envelope(RACE_SIZE), envelope(RACE_SIZE), envelope(RACE_SIZE), envelope(RACE_SIZE)];
    const onlyB = [envelope(RACE_SIZE), envelope(RACE_SIZE), envelope(RACE_SIZE), envelope(RACE_SIZE)];
    const post = (hub: HubProcess, objects: StixObject[]) =>
      postEnvelope(hub, writeCollection, AUTH, objects).then((status) => ({ objects, status }));

    // Four requests at once per round: each instance gets one envelope of its own and one with
    // objects the other instance receives at the same moment (the same versions, or in round 1 a
    // newer version of the same ids).
    const rounds: [StixObject[], StixObject[]][] = [
      [s0, s0],
      [s1, n1],
      [n1, s1],
      [n0, n0],
    ];
    const results: { objects: StixObject[]; status: StatusJson }[] = [];
    for (let i = 0; i < rounds.length; i++) {
      const [toA, toB] = rounds[i] as [StixObject[], StixObject[]];
      results.push(
        ...(await Promise.all([
          post(a, onlyA[i] as StixObject[]),
          post(b, onlyB[i] as StixObject[]),
          post(a, toA),
          post(b, toB),
        ])),
      );
    }
    for (const r of results) assertAllSucceeded(r.status, RACE_SIZE);

    // Every version sent twice was added by exactly one of the two requests.
    for (const objs of [s0, s1, n0, n1]) {
      const statuses = results.filter((r) => r.objects === objs).map((r) => r.status);
      assert.equal(statuses.length, 2);
      const added = new Map<string, number>();
      for (const s of statuses) {
        for (const d of s.successes ?? []) {
          if (ADDED.test(d.message ?? '')) added.set(d.id, (added.get(d.id) ?? 0) + 1);
        }
      }
      for (const o of objs) assert.equal(added.get(o.id), 1, `${o.id} added ${added.get(o.id) ?? 0} times`);
    }

    // Each id/version stored once, date_added unique and increasing, one first and one last per id.
    const stored = await assertStoreConsistent(store.objects, writeCollection);
    const expected = [...onlyA, ...onlyB, ...shared, ...newer].flatMap(pairsOf).sort();
    assert.deepEqual(stored.map((v) => `${v.id} ${v.version}`).sort(), expected);
  });

  // On the MongoDB backend the envelopes are smaller (RACE_SIZE): CI runs it on FerretDB 1.24, a
  // wire-compatible server that serialises concurrent writers and scans where MongoDB uses indexes,
  // so 500-object races take minutes there. The checks are the same.
  it('a client paging by X-TAXII-Date-Added-Last across both instances while both ingest sees every version once', async () => {
    const ROUNDS = 5;
    const batches = { a: [] as StixObject[][], b: [] as StixObject[][] };
    for (let i = 0; i < ROUNDS; i++) {
      batches.a.push(envelope(RACE_SIZE));
      // B also sends newer versions of what A sent in the previous round.
      const prev = batches.a[i - 1];
      batches.b.push(
        prev ? prev.map((o) => withModified(o, '2025-03-01T00:00:00.000Z')) : envelope(RACE_SIZE),
      );
    }
    let ingesting = true;
    const ingest = (async () => {
      try {
        for (let i = 0; i < ROUNDS; i++) {
          const [sa, sb] = await Promise.all([
            postEnvelope(a, pollCollection, AUTH, batches.a[i] as StixObject[]),
            postEnvelope(b, pollCollection, AUTH, batches.b[i] as StixObject[]),
          ]);
          assertAllSucceeded(sa, RACE_SIZE);
          assertAllSucceeded(sb, RACE_SIZE);
        }
      } finally {
        ingesting = false;
      }
    })();

    const seen: string[] = [];
    let addedAfter: string | undefined;
    let polls = 0;
    const base = `/${API_ROOT}/collections/${pollCollection}/manifest/?match[version]=all&limit=300`;
    for (;;) {
      // Read the flag before polling: a poll that starts after ingest ended and returns nothing
      // more means the client has seen everything.
      const done = !ingesting;
      const hub = polls++ % 2 === 0 ? a : b;
      const q = addedAfter === undefined ? '' : `&added_after=${encodeURIComponent(addedAfter)}`;
      const res = await getTaxii(`${hub.url}${base}${q}`, AUTH);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const items = (res.body?.objects ?? []) as { id: string; version: string; date_added: string }[];
      if (items.length > 0) {
        const last = res.headers.get('X-TAXII-Date-Added-Last');
        assert.equal(last, (items[items.length - 1] as { date_added: string }).date_added);
        addedAfter = last as string;
        seen.push(...items.map((o) => `${o.id} ${o.version}`));
      } else if (done) {
        break;
      } else {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    await ingest;

    assert.equal(new Set(seen).size, seen.length, 'no version was served twice');
    const stored = await assertStoreConsistent(store.objects, pollCollection);
    const all = stored.map((v) => `${v.id} ${v.version}`);
    assert.deepEqual([...seen].sort(), [...all].sort(), 'every stored version was served');
    assert.deepEqual(all.sort(), [...batches.a, ...batches.b].flatMap(pairsOf).sort());
  });
});
