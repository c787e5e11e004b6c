/**
 * The object endpoints exactly as served, on a small hub of its own: which parameters each endpoint
 * takes, the bodies and X-TAXII-Date-Added headers of each page, `next` carrying every filter, the
 * exact refusals (403/404/406/415 descriptions), and the log lines of writes and deletes. The
 * conformance suites (objects, manifest, versions, paging, post, delete) check the same rules
 * against the checklist; this one pins the exact output.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../server/logger';
import { Metrics } from '../../server/telemetry/metrics';
import { startHub, type TestHub } from '../helpers/hub';
import { makeIndicator, makeMalware, toNewVersion, withModified, type StixObject } from '../helpers/stix';
import { assertOk, assertTaxiiError, Client, rawCall, STIX21, TAXII, type Reply, type User } from './fixture';

const ANN: User = { name: 'ann', password: 'ann-secret-1' };
/** Read-only on C. */
const RAY: User = { name: 'ray', password: 'ray-secret-1' };

interface Page {
  more?: boolean;
  next?: string;
  objects?: StixObject[];
  versions?: string[];
}

describe('TAXII HTTP: object endpoints exactly as served', function () {
  let hub: TestHub;
  let ann: Client;
  let ray: Client;
  let C: string;
  let WO: string;
  const lines: Record<string, unknown>[] = [];
  const metrics = new Metrics();
  /** The `objects` of the access log line of each request logged since the last reset. */
  const objectsLogged = () => lines.filter((l) => l.msg === 'request').map((l) => [l.method, l.objects]);
  const v1 = makeIndicator({ created: '2025-01-01T00:00:00.000Z' });
  const v2 = withModified(v1, '2025-01-01T01:00:00.000Z');
  const v3 = withModified(v1, '2025-01-01T02:00:00.000Z');
  const W = makeMalware();
  /** date_added (TAXII timestamp) of each version, keyed `id@modified`. */
  const added = new Map<string, string>();
  const addedOf = (o: StixObject) =>
    added.get(`${o.id}@${String(o.modified)}`) ?? assert.fail('no date_added');

  const path = (rest: string) => `/api1/collections/${C}/${rest}`;

  before(async function () {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l));
        cb();
      },
    });
    hub = await startHub({
      logger: createLogger('info', sink),
      metrics,
      env: { TESSERA_MAX_CONTENT_LENGTH: '100000', TESSERA_MAX_PAGE_BYTES: '65536' },
    });
    await hub.addMember(ANN.name, ANN.password, ['g']);
    await hub.addMember(RAY.name, RAY.password, ['r']);
    C = (
      await hub.addCollection({
        grants: [
          { group: 'g', read: true, write: true },
          { group: 'r', read: true, write: false },
        ],
      })
    ).id;
    WO = (await hub.addCollection({ grants: [{ group: 'g', read: false, write: true }] })).id;
    ann = new Client(hub, ANN);
    ray = new Client(hub, RAY);
    for (const o of [v1, v2, v3, W]) assertOk(await ann.post(path('objects/'), { objects: [o] }), 202);
    const man = assertOk(
      await ann.get<{ objects: { id: string; version: string; date_added: string }[] }>(
        path('manifest/?match[version]=all'),
      ),
    );
    for (const r of man.objects) added.set(`${r.id}@${r.version}`, r.date_added);
    assert.equal(added.size, 4);
  });
  after(async function () {
    await hub?.close();
  });
  beforeEach(function () {
    lines.length = 0;
  });

  function headers(res: Reply): [unknown, unknown] {
    return [res.headers['x-taxii-date-added-first'], res.headers['x-taxii-date-added-last']];
  }

  /** Follows `next` (sent alone) to the end; the bodies of every page. */
  async function pages(first: string, base: string): Promise<Page[]> {
    const out: Page[] = [assertOk(await ann.get<Page>(first))];
    for (let last = out[0]; last?.next !== undefined;) {
      last = assertOk(await ann.get<Page>(`${base}?next=${encodeURIComponent(last.next)}`));
      out.push(last);
    }
    return out;
  }

  it('objects/{id}/: the latest version by default, every version with match[version]=all; headers bracket the page', async function () {
    const latest = await ann.get(path(`objects/${v1.id}/`));
    assert.equal(latest.text, JSON.stringify({ objects: [v3] }));
    assert.deepEqual(headers(latest), [addedOf(v3), addedOf(v3)]);
    const all = await ann.get(path(`objects/${v1.id}/?match[version]=all`));
    assert.equal(all.text, JSON.stringify({ objects: [v1, v2, v3] }));
    assert.deepEqual(headers(all), [addedOf(v1), addedOf(v3)]);
  });

  it('objects/{id}/ takes added_after, limit, next, match[version] and match[spec_version], and ignores the rest', async function () {
    const after = assertOk(
      await ann.get<Page>(path(`objects/${v1.id}/?match[version]=all&added_after=${addedOf(v1)}`)),
    );
    assert.deepEqual(after, { objects: [v2, v3] });
    const got = await pages(path(`objects/${v1.id}/?match[version]=all&limit=1`), path(`objects/${v1.id}/`));
    assert.deepEqual(
      got.map((p) => [p.more, p.objects]),
      [
        [true, [v1]],
        [true, [v2]],
        [undefined, [v3]],
      ],
    );
    const none = await ann.get(path(`objects/${v1.id}/?match[spec_version]=2.0`));
    assert.equal(none.text, '{}');
    assert.deepEqual(headers(none), [undefined, undefined]);
    const ignored = await ann.get(path(`objects/${v1.id}/?match[type]=malware&match[id]=${W.id}`));
    assert.equal(ignored.text, JSON.stringify({ objects: [v3] }));
  });

  it('a page with more: `more` and `next` first, then the list', async function () {
    const res = await ann.get<Page>(path('objects/?match[version]=all&limit=2'));
    const body = assertOk(res);
    assert.equal(typeof body.next, 'string');
    assert.equal(
      res.text,
      `{"more":true,"next":${JSON.stringify(body.next)},"objects":${JSON.stringify([v1, v2])}}`,
    );
    assert.deepEqual(headers(res), [addedOf(v1), addedOf(v2)]);
  });

  it('versions/: the versions in date_added order; takes added_after, limit, next and match[spec_version] only', async function () {
    const all = await ann.get(path(`objects/${v1.id}/versions/`));
    assert.equal(all.text, JSON.stringify({ versions: [v1.modified, v2.modified, v3.modified] }));
    assert.deepEqual(headers(all), [addedOf(v1), addedOf(v3)]);
    // match[version] is not a parameter of this endpoint.
    assert.equal((await ann.get(path(`objects/${v1.id}/versions/?match[version]=first`))).text, all.text);
    const got = await pages(path(`objects/${v1.id}/versions/?limit=2`), path(`objects/${v1.id}/versions/`));
    assert.deepEqual(
      got.map((p) => [p.more, p.versions]),
      [
        [true, [v1.modified, v2.modified]],
        [undefined, [v3.modified]],
      ],
    );
    assert.deepEqual(assertOk(await ann.get(path(`objects/${v1.id}/versions/?added_after=${addedOf(v2)}`))), {
      versions: [v3.modified],
    });
    assert.equal((await ann.get(path(`objects/${v1.id}/versions/?match[spec_version]=2.0`))).text, '{}');
  });

  it('manifest/: one record per version with id, date_added, version and the STIX media type', async function () {
    const res = await ann.get(path('manifest/?match[version]=all'));
    const record = (o: StixObject) => ({
      id: o.id,
      date_added: addedOf(o),
      version: o.modified,
      media_type: STIX21,
    });
    assert.equal(res.text, JSON.stringify({ objects: [v1, v2, v3, W].map(record) }));
    assert.deepEqual(headers(res), [addedOf(v1), addedOf(W)]);
    assert.deepEqual(objectsLogged(), [['GET', 4]]);
  });

  it('next carries every filter of the first request: type, id, version and added_after', async function () {
    const ids = (ps: Page[]) => ps.map((p) => (p.objects ?? []).map((o) => `${o.id}@${String(o.modified)}`));
    const key = (o: StixObject) => `${o.id}@${String(o.modified)}`;
    assert.deepEqual(
      ids(await pages(path('objects/?match[type]=indicator&match[version]=all&limit=2'), path('objects/'))),
      [[key(v1), key(v2)], [key(v3)]],
    );
    assert.deepEqual(
      ids(await pages(path(`objects/?match[id]=${v1.id}&match[version]=all&limit=1`), path('objects/'))),
      [[key(v1)], [key(v2)], [key(v3)]],
    );
    assert.deepEqual(
      ids(await pages(path(`objects/?added_after=${addedOf(v1)}&limit=1`), path('objects/'))),
      [[key(v3)], [key(W)]],
    );
    // A filter given again with next replaces the token's.
    const first = assertOk(
      await ann.get<Page>(path('objects/?match[type]=indicator&match[version]=all&limit=1')),
    );
    const swapped = assertOk(
      await ann.get<Page>(
        path(`objects/?match[type]=malware&next=${encodeURIComponent(String(first.next))}`),
      ),
    );
    assert.deepEqual(swapped.objects, [W]);
  });

  it('next after the object is gone: an empty page, not 404', async function () {
    const x1 = makeIndicator({ created: '2025-02-01T00:00:00.000Z' });
    const x2 = withModified(x1, '2025-02-01T01:00:00.000Z');
    for (const o of [x1, x2]) assertOk(await ann.post(path('objects/'), { objects: [o] }), 202);
    const first = assertOk(await ann.get<Page>(path(`objects/${x1.id}/?match[version]=all&limit=1`)));
    const vfirst = assertOk(await ann.get<Page>(path(`objects/${x1.id}/versions/?limit=1`)));
    assertOk(await ann.delete(path(`objects/${x1.id}/`)));
    const rest = await ann.get(path(`objects/${x1.id}/?next=${encodeURIComponent(String(first.next))}`));
    assert.equal(rest.status, 200);
    assert.equal(rest.text, '{}');
    const vrest = await ann.get(
      path(`objects/${x1.id}/versions/?next=${encodeURIComponent(String(vfirst.next))}`),
    );
    assert.equal(vrest.text, '{}');
    assertTaxiiError(await ann.get(path(`objects/${x1.id}/`)), 404);
  });

  it('an object that does not exist (or not here) → 404 naming it', async function () {
    const id = `indicator--${randomUUID()}`;
    for (const p of [`objects/${id}/`, `objects/${id}/versions/`]) {
      const res = await ann.get(p.startsWith('objects') ? path(p) : p);
      assert.deepEqual(res.body, {
        title: 'Not found',
        http_status: '404',
        description: `object ${id} not found`,
        error_code: 'not_found',
      });
    }
  });

  it('refusals name what was refused: 403 per action, 404 for an unknown collection, 406, 415', async function () {
    const error = async (res: Promise<Reply>, status: number) => {
      const r = await res;
      assertTaxiiError(r, status);
      return (r.body as { description?: string }).description;
    };
    assert.equal(
      await error(ann.get(`/api1/collections/${WO}/objects/`), 403),
      'you have no read access to this collection',
    );
    assert.equal(
      await error(ray.post(path('objects/'), { objects: [makeIndicator()] }), 403),
      'you have no write access to this collection',
    );
    assert.equal(
      await error(ray.delete(path(`objects/${W.id}/`)), 403),
      'deleting objects needs both read and write access to the collection',
    );
    const X = randomUUID();
    assert.equal(await error(ann.get(`/api1/collections/${X}/manifest/`), 404), `collection ${X} not found`);
    assert.equal(
      await error(ann.get(path('objects/'), { Accept: 'application/json' }), 406),
      'this server answers only with application/taxii+json;version=2.1',
    );
    assert.equal(
      await error(
        ann.post(path('objects/'), { objects: [makeIndicator()] }, { 'Content-Type': 'application/json' }),
        415,
      ),
      'the request body must be sent as application/taxii+json;version=2.1',
    );
  });

  it('an empty page of a list: 200 {} without headers', async function () {
    for (const p of ['objects/', 'manifest/']) {
      const res = await ann.get(path(`${p}?match[spec_version]=2.0`));
      assert.equal(res.status, 200);
      assert.equal(res.text, '{}');
      assert.deepEqual(headers(res), [undefined, undefined]);
    }
  });

  it('versions/ ignores the type and id filters', async function () {
    const res = await ann.get(path(`objects/${v1.id}/versions/?match[type]=malware&match[id]=${W.id}`));
    assert.equal(res.text, JSON.stringify({ versions: [v1.modified, v2.modified, v3.modified] }));
  });

  it('next carries match[spec_version] too', async function () {
    const C20 = (await hub.addCollection({ grants: [{ group: 'g', read: true, write: true }] })).id;
    // STIX 2.0 objects cannot be POSTed; stored directly, as an import of old data would.
    const old = [makeMalware(), makeMalware()].map((o) => {
      const { spec_version: _drop, ...rest } = o;
      return rest as StixObject;
    });
    for (const o of old) {
      await hub.stores.objects.addObjects({ collectionId: C20, addedBy: 'ann', objects: [toNewVersion(o)] });
    }
    assertOk(await ann.post(`/api1/collections/${C20}/objects/`, { objects: [makeMalware()] }), 202);
    const base = `/api1/collections/${C20}/objects/`;
    const got = await pages(`${base}?match[spec_version]=2.0&limit=1`, base);
    assert.deepEqual(
      got.map((p) => (p.objects ?? []).map((o) => o.id)),
      old.map((o) => [o.id]),
    );
  });

  it('a page of one object costs one store query; only an empty one checks that the object exists', async function () {
    // Count the calls the hub makes (the store itself answers them).
    const store = hub.stores.objects;
    const real = store.objectExists.bind(store);
    let calls = 0;
    store.objectExists = (args) => {
      calls += 1;
      return real(args);
    };
    const exists = () => Promise.resolve(calls);
    const before = await exists();
    assertOk(await ann.get(path(`objects/${v1.id}/`)));
    assertOk(await ann.get(path(`objects/${v1.id}/versions/`)));
    assert.equal(await exists(), before);
    assertTaxiiError(await ann.get(path(`objects/indicator--${randomUUID()}/`)), 404);
    assert.equal(await exists(), before + 1);
    store.objectExists = real;
  });

  it('pages of objects end before max_page_bytes; manifests are not cut', async function () {
    const BIG = (await hub.addCollection({ grants: [{ group: 'g', read: true, write: true }] })).id;
    const big = [0, 1].map(() => makeIndicator({ description: 'x'.repeat(40_000) }));
    for (const o of big) assertOk(await ann.post(`/api1/collections/${BIG}/objects/`, { objects: [o] }), 202);
    const page = assertOk(await ann.get<Page>(`/api1/collections/${BIG}/objects/`));
    assert.deepEqual([page.more, (page.objects ?? []).map((o) => o.id)], [true, [big[0]?.id]]);
    const man = assertOk(await ann.get<{ objects: { id: string }[] }>(`/api1/collections/${BIG}/manifest/`));
    assert.deepEqual(
      man.objects.map((r) => r.id),
      big.map((o) => o.id),
    );
  });

  it('a body above max_content_length → 413 naming the limit', async function () {
    const res = await ann.post(path('objects/'), `{"objects":[]}${' '.repeat(100_000)}`);
    assertTaxiiError(res, 413);
    assert.equal(
      (res.body as { description?: string }).description,
      'the request body exceeds max_content_length (100000 bytes)',
    );
  });

  it('the audit trail names the object read or deleted, and no object for lists', async function () {
    const since = Date.now() * 1000 - 1_000_000;
    assertOk(await ann.get(path(`objects/${W.id}/`)));
    assertOk(await ann.get(path(`objects/${W.id}/versions/`)));
    assertOk(await ann.get(path('manifest/')));
    assertTaxiiError(await ray.get(`/api1/collections/${WO}/objects/${W.id}/`), 404);
    await hub.audit.flush();
    const records = (await hub.stores.audit.queryAudit({ since, limit: 10_000 })).filter(
      (r) => r.kind === 'read',
    );
    assert.deepEqual(
      records.slice(-4).map((r) => [r.member, r.endpoint, r.apiRoot, r.collection, r.detail]),
      [
        ['ann', 'GET object', 'api1', C, `${W.id}; via secret`],
        ['ann', 'GET versions', 'api1', C, `${W.id}; via secret`],
        ['ann', 'GET manifest', 'api1', C, 'via secret'],
        ['ray', 'GET object', 'api1', WO, `${W.id}; via secret`],
      ],
    );
  });

  it('a collection the member has no right on → 404 naming it, as an unknown one', async function () {
    const res = await ray.get(`/api1/collections/${WO}/objects/`);
    assertTaxiiError(res, 404);
    assert.equal((res.body as { description?: string }).description, `collection ${WO} not found`);
  });

  it('paths without the trailing slash are served too', async function () {
    assertOk(await ann.get('/taxii2'));
    assertOk(await ann.get('/api1'));
    assertOk(await ann.get(path(`objects/${v1.id}`)));
  });

  it('POST: 202 with the status, and one log line with the counts', async function () {
    const fresh = makeIndicator();
    const bad = makeIndicator({ spec_version: '9.9' });
    const ingested = async () => {
      const n = { added: 0, duplicate: 0, failed: 0 };
      for (const v of (await metrics.objectsIngested.get()).values) {
        if (v.labels.source === 'taxii') n[v.labels.outcome as keyof typeof n] += v.value;
      }
      return n;
    };
    const before = await ingested();
    const res = await ann.post(path('objects/'), { objects: [fresh, v1, bad] });
    const status = assertOk(res, 202) as unknown as Record<string, unknown>;
    assert.deepEqual(
      [status.total_count, status.success_count, status.failure_count, status.pending_count],
      [3, 2, 1, 0],
    );
    assert.deepEqual(objectsLogged(), [['POST', 3]]);
    const after = await ingested();
    assert.deepEqual(
      [after.added - before.added, after.duplicate - before.duplicate, after.failed - before.failed],
      [1, 1, 1],
    );
    const line = lines.find((l) => String(l.msg).startsWith('objects received'));
    assert.ok(line, JSON.stringify(lines));
    assert.deepEqual(
      [
        line.level,
        line.msg,
        line.member,
        line.collection,
        line.total,
        line.added,
        line.duplicates,
        line.failed,
      ],
      [30, 'objects received: 1 added, 1 duplicates, 1 failed', 'ann', C, 3, 1, 1, 1],
    );
  });

  it('DELETE: 200 with an empty TAXII body; only the versions matched; a log line with the count', async function () {
    const d1 = makeIndicator({ created: '2025-03-01T00:00:00.000Z' });
    const d2 = withModified(d1, '2025-03-01T01:00:00.000Z');
    assertOk(await ann.post(path('objects/'), { objects: [d1, d2] }), 202);
    // No version of spec 2.0: nothing to delete.
    assertTaxiiError(await ann.delete(path(`objects/${d1.id}/?match[spec_version]=2.0`)), 404);
    lines.length = 0;
    const res = await ann.delete(path(`objects/${d1.id}/?match[version]=${String(d1.modified)}`));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], TAXII);
    assert.equal(res.text, '');
    assert.deepEqual(
      lines
        .filter((l) => l.msg !== 'request')
        .map((l) => [l.level, l.msg, l.member, l.collection, l.object, l.deleted]),
      [[30, 'object deleted', 'ann', C, d1.id, 1]],
    );
    assert.deepEqual(objectsLogged(), [['DELETE', 1]]);
    assert.deepEqual(assertOk(await ann.get(path(`objects/${d1.id}/versions/`))), {
      versions: [d2.modified],
    });
    const both = await ann.delete(path(`objects/${d1.id}/?match[spec_version]=2.1`));
    assert.equal(both.status, 200);
    assertTaxiiError(await ann.get(path(`objects/${d1.id}/`)), 404);
    const gone = await ann.delete(path(`objects/${d1.id}/`));
    assert.equal((gone.body as { description?: string }).description, `object ${d1.id} not found`);
  });

  it('an unreadable query parameter on DELETE → 400', async function () {
    const res = await rawCall(hub.url, 'DELETE', path(`objects/${W.id}/?match[version]=yesterday`), {
      headers: { Accept: TAXII, Authorization: hub.basic(ANN.name, ANN.password) },
    });
    assertTaxiiError(res, 400);
    assertOk(await ann.get(path(`objects/${W.id}/`)));
  });
});
