/**
 * Ingest's I/O half over a real store (the configured backend, SQLite by default): what is stored,
 * the status record (every field), the duplicate and warning messages, the bound on a status's
 * lists and what happens when the status cannot be stored; and the summary the hub, the CLI and the
 * metrics count from a status.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { StoreError } from '../../server/errors';
import {
  boundStatus,
  commitPrepared,
  DEFAULT_STATUS_BYTES,
  ingest,
  isAdded,
  statusBudget,
  summarise,
  type IngestDeps,
  type Prepared,
} from '../../server/ingest';
import type { StatusDetail, StatusRecord, StatusStore } from '../../server/store/contract';
import { parseStoreUrl } from '../../server/store';
import { stixValidator } from '../../server/stix/plug';
import { nowMicros } from '../../server/time';
import { captureLogger, LEVEL } from '../helpers/logs';
import { makeIndicator } from '../helpers/stix';
import { openTestStore, type TestStores } from '../helpers/store';

const HOUR_US = 3600 * 1_000_000;
/** nowMicros's sub-millisecond part is not monotonic: bounds on it allow a millisecond. */
const MS = 1000;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DUPLICATE = 'already present (same id and version): no new version';

describe('ingest: commit and status', function () {
  this.timeout(30_000);
  let stores: TestStores;
  let collectionId: string;
  const args = () => ({ apiRoot: 'api1', collectionId, member: 'alice' });
  const deps = (over: Partial<IngestDeps> = {}): IngestDeps => ({
    objects: stores.objects,
    statuses: stores.statuses,
    validate: stixValidator(false),
    statusTtlHours: 24,
    ...over,
  });

  before(async () => {
    stores = await openTestStore();
    await stores.registry.createApiRoot({ name: 'api1', title: 'API 1' });
  });
  beforeEach(async () => {
    collectionId = randomUUID();
    await stores.registry.createCollection({
      id: collectionId,
      apiRoot: 'api1',
      title: 'c',
      mediaTypes: ['application/stix+json;version=2.1'],
      grants: [],
    });
  });
  after(async () => {
    await stores?.cleanup();
  });

  async function storedIds(): Promise<string[]> {
    const page = await stores.objects.queryObjects({
      visibleTo: 'all',
      collectionId,
      filter: { versions: { kind: 'all' } },
      limit: 1000,
      withBody: false,
    });
    return page.items.map((i) => `${i.id}@${i.version}`).sort();
  }

  it('stores the valid objects and returns the complete status, as stored', async () => {
    const good = makeIndicator({ description: 'no warning' });
    const bad = makeIndicator({ spec_version: '9.9' });
    const t0 = nowMicros();
    const s = await ingest(deps({ statusTtlHours: 30 }), { ...args(), objects: [good, bad, 7] });
    const t1 = nowMicros();
    assert.match(s.id, UUID4);
    assert.deepEqual(
      { ...s, id: '', requestTimestamp: 0, expiresAt: 0, failures: [] },
      {
        id: '',
        apiRoot: 'api1',
        collectionId,
        member: 'alice',
        requestTimestamp: 0,
        status: 'complete',
        totalCount: 3,
        successCount: 1,
        failureCount: 2,
        pendingCount: 0,
        successes: [{ id: good.id, version: good.modified, message: 'added' }],
        failures: [],
        pendings: [],
        expiresAt: 0,
      },
    );
    assert.deepEqual(
      s.failures.map((f) => [f.id, f.version]),
      [
        [bad.id, bad.modified],
        ['unknown', 'unknown'],
      ],
    );
    assert.equal(s.failures[0]?.message, `enum-value at $.spec_version: must be '2.1', got "9.9"`);
    assert.equal(s.failures[1]?.message, 'object-form at $: a STIX object MUST be a JSON object');
    assert.ok(
      s.requestTimestamp >= t0 - MS && s.requestTimestamp <= t1 + MS,
      'taken when the request came in',
    );
    assert.ok(
      s.expiresAt >= t0 - MS + 30 * HOUR_US && s.expiresAt <= nowMicros() + MS + 30 * HOUR_US,
      String(s.expiresAt),
    );
    assert.deepEqual(await storedIds(), [`${good.id}@${good.modified}`]);
    assert.deepEqual(await stores.statuses.getStatus({ apiRoot: 'api1', id: s.id }), s);
  });

  it('a version already stored is a success "already present"; a warning is added to either message', async () => {
    const plain = makeIndicator({ description: 'described' });
    const warned = makeIndicator(); // no description: an indicator SHOULD have one (a warning)
    const first = await ingest(deps(), { ...args(), objects: [plain, warned] });
    const warning = 'warning: indicator-description at $.description: an indicator SHOULD have a description';
    assert.deepEqual(first.successes, [
      { id: plain.id, version: plain.modified, message: 'added' },
      { id: warned.id, version: warned.modified, message: `added; ${warning}` },
    ]);
    const again = await ingest(deps(), { ...args(), objects: [warned, plain] });
    assert.deepEqual(again.successes, [
      { id: warned.id, version: warned.modified, message: `${DUPLICATE}; ${warning}` },
      { id: plain.id, version: plain.modified, message: DUPLICATE },
    ]);
    assert.deepEqual([...first.successes, ...again.successes].map(isAdded), [true, true, false, false]);
    assert.equal(isAdded({ id: 'x', version: 'v' }), false, 'no message: not reported as added');
    assert.equal((await storedIds()).length, 2);
  });

  it('nothing valid: nothing stored, the status says so', async () => {
    const s = await ingest(deps(), { ...args(), objects: [1, 2] });
    assert.deepEqual([s.totalCount, s.successCount, s.failureCount, s.successes.length], [2, 0, 2, 0]);
    assert.deepEqual(await storedIds(), []);
    assert.deepEqual(await stores.statuses.getStatus({ apiRoot: 'api1', id: s.id }), s);
  });

  it('stores the status with its lists bounded (default DEFAULT_STATUS_BYTES) and returns it whole', async () => {
    assert.equal(DEFAULT_STATUS_BYTES, 2 * 1024 * 1024);
    // Failures of exactly 1 KiB each (40 + id + version + message bytes): 2048 fill the default bound.
    const detail = (i: number): StatusDetail => ({ id: 'x', version: 'v', message: `${i}`.padEnd(982, '.') });
    const prepared = (n: number): Prepared => ({
      total: n,
      accepted: [],
      warnings: [],
      failures: Array.from({ length: n }, (_, i) => detail(i)),
    });
    const fits = await commitPrepared(deps(), args(), prepared(2048));
    const stored = await stores.statuses.getStatus({ apiRoot: 'api1', id: fits.id });
    assert.equal(stored?.failures.length, 2048);
    const over = await commitPrepared(deps(), args(), prepared(2049));
    assert.equal(over.failures.length, 2049, 'returned whole');
    const left = await stores.statuses.getStatus({ apiRoot: 'api1', id: over.id });
    assert.deepEqual([left?.failureCount, left?.failures.length], [2049, 0]);
    // A bound of its own.
    const small = await commitPrepared(deps({ statusBytes: 1024 }), args(), prepared(2));
    const smallStored = await stores.statuses.getStatus({ apiRoot: 'api1', id: small.id });
    assert.deepEqual([smallStored?.failureCount, smallStored?.failures.length], [2, 0]);
  });

  it('nothing valid: the object store is not asked (its failure does not stop the status)', async () => {
    const closed = await openTestStore();
    await closed.cleanup();
    const s = await ingest(deps({ objects: closed.objects }), { ...args(), objects: [1] });
    assert.deepEqual([s.totalCount, s.failureCount], [1, 1]);
    assert.deepEqual(await stores.statuses.getStatus({ apiRoot: 'api1', id: s.id }), s);
    await assert.rejects(
      ingest(deps({ objects: closed.objects }), { ...args(), objects: [makeIndicator()] }),
    );
  });

  it('the request timestamp is the one given, else now', async () => {
    const p: Prepared = { total: 1, accepted: [], warnings: [], failures: [{ id: 'a', version: 'b' }] };
    const given = await commitPrepared(deps(), args(), p, 1234);
    assert.equal(given.requestTimestamp, 1234);
    const t0 = nowMicros();
    const now = await commitPrepared(deps(), args(), p);
    assert.ok(now.requestTimestamp >= t0 - MS && now.requestTimestamp <= nowMicros() + MS);
  });

  describe('when the status cannot be stored', () => {
    it('a store that fails once: the status is stored on the second try', async () => {
      let calls = 0;
      const flaky: StatusStore = {
        ...stores.statuses,
        putStatus: async (s: StatusRecord) => {
          if (calls++ === 0) throw new StoreError('injected fault');
          return stores.statuses.putStatus(s);
        },
        getStatus: (a) => stores.statuses.getStatus(a),
      };
      const s = await ingest(deps({ statuses: flaky }), { ...args(), objects: [makeIndicator()] });
      assert.equal(calls, 2);
      assert.deepEqual(await stores.statuses.getStatus({ apiRoot: 'api1', id: s.id }), s);
    });

    /** Every status of member `who` is refused by the store (a fault in the real SQLite file). */
    function refuseStatusesOf(who: string): () => void {
      const loc = parseStoreUrl(stores.url);
      assert.ok(loc?.kind === 'sqlite');
      const db = new Database(loc.path);
      db.exec(`CREATE TRIGGER fault_${who} BEFORE INSERT ON statuses WHEN NEW.member = '${who}'
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END;`);
      return () => {
        db.exec(`DROP TRIGGER fault_${who}`);
        db.close();
      };
    }

    it('objects stored: answered with the status all the same, and the failure logged', async function () {
      if (parseStoreUrl(stores.url)?.kind !== 'sqlite') this.skip();
      const undo = refuseStatusesOf('bob');
      try {
        const { logger, lines } = captureLogger();
        const good = makeIndicator();
        const s = await ingest(deps({ logger }), { ...args(), member: 'bob', objects: [good] });
        assert.equal(s.successCount, 1);
        assert.equal(await stores.statuses.getStatus({ apiRoot: 'api1', id: s.id }), null);
        assert.deepEqual(await storedIds(), [`${good.id}@${good.modified}`]);
        const errors = lines().filter((l) => l.level === LEVEL.error);
        assert.equal(errors.length, 1);
        assert.equal(
          errors[0]?.msg,
          'objects stored but their status could not be stored; answered with it (GET status will not find it)',
        );
        assert.deepEqual(
          [errors[0]?.status, errors[0]?.collection, errors[0]?.member],
          [s.id, collectionId, 'bob'],
        );
        assert.match(JSON.stringify(errors[0]?.err), /injected fault/);
        // Without a logger it is answered all the same.
        const s2 = await ingest(deps(), { ...args(), member: 'bob', objects: [makeIndicator()] });
        assert.equal(s2.successCount, 1);
      } finally {
        undo();
      }
    });

    it('nothing stored: the store error is the answer', async function () {
      if (parseStoreUrl(stores.url)?.kind !== 'sqlite') this.skip();
      const undo = refuseStatusesOf('carol');
      try {
        await assert.rejects(ingest(deps(), { ...args(), member: 'carol', objects: [1] }), (e: Error) =>
          /injected fault/.test(e.message),
        );
      } finally {
        undo();
      }
    });
  });
});

describe('ingest: status bounds and summaries', () => {
  const d = (id: string, version: string, message?: string): StatusDetail =>
    message === undefined ? { id, version } : { id, version, message };
  const status = (
    lists: Partial<Pick<StatusRecord, 'successes' | 'failures' | 'pendings'>>,
  ): StatusRecord => {
    const successes = lists.successes ?? [];
    const failures = lists.failures ?? [];
    const pendings = lists.pendings ?? [];
    return {
      id: 'id',
      apiRoot: 'api1',
      collectionId: 'c',
      member: 'm',
      requestTimestamp: 1,
      status: 'complete',
      totalCount: successes.length + failures.length + pendings.length,
      successCount: successes.length,
      failureCount: failures.length,
      pendingCount: pendings.length,
      successes,
      failures,
      pendings,
      expiresAt: 2,
    };
  };

  it('boundStatus keeps each list whole while it fits, failures first, counting UTF-8 bytes', () => {
    // 40 + 2 + 2 + 6 ("éé.." is 6 bytes, 4 characters) = 50 bytes; without a message 44.
    const f = [d('f1', 'v1', 'éé..'), d('f2', 'v2', 'éé..')];
    const s = [d('s1', 'v1')];
    const p = [d('p1', 'v1', 'éé..')];
    const whole = status({ failures: f, successes: s, pendings: p });
    assert.equal(boundStatus(whole, 194), whole, 'everything fits: the same record');
    assert.deepEqual(boundStatus(whole, 193), { ...whole, pendings: [] });
    assert.deepEqual(boundStatus(whole, 144), { ...whole, pendings: [] });
    assert.deepEqual(boundStatus(whole, 143), { ...whole, successes: [], pendings: [] });
    assert.deepEqual(boundStatus(whole, 100), { ...whole, successes: [], pendings: [] });
    // What a left-out list does not use is left for the next ones.
    assert.deepEqual(boundStatus(whole, 99), { ...whole, failures: [] });
    assert.deepEqual(boundStatus(whole, 94), { ...whole, failures: [] });
    assert.deepEqual(boundStatus(whole, 93), { ...whole, failures: [], pendings: [] });
    assert.deepEqual(boundStatus(whole, 44), { ...whole, failures: [], pendings: [] });
    assert.deepEqual(boundStatus(whole, 43), { ...whole, failures: [], successes: [], pendings: [] });
    assert.deepEqual(boundStatus(status({ successes: s }), 44), status({ successes: s }));
    const counts = boundStatus(whole, 0);
    assert.deepEqual(
      [counts.totalCount, counts.successCount, counts.failureCount, counts.pendingCount],
      [4, 1, 2, 1],
    );
  });

  it('statusBudget: four times the request, at least 64 KiB, at most the configured bound', () => {
    const MiB = 1024 * 1024;
    assert.equal(statusBudget(0, 2 * MiB), 64 * 1024);
    assert.equal(statusBudget(16 * 1024, 2 * MiB), 64 * 1024);
    assert.equal(statusBudget(16 * 1024 + 1, 2 * MiB), 64 * 1024 + 4);
    assert.equal(statusBudget(100_000, 2 * MiB), 400_000);
    assert.equal(statusBudget(MiB, 2 * MiB), 2 * MiB);
    assert.equal(statusBudget(100, 1000), 1000);
  });

  it('summarise counts added, duplicates and failures by the first rule of each message', () => {
    const s = status({
      successes: [
        d('a', '1', 'added'),
        d('b', '1', `${DUPLICATE}; warning: x`),
        d('c', '1', 'added; warning: y'),
      ],
      failures: [
        d('d', '1', 'spec-version at $.spec_version: bad; id at $.id: bad'),
        d('e', '1', 'spec-version at $: bad'),
        d('f', '1', 'not-an-object at $: no'),
        d('g', '1', 'Weird message'),
        d('h', '1'),
        d('i', '1', 'x at $ but upper-case rule'),
      ],
    });
    const sum = summarise({ ...s, totalCount: 12 });
    assert.deepEqual(
      { ...sum, failedByRule: [...sum.failedByRule] },
      {
        total: 12,
        added: 2,
        duplicates: 1,
        failed: 6,
        failedByRule: [
          ['spec-version', 2],
          ['not-an-object', 1],
          ['unknown', 2],
          ['x', 1],
        ],
      },
    );
    const odd = summarise(status({ failures: [d('j', '1', 'ok then spec-version at $: no')] }));
    assert.deepEqual([...odd.failedByRule], [['unknown', 1]], 'the rule starts the message');
  });
});
