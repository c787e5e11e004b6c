/**
 * Checklist §11 cases 1–15: discovery, API root, content negotiation (auth cases 11, 12 are in
 * auth.test.ts). Case 97 (TLS) is not tested here: the hub serves plain HTTP on loopback and leaves
 * TLS to the reverse proxy in front of it.
 */
import assert from 'node:assert/strict';
import { startHub, type TestHub } from '../helpers/hub';
import { ALICE, assertOk, assertTaxiiError, buildWorld, Client, rawCall, TAXII, type World } from './fixture';

interface Discovery {
  title: string;
  description?: string;
  default?: string;
  api_roots?: string[];
}
interface ApiRoot {
  title: string;
  versions: string[];
  max_content_length: number;
}

describe('TAXII HTTP: discovery and API roots (§11 #1–#15)', function () {
  let w: World;
  before(async function () {
    w = await buildWorld();
  });
  after(async function () {
    await w?.hub.close();
  });

  it('#1 GET /taxii2/ → 200, TAXII Content-Type, string title', async function () {
    const body = assertOk(await w.alice.get<Discovery>('/taxii2/'));
    assert.equal(typeof body.title, 'string');
    assert.ok(body.title.length > 0);
  });

  it('#2 default is among api_roots; every root is https://… or a single-slash path without //, ../ or ?', async function () {
    const body = assertOk(await w.alice.get<Discovery>('/taxii2/'));
    assert.ok(body.api_roots && body.api_roots.length > 0, 'api_roots present for a member with grants');
    assert.deepEqual(body.api_roots, ['/api1/']);
    if (body.default !== undefined) assert.ok(body.api_roots.includes(body.default), 'default in api_roots');
    for (const r of body.api_roots) {
      assert.ok(r.startsWith('https://') || /^\/[^/]/.test(r), `root form: ${r}`);
      const rest = r.startsWith('https://') ? r.slice('https://'.length) : r;
      assert.ok(!rest.includes('//'), `no // in ${r}`);
      assert.ok(!r.includes('../'), `no ../ in ${r}`);
      assert.ok(!r.includes('?'), `no ? in ${r}`);
    }
  });

  it('#2 with TESSERA_PUBLIC_URL the roots are absolute https URLs', async function () {
    const hub = await startHub({ env: { TESSERA_PUBLIC_URL: 'https://hub.example.org/' } });
    try {
      await hub.addMember('pat', 'pat-secret-1', ['g']);
      await hub.addCollection({ grants: [{ group: 'g', read: true, write: false }] });
      const c = new Client(hub, { name: 'pat', password: 'pat-secret-1' });
      const body = assertOk(await c.get<Discovery>('/taxii2/'));
      assert.deepEqual(body.api_roots, ['https://hub.example.org/api1/']);
      assert.equal(body.default, 'https://hub.example.org/api1/');
    } finally {
      await hub.close();
    }
  });

  it('#3 a server with no API roots (for this member) has no api_roots key, never []', async function () {
    // The hub shows a member only the roots holding a collection they may see; carol has no grant.
    const res = await w.carol.get<Discovery>('/taxii2/');
    const body = assertOk(res);
    assert.ok(!('api_roots' in body), `api_roots must be absent: ${res.text}`);
    assert.ok(!('default' in body), `default must be absent: ${res.text}`);
  });

  it('#3 a hub whose only API root has no collections has no api_roots key', async function () {
    const hub: TestHub = await startHub();
    try {
      await hub.addMember(ALICE.name, ALICE.password, ['analysts']);
      const res = await new Client(hub, ALICE).get<Discovery>('/taxii2/');
      const body = assertOk(res);
      assert.ok(!('api_roots' in body), res.text);
    } finally {
      await hub.close();
    }
  });

  it('#4 Accept: application/taxii+json (no version) → 200 with version=2.1 in Content-Type', async function () {
    const res = await w.alice.get('/taxii2/', { Accept: 'application/taxii+json' });
    assertOk(res);
    assert.match(String(res.headers['content-type']), /version=2\.1/);
  });

  it('#5 Accept with a space before version=2.1 → 200', async function () {
    assertOk(await w.alice.get('/taxii2/', { Accept: 'application/taxii+json; version=2.1' }));
  });

  it('#6 Accept: application/json, application/taxii+json;version=2.1 → 200, not 406', async function () {
    assertOk(await w.alice.get('/taxii2/', { Accept: `application/json, ${TAXII}` }));
  });

  it('#7 Accept: application/taxii+json;version=2.0 → 406 with TAXII Content-Type and a title', async function () {
    assertTaxiiError(await w.alice.get('/taxii2/', { Accept: 'application/taxii+json;version=2.0' }), 406);
  });

  it('#8 Accept: application/json alone → 406 with TAXII Content-Type and a title', async function () {
    assertTaxiiError(await w.alice.get('/taxii2/', { Accept: 'application/json' }), 406);
  });

  it('#8 Accept: application/stix+json;version=2.1 alone → 406', async function () {
    assertTaxiiError(await w.alice.get('/taxii2/', { Accept: 'application/stix+json;version=2.1' }), 406);
  });

  it('#6 Accept ranges with q: q=0 on TAXII excludes it (406), q=0.5 is served', async function () {
    assertTaxiiError(await w.alice.get('/taxii2/', { Accept: `${TAXII};q=0` }), 406);
    assertOk(await w.alice.get('/taxii2/', { Accept: `${TAXII};q=0.5` }));
    assertOk(await w.alice.get('/taxii2/', { Accept: 'APPLICATION/TAXII+JSON;VERSION=2.1' }));
  });

  it('#9 Accept: */* is served (recorded choice: 200, not 406)', async function () {
    assertOk(await w.alice.get('/taxii2/', { Accept: '*/*' }));
  });

  it('#9 no Accept header is served (recorded choice: 200, not 406)', async function () {
    const res = await rawCall(w.hub.url, 'GET', '/taxii2/', {
      headers: { Authorization: w.hub.basic(ALICE.name, ALICE.password) },
    });
    assertOk(res);
  });

  it('#10 no User-Agent → 200 (the raw client sends none)', async function () {
    const res = await rawCall(w.hub.url, 'GET', '/taxii2/', {
      headers: { Accept: TAXII, Authorization: w.hub.basic(ALICE.name, ALICE.password) },
    });
    assertOk(res);
  });

  it('#13 GET /api1/ → title, versions has TAXII 2.1, max_content_length integer > 0', async function () {
    const body = assertOk(await w.alice.get<ApiRoot>('/api1/'));
    assert.equal(typeof body.title, 'string');
    assert.ok(Array.isArray(body.versions));
    assert.ok(body.versions.includes(TAXII));
    assert.ok(Number.isInteger(body.max_content_length) && body.max_content_length > 0);
    assert.equal(body.max_content_length, w.hub.config.maxContentLength);
  });

  it('#13 max_content_length follows TESSERA_MAX_CONTENT_LENGTH', async function () {
    const hub = await startHub({ env: { TESSERA_MAX_CONTENT_LENGTH: '2048' } });
    try {
      await hub.addMember('pat', 'pat-secret-1', ['g']);
      await hub.addCollection({ grants: [{ group: 'g', read: true, write: false }] });
      const body = assertOk(
        await new Client(hub, { name: 'pat', password: 'pat-secret-1' }).get<ApiRoot>('/api1/'),
      );
      assert.equal(body.max_content_length, 2048);
    } finally {
      await hub.close();
    }
  });

  it('#14 GET /api3/ (unknown root) → 404 with TAXII Content-Type', async function () {
    assertTaxiiError(await w.alice.get('/api3/'), 404);
  });

  it('#14 GET /api1/ by a member without any grant → 404 (the root is hidden)', async function () {
    assertTaxiiError(await w.carol.get('/api1/'), 404);
  });

  it('#15 every error response: TAXII Content-Type, title, http_status a string equal to the status', async function () {
    const cases: [Promise<Awaited<ReturnType<Client['get']>>>, number][] = [
      [w.alice.get('/taxii2/', { Accept: 'application/json' }), 406],
      [w.alice.get('/taxii2/', { Accept: 'application/taxii+json;version=2.0' }), 406],
      [w.anon.get('/taxii2/'), 401],
      [new Client(w.hub, { name: ALICE.name, password: 'wrong' }).get('/taxii2/'), 401],
      [w.alice.get('/api3/'), 404],
      [w.alice.get('/api1/collections/not-a-collection/'), 404],
      [w.alice.get('/no/such/resource'), 404],
      [w.alice.get(`/api1/collections/${w.WO}/objects/`), 403],
      [w.alice.get(`/api1/collections/${w.RW}/objects/?limit=0`), 400],
      [w.alice.get(`/api1/collections/${w.RW}/objects/%E0%A4%A`), 400],
    ];
    for (const [p, status] of cases) assertTaxiiError(await p, status);
    // A method no endpoint has: 404 or 405, as a TAXII error.
    const put = await rawCall(w.hub.url, 'PUT', '/taxii2/', {
      headers: { Accept: TAXII, Authorization: w.hub.basic(ALICE.name, ALICE.password) },
      body: '{}',
    });
    assert.ok([404, 405].includes(put.status), `PUT: ${put.status}`);
    assertTaxiiError(put, put.status);
  });
});
