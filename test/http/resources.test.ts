/**
 * The TAXII resources exactly as served: discovery, API root, collections, one collection, status
 * and the error resources of the lookups that fail, whole (deepEqual), with what each member may
 * see. The conformance suites check the rules one property at a time; this suite pins the bodies.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHub, type TestHub } from '../helpers/hub';
import { emptyStatus } from '../helpers/store';
import type { StatusRecord } from '../../server/store/contract';
import { assertOk, assertTaxiiError, Client, STIX21, TAXII, type Reply, type User } from './fixture';

const ANN: User = { name: 'ann', password: 'ann-secret-1' };
/** Same group as ann. */
const BEN: User = { name: 'ben', password: 'ben-secret-1' };
/** Sees only a collection of api2. */
const ZED: User = { name: 'zed', password: 'zed-secret-1' };
/** In no group. */
const NEL: User = { name: 'nel', password: 'nel-secret-1' };

const US = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in microseconds

/** The 404 resource with this description. */
function notFound(description: string): Record<string, unknown> {
  return { title: 'Not found', http_status: '404', description, error_code: 'not_found' };
}

/** The whole error resource of a refusal. */
function errorOf(res: Reply, status: number): Record<string, unknown> {
  assertTaxiiError(res, status);
  return res.body as Record<string, unknown>;
}

describe('TAXII HTTP: resources exactly as served', function () {
  let hub: TestHub;
  let ann: Client;
  let ben: Client;
  let zed: Client;
  let nel: Client;
  const C1 = randomUUID();
  const C2 = randomUUID();
  const HIDDEN = randomUUID();
  const Z = randomUUID();

  before(async function () {
    hub = await startHub({
      env: { TESSERA_TITLE: 'Hub T', TESSERA_CONTACT: 'soc@example.org', TESSERA_MAX_CONTENT_LENGTH: '4096' },
    });
    await hub.addMember(ANN.name, ANN.password, ['g']);
    await hub.addMember(BEN.name, BEN.password, ['g']);
    await hub.addMember(ZED.name, ZED.password, ['z']);
    await hub.addMember(NEL.name, NEL.password, []);
    const { registry } = hub.stores;
    await registry.createApiRoot({ name: 'api2', title: 'Second root', description: 'The second one' });
    await registry.createApiRoot({ name: 'api3', title: 'Third root', description: '' });
    await registry.createApiRoot({ name: 'api4', title: 'Nobody here' });
    await registry.createCollection({
      id: C1,
      apiRoot: 'api1',
      title: 'One',
      description: 'The first collection',
      alias: 'one',
      mediaTypes: [STIX21],
      grants: [{ group: 'g', read: true, write: false }],
    });
    await registry.createCollection({
      id: C2,
      apiRoot: 'api1',
      title: 'Two',
      mediaTypes: [],
      grants: [{ group: 'g', read: false, write: true }],
    });
    await registry.createCollection({
      id: HIDDEN,
      apiRoot: 'api1',
      title: 'Hidden',
      mediaTypes: [STIX21],
      grants: [{ group: 'g', read: false, write: false }],
    });
    await registry.createCollection({
      id: Z,
      apiRoot: 'api2',
      title: 'Zed',
      mediaTypes: [STIX21],
      grants: [
        { group: 'z', read: true, write: true },
        { group: 'g', read: true, write: true },
      ],
    });
    await registry.createCollection({
      id: randomUUID(),
      apiRoot: 'api3',
      title: 'Three',
      mediaTypes: [STIX21],
      grants: [{ group: 'g', read: true, write: false }],
    });
    ann = new Client(hub, ANN);
    ben = new Client(hub, BEN);
    zed = new Client(hub, ZED);
    nel = new Client(hub, NEL);
  });
  after(async function () {
    await hub?.close();
  });

  it('discovery: title, contact, default and the roots holding a collection the member sees', async function () {
    assert.deepEqual(assertOk(await ann.get('/taxii2/')), {
      title: 'Hub T',
      contact: 'soc@example.org',
      default: '/api1/',
      api_roots: ['/api1/', '/api2/', '/api3/'],
    });
    // The default root is named only when the member sees it.
    assert.deepEqual(assertOk(await zed.get('/taxii2/')), {
      title: 'Hub T',
      contact: 'soc@example.org',
      api_roots: ['/api2/'],
    });
    assert.deepEqual(assertOk(await nel.get('/taxii2/')), { title: 'Hub T', contact: 'soc@example.org' });
  });

  it('discovery: the description when configured, absolute URLs under the public URL', async function () {
    const other = await startHub({
      env: { TESSERA_DESCRIPTION: 'Hub D', TESSERA_PUBLIC_URL: 'https://hub.example.org' },
      storeUrl: hub.storeUrl,
    });
    try {
      assert.deepEqual(assertOk(await new Client(other, ZED).get('/taxii2/')), {
        title: 'Tessera threat-intelligence sharing hub',
        description: 'Hub D',
        api_roots: ['https://hub.example.org/api2/'],
      });
    } finally {
      await other.close();
    }
  });

  it('API root: title, description when not empty, versions and the limits', async function () {
    const limits = {
      max_content_length: 4096,
      x_tessera_max_envelope_objects: hub.config.maxEnvelopeObjects,
      x_tessera_max_object_bytes: hub.config.maxObjectBytes,
    };
    assert.deepEqual(assertOk(await ann.get('/api1/')), {
      title: 'Test API root',
      versions: [TAXII],
      ...limits,
    });
    assert.deepEqual(assertOk(await ann.get('/api2/')), {
      title: 'Second root',
      description: 'The second one',
      versions: [TAXII],
      ...limits,
    });
    assert.deepEqual(assertOk(await ann.get('/api3/')), {
      title: 'Third root',
      versions: [TAXII],
      ...limits,
    });
  });

  it('API root: unknown, or holding nothing the member sees → 404 naming the root', async function () {
    for (const [c, path, name] of [
      [ann, '/api9/', 'api9'],
      [ann, '/api4/', 'api4'],
      [zed, '/api1/', 'api1'],
      [nel, '/api2/', 'api2'],
    ] as const) {
      assert.deepEqual(errorOf(await c.get(path), 404), notFound(`API root ${name} not found`));
    }
  });

  it('collections: each visible one with its rights, description, alias and media types when set', async function () {
    const body = assertOk(await ann.get<{ collections: unknown[] }>('/api1/collections/'));
    const expected = [
      {
        id: C1,
        title: 'One',
        description: 'The first collection',
        alias: 'one',
        can_read: true,
        can_write: false,
        media_types: [STIX21],
      },
      { id: C2, title: 'Two', can_read: false, can_write: true },
    ];
    assert.deepEqual(
      body.collections,
      expected.sort((a, b) => a.id.localeCompare(b.id)),
    );
    assert.deepEqual(Object.keys(body), ['collections']);
    assert.deepEqual(assertOk(await zed.get('/api2/collections/')), {
      collections: [{ id: Z, title: 'Zed', can_read: true, can_write: true, media_types: [STIX21] }],
    });
  });

  it('collections of an unknown root, or of one with nothing visible → 404 naming the root', async function () {
    for (const [c, path, name] of [
      [ann, '/api9/collections/', 'api9'],
      [ann, '/api4/collections/', 'api4'],
      [zed, '/api1/collections/', 'api1'],
    ] as const) {
      assert.deepEqual(errorOf(await c.get(path), 404), notFound(`API root ${name} not found`));
    }
  });

  it('one collection, by id or alias; hidden, unknown or of another root → 404', async function () {
    const one = {
      id: C1,
      title: 'One',
      description: 'The first collection',
      alias: 'one',
      can_read: true,
      can_write: false,
      media_types: [STIX21],
    };
    assert.deepEqual(assertOk(await ann.get(`/api1/collections/${C1}/`)), one);
    assert.deepEqual(assertOk(await ann.get('/api1/collections/one/')), one);
    assert.deepEqual(assertOk(await ann.get(`/api1/collections/${C2}/`)), {
      id: C2,
      title: 'Two',
      can_read: false,
      can_write: true,
    });
    for (const [c, path] of [
      [ann, `/api1/collections/${HIDDEN}/`],
      [ann, `/api1/collections/${randomUUID()}/`],
      [ann, `/api2/collections/${C1}/`],
      [nel, `/api1/collections/${C1}/`],
    ] as const) {
      assert.deepEqual(errorOf(await c.get(path), 404), notFound('collection not found'), path);
    }
  });

  describe('status', function () {
    function record(over: Partial<StatusRecord>): StatusRecord {
      return emptyStatus({
        id: randomUUID(),
        apiRoot: 'api1',
        collectionId: C2,
        member: ANN.name,
        requestTimestamp: US + 123_456,
        expiresAt: US + 86_400_000_000 * 365 * 100,
        ...over,
      });
    }

    it('lists every detail, with its message only when there is one', async function () {
      const s = record({
        status: 'pending',
        totalCount: 3,
        successCount: 1,
        failureCount: 1,
        pendingCount: 1,
        successes: [{ id: 'indicator--1', version: '2026-01-01T00:00:00.000Z', message: 'stored' }],
        failures: [{ id: 'indicator--2', version: '2026-01-02T00:00:00.000Z', message: '' }],
        pendings: [{ id: 'indicator--3', version: '2026-01-03T00:00:00.000Z' }],
      });
      await hub.stores.statuses.putStatus(s);
      assert.deepEqual(assertOk(await ann.get(`/api1/status/${s.id}/`)), {
        id: s.id,
        status: 'pending',
        request_timestamp: '2026-01-01T00:00:00.123456Z',
        total_count: 3,
        success_count: 1,
        failure_count: 1,
        pending_count: 1,
        successes: [{ id: 'indicator--1', version: '2026-01-01T00:00:00.000Z', message: 'stored' }],
        failures: [{ id: 'indicator--2', version: '2026-01-02T00:00:00.000Z' }],
        pendings: [{ id: 'indicator--3', version: '2026-01-03T00:00:00.000Z' }],
      });
    });

    it('names the lists left out to bound it; an empty status has neither lists nor names', async function () {
      const bounded = record({ totalCount: 4, successCount: 2, failureCount: 1, pendingCount: 1 });
      const empty = record({});
      const onlyFailures = record({
        totalCount: 1,
        failureCount: 1,
        failures: [{ id: 'indicator--4', version: '2026-01-04T00:00:00.000Z', message: 'bad' }],
      });
      for (const s of [bounded, empty, onlyFailures]) await hub.stores.statuses.putStatus(s);
      const counts = (t: number, ok: number, f: number, p: number) => ({
        total_count: t,
        success_count: ok,
        failure_count: f,
        pending_count: p,
      });
      const head = (s: StatusRecord) => ({
        id: s.id,
        status: 'complete',
        request_timestamp: '2026-01-01T00:00:00.123456Z',
      });
      assert.deepEqual(assertOk(await ann.get(`/api1/status/${bounded.id}/`)), {
        ...head(bounded),
        ...counts(4, 2, 1, 1),
        x_tessera_omitted_lists: ['successes', 'failures', 'pendings'],
      });
      assert.deepEqual(assertOk(await ann.get(`/api1/status/${empty.id}/`)), {
        ...head(empty),
        ...counts(0, 0, 0, 0),
      });
      assert.deepEqual(assertOk(await ann.get(`/api1/status/${onlyFailures.id}/`)), {
        ...head(onlyFailures),
        ...counts(1, 0, 1, 0),
        failures: [{ id: 'indicator--4', version: '2026-01-04T00:00:00.000Z', message: 'bad' }],
      });
    });

    it("is its submitter's only, under its own root: anyone or anywhere else → 404", async function () {
      const s = record({});
      await hub.stores.statuses.putStatus(s);
      assertOk(await ann.get(`/api1/status/${s.id}/`));
      const gone = notFound('status not found');
      assert.deepEqual(errorOf(await ben.get(`/api1/status/${s.id}/`), 404), gone);
      assert.deepEqual(errorOf(await ann.get(`/api2/status/${s.id}/`), 404), gone);
      assert.deepEqual(errorOf(await ann.get(`/api1/status/${randomUUID()}/`), 404), gone);
      assert.deepEqual(
        errorOf(await zed.get(`/api1/status/${s.id}/`), 404),
        notFound('API root api1 not found'),
      );
    });
  });
});
