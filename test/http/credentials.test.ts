/**
 * Issue 9 items 3 and 4 over real HTTPS: every credential form reaches the member's collections;
 * each refusal of a key or certificate (unknown, wrong, revoked, expired, foreign CA, unbound,
 * another member's name); and the member life cycle — disable, enable, remove, group remove —
 * effective on the next request, also for credentials the hub has cached and on a second instance.
 */
import assert from 'node:assert/strict';
import { makeIndicator } from '../helpers/stix';
import {
  addApiKey,
  addCertificate,
  call,
  CREDENTIAL_FORMS,
  credentialsOf,
  startCredentialHub,
  type Caller,
  type CredentialForm,
  type CredentialHub,
} from '../helpers/credentials';
import { basic, startHub, type TestHub } from '../helpers/hub';
import { sharesUrl } from '../helpers/store';
import { ConflictError } from '../../server/errors';

const TLP_RED = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
const objectsOf = (col: string) => `/api1/collections/${col}/objects/`;

function challengeOf(res: { headers: Record<string, unknown> }): string {
  const h = res.headers['www-authenticate'];
  return Array.isArray(h) ? h.join(', ') : String(h ?? '');
}

describe('credentials: API keys, client certificates, member life cycle (issue 9 items 3, 4)', function () {
  let hub: CredentialHub;
  let col: string;
  let alice: Record<CredentialForm, Caller>;
  let bob: Record<CredentialForm, Caller>;
  const indicator = makeIndicator();

  before(async function () {
    hub = await startCredentialHub();
    await hub.addMember('alice', 'alice-secret-1', ['analysts']);
    await hub.addMember('bob', 'bob-secret-1', ['analysts']);
    col = (await hub.addCollection({ grants: [{ group: 'analysts', read: true, write: true }] })).id;
    alice = await credentialsOf(hub, 'alice', 'alice-secret-1');
    bob = await credentialsOf(hub, 'bob', 'bob-secret-1');
    const posted = await call(hub, alice.basic, 'POST', objectsOf(col), { body: { objects: [indicator] } });
    assert.equal(posted.status, 202, posted.text);
  });
  after(async function () {
    await hub?.close();
  });

  async function statusAs(c: Caller | null, headers: Record<string, string> = {}): Promise<number> {
    return (await call(hub, c, 'GET', objectsOf(col), { headers })).status;
  }

  async function assertEvery(callers: Record<CredentialForm, Caller>, status: number, why: string) {
    for (const form of CREDENTIAL_FORMS)
      assert.equal(await statusAs(callers[form]), status, `${why}: ${form}`);
  }

  it('every form reaches the member: Basic secret, key as Basic password, Bearer, Token, client certificate', async function () {
    for (const form of CREDENTIAL_FORMS) {
      const res = await call<{ objects?: { id: string }[] }>(hub, alice[form], 'GET', objectsOf(col));
      assert.equal(res.status, 200, `${form}: ${res.text}`);
      assert.deepEqual(
        res.body.objects?.map((o) => o.id),
        [indicator.id],
        form,
      );
    }
    // Writes too, by key and by certificate.
    for (const form of ['bearer', 'certificate'] as const) {
      const res = await call(hub, alice[form], 'POST', objectsOf(col), {
        body: { objects: [makeIndicator()] },
      });
      assert.equal(res.status, 202, `${form}: ${res.text}`);
    }
  });

  it('API key refusals: unknown id, wrong secret, not a key, revoked, expired, another member name', async function () {
    const { key, id } = await addApiKey(hub, 'alice');
    const other = (k: string) => `${k.slice(0, -1)}${k.endsWith('A') ? 'B' : 'A'}`;
    const bearer = (k: string) => ({ Authorization: `Bearer ${k}` });
    const cases: [string, Record<string, string>, RegExp][] = [
      ['unknown id', bearer(key.replace(id, '0123456789abcdef')), /invalid API key/],
      ['wrong secret', bearer(other(key)), /invalid API key/],
      ['not a key', bearer('abc.def'), /not a Tessera API key/],
      ['key of alice with user bob', { Authorization: basic('bob', key) }, /invalid credentials/],
    ];
    for (const [why, headers, message] of cases) {
      const res = await call<{ description?: string }>(hub, null, 'GET', objectsOf(col), { headers });
      assert.equal(res.status, 401, why);
      assert.match(res.body.description ?? '', message, why);
    }
    assert.equal(await statusAs(null, bearer(key)), 200, 'the key itself works');
    // Token and Basic forms get their own challenges.
    const tokenRes = await call(hub, null, 'GET', objectsOf(col), {
      headers: { Authorization: `Token ${other(key)}` },
    });
    assert.equal(challengeOf(tokenRes), 'Token realm="Tessera"');
    const basicRes = await call(hub, null, 'GET', objectsOf(col), {
      headers: { Authorization: basic('alice', other(key)) },
    });
    assert.match(challengeOf(basicRes), /^Basic realm="Tessera"/);

    await hub.stores.principals.revokeApiKey({ id, at: Date.now() * 1000 });
    const revoked = await call<{ description?: string }>(hub, null, 'GET', objectsOf(col), {
      headers: bearer(key),
    });
    assert.equal(revoked.status, 401);
    assert.match(revoked.body.description ?? '', /revoked/);
    assert.match(
      challengeOf(revoked),
      /error="invalid_token", error_description="the API key has been revoked"/,
    );

    const expiring = await addApiKey(hub, 'alice', { expiresAt: (Date.now() + 60_000) * 1000 });
    assert.equal(await statusAs(null, bearer(expiring.key)), 200, 'before its expiry');
    const expired = await addApiKey(hub, 'alice', { expiresAt: (Date.now() - 1) * 1000 });
    const res = await call<{ description?: string }>(hub, null, 'GET', objectsOf(col), {
      headers: bearer(expired.key),
    });
    assert.equal(res.status, 401);
    assert.match(res.body.description ?? '', /expired/);
  });

  it('client certificate refusals: another CA, not bound, unbound; an Authorization header takes precedence', async function () {
    const rogue = hub.pki.issueClient('alice', { byRogue: true });
    const unbound = hub.pki.issueClient('nobody');
    const cases: [string, { cert: string; key: string }, RegExp][] = [
      ['signed by another CA', rogue, /not issued by the CA/],
      ['not bound to a member', unbound, /bound to no member/],
    ];
    for (const [why, tls, message] of cases) {
      const res = await call<{ description?: string }>(
        hub,
        { member: '?', form: 'certificate', headers: {}, tls },
        'GET',
        objectsOf(col),
      );
      assert.equal(res.status, 401, why);
      assert.match(res.body.description ?? '', message, why);
    }
    const cert = await addCertificate(hub, 'bob');
    const asCert: Caller = {
      member: 'bob',
      form: 'certificate',
      headers: {},
      tls: { cert: cert.cert, key: cert.key },
    };
    assert.equal(await statusAs(asCert), 200);
    // With a header as well, the header decides (here: a wrong password → 401 despite the good certificate).
    assert.equal(await statusAs(asCert, { Authorization: basic('bob', 'wrong-password') }), 401);
    await hub.stores.principals.unbindCertificate(cert.fingerprint);
    assert.equal(await statusAs(asCert), 401, 'unbinding takes effect on the next request');
  });

  it('disable refuses every form on the next request, cached credentials included; enable restores them', async function () {
    await assertEvery(bob, 200, 'before'); // bob's secret is now in the verification cache
    await hub.stores.principals.setMemberDisabled({ name: 'bob', disabled: true });
    await assertEvery(bob, 401, 'disabled');
    await hub.stores.principals.setMemberDisabled({ name: 'bob', disabled: false });
    await assertEvery(bob, 200, 'enabled again');
  });

  it('a second instance on the same store sees a disable at once too', async function () {
    if (!sharesUrl(hub.storeUrl)) this.skip();
    const second: TestHub = await startHub({
      storeUrl: hub.storeUrl,
      env: {
        TESSERA_TLS_CERT: hub.pki.server.certFile,
        TESSERA_TLS_KEY: hub.pki.server.keyFile,
        TESSERA_TLS_CLIENT_CA: hub.pki.ca.certFile,
      },
    });
    try {
      const onSecond = Object.assign(second, { pki: hub.pki });
      for (const form of CREDENTIAL_FORMS) {
        assert.equal((await call(onSecond, bob[form], 'GET', objectsOf(col))).status, 200, form);
      }
      await hub.stores.principals.setMemberDisabled({ name: 'bob', disabled: true });
      for (const form of CREDENTIAL_FORMS) {
        assert.equal((await call(onSecond, bob[form], 'GET', objectsOf(col))).status, 401, form);
      }
    } finally {
      await hub.stores.principals.setMemberDisabled({ name: 'bob', disabled: false });
      await second.close();
    }
  });

  it('remove: every credential refused, what the member published stays, attributed, the name cannot be taken again', async function () {
    await hub.addMember('carol', 'carol-secret-1', ['analysts']);
    const carol = await credentialsOf(hub, 'carol', 'carol-secret-1');
    const mine = makeIndicator();
    // TLP:RED, above the analysts' (default amber) ceiling: only carol, its publisher, sees it.
    const red = makeIndicator({ object_marking_refs: [TLP_RED] });
    assert.equal(
      (await call(hub, carol.token, 'POST', objectsOf(col), { body: { objects: [mine, red] } })).status,
      202,
    );
    await assertEvery(carol, 200, 'before');
    assert.equal((await call(hub, carol.basic, 'GET', `${objectsOf(col)}${red.id}/`)).status, 200);
    assert.equal((await call(hub, alice.basic, 'GET', `${objectsOf(col)}${red.id}/`)).status, 404);
    await hub.stores.principals.removeMember('carol');
    await assertEvery(carol, 401, 'removed');
    const seen = await call(hub, alice.basic, 'GET', `${objectsOf(col)}${mine.id}/`);
    assert.equal(seen.status, 200, 'what carol published is still there');
    assert.equal((await call(hub, alice.basic, 'GET', `${objectsOf(col)}${red.id}/`)).status, 404);
    // Still attributed to carol: the store's publisher scope finds both, the audit trail her write.
    const hers = await hub.stores.objects.queryObjects({
      collectionId: col,
      visibleTo: { ranks: [], unmarked: false, publisher: 'carol' },
      filter: { ids: [mine.id, red.id] },
      limit: 10,
      withBody: false,
    });
    assert.deepEqual(hers.items.map((v) => v.id).sort(), [mine.id, red.id].sort());
    await hub.audit.flush();
    const writes = await hub.stores.audit.queryAudit({ member: 'carol', collection: col, limit: 100 });
    assert.deepEqual(
      writes.filter((r) => r.kind === 'write').map((r) => [r.count, r.status]),
      [[2, 202]],
    );
    await assert.rejects(
      hub.stores.principals.createMember({ name: 'carol', secretHash: 'x' }),
      ConflictError,
      'nobody can become "carol" and see her TLP:RED object as its publisher',
    );
  });

  it("group removal ends its members' access through it on the next request", async function () {
    await hub.addMember('dave', 'dave-secret-1', ['temporary']);
    const g = await hub.addCollection({ grants: [{ group: 'temporary', read: true, write: false }] });
    const dave: Caller = {
      member: 'dave',
      form: 'basic',
      headers: { Authorization: basic('dave', 'dave-secret-1') },
    };
    assert.equal((await call(hub, dave, 'GET', objectsOf(g.id))).status, 200);
    await hub.stores.principals.removeGroup('temporary');
    assert.equal((await call(hub, dave, 'GET', objectsOf(g.id))).status, 404);
  });
});
