/**
 * Interoperability with the OASIS reference client, taxii2-client (Python, from the project venv
 * made by scripts/setup-python.sh). A real hub listens on loopback; the driver
 * scripts/interop/taxii2_client_driver.py runs one scenario through the client's own classes
 * (Server, ApiRoot, Collection, Status, as_pages) and prints what each step returned or raised.
 * Every check the client makes (Content-Type, required properties, status counts, collection id in
 * the URL) therefore runs against the hub's real responses.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator, makeMalware, withModified, type StixObject } from '../helpers/stix';
import { pythonProblem, REPO_ROOT, requireTool, runPython, venvPython } from './python';

const DRIVER = path.join(REPO_ROOT, 'scripts', 'interop', 'taxii2_client_driver.py');
const PER_REQUEST = 7;

interface StepError {
  type: string;
  message: string;
  http_status?: number;
  content_type?: string | null;
  body?: unknown;
  traceback?: string;
}
type Step = { ok: true; value: unknown } | { ok: false; error: StepError };

interface Page {
  more: boolean;
  has_next: boolean;
  items: { id: string; version: string }[];
}

interface StatusValue {
  id: string;
  status: string;
  total_count: number;
  success_count: number;
  failure_count: number;
  pending_count: number;
  successes: { id: string; version: string }[];
  failures: unknown[];
  url: string;
}

describe('interop: OASIS taxii2-client against a real hub', function () {
  let hub: TestHub;
  let rwId: string;
  let roId: string;
  let hiddenId: string;
  let objects: StixObject[];
  let roObjects: StixObject[];
  let newVersion: StixObject;
  let steps: Record<string, Step>;
  let stderr = '';

  before(async function () {
    this.timeout(120_000);
    const python = venvPython();
    requireTool(this, pythonProblem(python, ['taxii2client']));

    hub = await startHub();
    await hub.addMember('analyst', 'analyst-secret', ['csirt']);
    await hub.addMember('feeder', 'feeder-secret', ['feeders']);
    const rw = await hub.addCollection({
      title: 'Shared',
      grants: [{ group: 'csirt', read: true, write: true }],
    });
    const ro = await hub.addCollection({
      title: 'Feed',
      grants: [
        { group: 'csirt', read: true, write: false },
        { group: 'feeders', read: true, write: true },
      ],
    });
    const hidden = await hub.addCollection({
      title: 'Other group',
      grants: [{ group: 'feeders', read: true, write: true }],
    });
    rwId = rw.id;
    roId = ro.id;
    hiddenId = hidden.id;

    // 30 objects of two types, interleaved: 20 indicators and 10 malware.
    objects = [];
    for (let i = 0; i < 30; i++) objects.push(i % 3 === 2 ? makeMalware() : makeIndicator());
    newVersion = withModified(objects[0] as StixObject, '2025-06-01T00:00:00.000Z');

    // The read-only collection gets its content from another member, over HTTP.
    roObjects = [makeIndicator(), makeIndicator(), makeMalware()];
    const seeded = await fetch(`${hub.url}/api1/collections/${roId}/objects/`, {
      method: 'POST',
      headers: {
        Accept: TAXII,
        'Content-Type': TAXII,
        Authorization: hub.basic('feeder', 'feeder-secret'),
      },
      body: JSON.stringify({ objects: roObjects }),
    });
    assert.equal(seeded.status, 202, await seeded.clone().text());

    const run = await runPython(python, DRIVER, {
      discovery_url: `${hub.url}/taxii2/`,
      user: 'analyst',
      password: 'analyst-secret',
      rw_collection: rwId,
      ro_collection: roId,
      objects,
      new_version: newVersion,
      type_filter: 'indicator',
      per_request: PER_REQUEST,
    });
    stderr = run.stderr;
    assert.equal(run.code, 0, `driver exited with ${run.code}\n${run.stderr}`);
    steps = JSON.parse(run.stdout) as Record<string, Step>;
  });

  after(async () => {
    if (hub) await hub.close();
  });

  /** The value of a step that must have succeeded; the failure names the client's error. */
  function ok<T>(name: string): T {
    const s = steps[name];
    assert.ok(s, `the driver did not report step ${name}\n${stderr}`);
    if (!s.ok) assert.fail(`taxii2-client step ${name} failed: ${JSON.stringify(s.error, null, 2)}`);
    return s.value as T;
  }

  function failed(name: string): StepError {
    const s = steps[name];
    assert.ok(s, `the driver did not report step ${name}`);
    if (s.ok) assert.fail(`step ${name} was expected to fail but returned ${JSON.stringify(s.value)}`);
    return s.error;
  }

  function checkWalk(pages: Page[], expected: StixObject[]): void {
    const served = pages.flatMap((p) => p.items.map((i) => i.id));
    assert.equal(new Set(served).size, served.length, 'an object was served twice');
    assert.deepEqual([...served].sort(), expected.map((o) => o.id).sort());
    // Keyset order is insertion order, and the hub added the envelope in order.
    assert.deepEqual(
      served,
      expected.map((o) => o.id),
    );
    assert.equal(pages.length, Math.ceil(expected.length / PER_REQUEST));
    for (const [i, p] of pages.entries()) {
      const last = i === pages.length - 1;
      assert.ok(p.items.length <= PER_REQUEST, `page ${i} has ${p.items.length} items`);
      assert.equal(p.more, !last, `page ${i}: more`);
      assert.equal(p.has_next, !last, `page ${i}: next present`);
      if (!last) assert.equal(p.items.length, PER_REQUEST, `page ${i} is short`);
    }
  }

  it('Server discovery: title, api_roots and default', () => {
    const d = ok<{ title: string; api_roots: string[]; default: string | null }>('discovery');
    assert.equal(d.title, hub.config.title);
    assert.deepEqual(d.api_roots, [`${hub.url}/api1/`]);
    assert.equal(d.default, `${hub.url}/api1/`);
  });

  it('ApiRoot: title, versions and max_content_length', () => {
    const r = ok<{ title: string; versions: string[]; max_content_length: number }>('api_root');
    assert.equal(r.title, 'Test API root');
    assert.deepEqual(r.versions, ['application/taxii+json;version=2.1']);
    assert.equal(r.max_content_length, hub.config.maxContentLength);
  });

  it('collections: can_read/can_write per grant, other groups’ collections hidden', () => {
    const cols =
      ok<{ id: string; can_read: boolean; can_write: boolean; media_types: string[] }[]>('collections');
    const byId = new Map(cols.map((c) => [c.id, c]));
    assert.equal(byId.has(hiddenId), false, 'a collection of another group is listed');
    assert.equal(cols.length, 2);
    assert.deepEqual({ r: byId.get(rwId)?.can_read, w: byId.get(rwId)?.can_write }, { r: true, w: true });
    assert.deepEqual({ r: byId.get(roId)?.can_read, w: byId.get(roId)?.can_write }, { r: true, w: false });
    assert.deepEqual(byId.get(rwId)?.media_types, ['application/stix+json;version=2.1']);
    const one = ok<{ id: string; can_read: boolean; can_write: boolean }>('collection_refresh');
    assert.deepEqual(one, { id: rwId, can_read: true, can_write: true });
  });

  it('add_objects with wait_for_completion: a complete status with every success', () => {
    const s = ok<StatusValue>('add_objects');
    assert.equal(s.status, 'complete');
    assert.equal(s.total_count, 30);
    assert.equal(s.success_count, 30);
    assert.equal(s.failure_count, 0);
    assert.equal(s.pending_count, 0);
    assert.deepEqual(s.successes.map((x) => x.id).sort(), objects.map((o) => o.id).sort());
    assert.match(s.url, new RegExp(`/api1/status/${s.id}/?$`));
    // The client's status URL (built as ../../status/<id>) answers with the same resource.
    const again = ok<StatusValue>('status_refresh');
    assert.equal(again.id, s.id);
    assert.equal(again.status, 'complete');
    assert.equal(again.success_count, 30);
  });

  it('a read-only collection: the client refuses to write, reads what another member wrote', () => {
    const e = failed('add_to_read_only');
    assert.equal(e.type, 'AccessError');
    const r = ok<{ objects: string[] }>('read_only_objects');
    assert.deepEqual(
      r.objects,
      roObjects.map((o) => o.id),
    );
  });

  it(`as_pages over get_objects, ${PER_REQUEST} per request: every object once, in order`, () => {
    checkWalk(ok<Page[]>('pages_objects'), objects);
  });

  it(`as_pages over get_manifest, ${PER_REQUEST} per request: every record once, with its version`, () => {
    const pages = ok<Page[]>('pages_manifest');
    checkWalk(pages, objects);
    for (const item of pages.flatMap((p) => p.items)) {
      assert.equal(Date.parse(item.version), Date.parse('2025-01-01T00:00:00.000Z'), item.id);
    }
  });

  it('as_pages with a type filter (re-sent with every next): exactly the indicators', () => {
    checkWalk(
      ok<Page[]>('pages_objects_filtered'),
      objects.filter((o) => o.type === 'indicator'),
    );
  });

  it('get_object returns the object as posted', () => {
    const got = ok<StixObject[]>('get_object');
    assert.deepEqual(got, [objects[0]]);
  });

  it('object_versions lists both versions after a newer one is added', () => {
    const s = ok<StatusValue>('add_new_version');
    assert.equal(s.status, 'complete');
    assert.equal(s.success_count, 1);
    const v = ok<{ versions: string[] }>('object_versions');
    assert.deepEqual(
      v.versions.map((x) => Date.parse(x)),
      [Date.parse('2025-01-01T00:00:00.000Z'), Date.parse('2025-06-01T00:00:00.000Z')],
    );
    const all = ok<string[]>('get_object_all_versions');
    assert.deepEqual(all, ['2025-01-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z']);
  });

  it('delete_object, then get_object raises an HTTP 404 with a TAXII error resource', async () => {
    assert.equal(ok<boolean>('delete_object'), true);
    const e = failed('get_deleted_object');
    assert.equal(e.type, 'HTTPError');
    assert.equal(e.http_status, 404);
    assert.equal(e.content_type, TAXII);
    assert.equal((e.body as { http_status?: unknown }).http_status, '404');
    const target = objects[0] as StixObject;
    assert.equal(
      await hub.stores.objects.objectExists({ visibleTo: 'all', collectionId: rwId, id: target.id }),
      false,
    );
    assert.equal(await hub.stores.objects.countObjects(rwId), 29);
  });

  it('a wrong password raises an HTTP 401', () => {
    const e = failed('wrong_password');
    assert.equal(e.type, 'HTTPError');
    assert.equal(e.http_status, 401);
  });
});
