/**
 * Issue 9 item 5 over real HTTP: every read, write and delete of a collection's objects — refused
 * ones included — and every refused authentication that named a member or a key is recorded with
 * member, source address, time, endpoint, collection, object count and status; requests that name
 * no collection, and requests without (or with unreadable) credentials are not.
 */
import assert from 'node:assert/strict';
import type { AuditRecord } from '../../server/store/contract';
import { recordTime } from '../../server/audit/records';
import { addApiKey } from '../helpers/credentials';
import { basic, startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator } from '../helpers/stix';
import { rawCall, type Reply } from './fixture';

describe('audit trail over HTTP (issue 9 item 5)', function () {
  let hub: TestHub;
  let rw: string;
  let wo: string;
  const I = makeIndicator();

  before(async function () {
    hub = await startHub({ env: { TESSERA_TRUST_PROXY: 'loopback', TESSERA_AUTH_ADDRESS_FAILURES: '3' } });
    await hub.addMember('alice', 'alice-secret-1', ['analysts']);
    rw = (await hub.addCollection({ grants: [{ group: 'analysts', read: true, write: true }] })).id;
    wo = (await hub.addCollection({ grants: [{ group: 'analysts', read: false, write: true }] })).id;
  });
  after(async function () {
    await hub?.close();
  });

  function req(
    method: string,
    path: string,
    from: string,
    auth: string | undefined,
    body?: unknown,
  ): Promise<Reply> {
    const headers: Record<string, string | undefined> = {
      Accept: TAXII,
      'X-Forwarded-For': from,
      Authorization: auth,
    };
    if (body !== undefined) headers['Content-Type'] = TAXII;
    return rawCall(hub.url, method, path, {
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }
  const ALICE = basic('alice', 'alice-secret-1');

  /** Records from `from` (each test uses its own address), after the trail has written them. */
  async function recordsFrom(from: string): Promise<AuditRecord[]> {
    await hub.audit.flush();
    return (await hub.stores.audit.queryAudit({ since: 0, limit: 10_000 })).filter((r) => r.address === from);
  }

  it('a write, reads and a delete are recorded with member, address, endpoint, collection, count and status', async function () {
    const A = '198.51.100.10';
    // The audit trail's own clock (the hub runs in this process): Date.now() * 1000 lacks the
    // microseconds it adds.
    const before = recordTime();
    assert.equal(
      (await req('POST', `/api1/collections/${rw}/objects/`, A, ALICE, { objects: [I, { type: 'x' }] }))
        .status,
      202,
    );
    assert.equal((await req('GET', `/api1/collections/${rw}/objects/?limit=10`, A, ALICE)).status, 200);
    assert.equal((await req('GET', `/api1/collections/${rw}/manifest/`, A, ALICE)).status, 200);
    assert.equal(
      (await req('GET', `/api1/collections/${rw}/objects/${I.id}/versions/`, A, ALICE)).status,
      200,
    );
    assert.equal((await req('DELETE', `/api1/collections/${rw}/objects/${I.id}/`, A, ALICE)).status, 200);
    assert.equal((await req('GET', `/api1/collections/${rw}/objects/${I.id}/`, A, ALICE)).status, 404);
    const rs = await recordsFrom(A);
    assert.deepEqual(
      rs.map((r) => [r.kind, r.endpoint, r.collection, r.count, r.status, r.member, r.apiRoot]),
      [
        ['write', 'POST objects', rw, 1, 202, 'alice', 'api1'],
        ['read', 'GET objects', rw, 1, 200, 'alice', 'api1'],
        ['read', 'GET manifest', rw, 1, 200, 'alice', 'api1'],
        ['read', 'GET versions', rw, 1, 200, 'alice', 'api1'],
        ['delete', 'DELETE object', rw, 1, 200, 'alice', 'api1'],
        ['read', 'GET object', rw, 0, 404, 'alice', 'api1'],
      ],
    );
    for (const r of rs) {
      assert.ok(r.at >= before && r.at <= recordTime(), 'time of the request');
      assert.match(r.detail ?? '', /via secret/);
    }
    assert.match(rs[0]?.detail ?? '', /2 objects: 1 stored, 1 failed/);
    assert.match(rs[4]?.detail ?? '', new RegExp(I.id));
  });

  it('a read records the number of objects it served: the page, not the collection', async function () {
    const F = '198.51.100.15';
    const three = [makeIndicator(), makeIndicator(), makeIndicator()];
    assert.equal(
      (await req('POST', `/api1/collections/${rw}/objects/`, F, ALICE, { objects: three })).status,
      202,
    );
    const ids = `match[id]=${three.map((o) => o.id).join(',')}`;
    assert.equal((await req('GET', `/api1/collections/${rw}/objects/?${ids}&limit=2`, F, ALICE)).status, 200);
    assert.equal((await req('GET', `/api1/collections/${rw}/manifest/?${ids}`, F, ALICE)).status, 200);
    assert.equal(
      (await req('GET', `/api1/collections/${rw}/objects/?match[id]=${three[0]?.id}`, F, ALICE)).status,
      200,
    );
    const rs = await recordsFrom(F);
    assert.deepEqual(
      rs.map((r) => [r.kind, r.endpoint, r.count]),
      [
        ['write', 'POST objects', 3],
        ['read', 'GET objects', 2],
        ['read', 'GET manifest', 3],
        ['read', 'GET objects', 1],
      ],
    );
  });

  it('refused requests on a collection are recorded too; requests on no collection are not', async function () {
    const B = '198.51.100.11';
    assert.equal((await req('GET', `/api1/collections/${wo}/objects/`, B, ALICE)).status, 403);
    assert.equal(
      (await req('GET', '/api1/collections/00000000-0000-4000-8000-000000000000/objects/', B, ALICE)).status,
      404,
    );
    assert.equal((await req('GET', '/taxii2/', B, ALICE)).status, 200);
    assert.equal((await req('GET', `/api1/collections/${rw}/`, B, ALICE)).status, 200);
    const rs = await recordsFrom(B);
    assert.deepEqual(
      rs.map((r) => [r.endpoint, r.collection, r.status]),
      [
        ['GET objects', wo, 403],
        ['GET objects', null, 404],
      ],
    );
  });

  it('refused authentications are recorded with the user name tried; unreadable ones are not', async function () {
    const C = '198.51.100.12';
    await req('GET', `/api1/collections/${rw}/objects/`, C, basic('alice', 'wrong-password'));
    await req('GET', '/taxii2/', C, basic('mallory', 'guess'));
    const { key, id } = await addApiKey(hub, 'alice');
    await req('GET', '/taxii2/', C, `Bearer ${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`);
    // not recorded: no credentials, malformed, unsupported scheme
    await req('GET', '/taxii2/', C, undefined);
    await req('GET', '/taxii2/', C, `${basic('alice', 'x')}x`);
    await req('GET', '/taxii2/', C, 'Digest username="alice"');
    const rs = await recordsFrom(C);
    assert.deepEqual(
      rs.map((r) => [r.kind, r.member, r.status, r.endpoint]),
      [
        ['auth', 'alice', 401, `GET /api1/collections/${rw}/objects/`],
        ['auth', 'mallory', 401, 'GET /taxii2/'],
        ['auth', 'alice', 401, 'GET /taxii2/'],
      ],
    );
    assert.match(rs[0]?.detail ?? '', /^basic: wrong secret/);
    assert.match(rs[1]?.detail ?? '', /^basic: unknown member/);
    assert.match(rs[2]?.detail ?? '', new RegExp(`^bearer: unknown API key or wrong secret \\(key ${id}\\)`));
    for (const r of rs)
      assert.doesNotMatch(JSON.stringify(r), /wrong-password|guess/, 'never the secret tried');
  });

  it('a 429 episode is recorded once, not once per refused request', async function () {
    const D = '198.51.100.13';
    for (let i = 0; i < 3; i++)
      assert.equal((await req('GET', '/taxii2/', D, basic(`n${i}`, 'x'))).status, 401);
    for (let i = 0; i < 5; i++)
      assert.equal((await req('GET', '/taxii2/', D, basic('alice', 'alice-secret-2'))).status, 429);
    const rs = await recordsFrom(D);
    assert.deepEqual(
      rs.map((r) => r.status),
      [401, 401, 401, 429],
    );
    assert.match(rs[3]?.detail ?? '', /too many failed authentications from this address; refused for \d+ s/);
  });

  it('the credential used is recorded: an API key by its id', async function () {
    const E = '198.51.100.14';
    const { key, id } = await addApiKey(hub, 'alice');
    assert.equal((await req('GET', `/api1/collections/${rw}/objects/`, E, `Token ${key}`)).status, 200);
    const [r] = await recordsFrom(E);
    assert.match(r?.detail ?? '', new RegExp(`via key ${id}`));
    assert.doesNotMatch(r?.detail ?? '', new RegExp(key.slice(-20)), 'never the key itself');
  });
});
