/**
 * The authenticator (server/access/authenticate.ts) called directly over a real store: every
 * credential form, each refusal with its status, message, challenge and failure report, the
 * throttle's 429s, and the cache of verified secrets (a wrong password is refused every time, a
 * cached one passes a blocked address, a changed secret misses). The HTTP suites cover the same
 * paths end to end; here each verdict is pinned down exactly and runs in milliseconds.
 */
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { generateApiKey } from '../../server/access/apikeys';
import {
  authRequestOf,
  CHALLENGES,
  MemberAuthenticator,
  type AuthFailure,
  type AuthRequest,
} from '../../server/access/authenticate';
import type { AuthThrottleConfig } from '../../server/config';
import { TooManyRequestsError, UnauthorizedError } from '../../server/errors';
import { openTestStore, type TestStores } from '../helpers/store';

const FP = 'ab'.repeat(32);
const FP_SHOWN = Array(32).fill('AB').join(':');

/** A member secret hash of the production format with a tiny N, so tests stay fast. */
function cheapHash(secret: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(secret, salt, 32, { N: 16, r: 8, p: 1 });
  return ['scrypt', 4, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

const basicOf = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('access: the authenticator', function () {
  let t: TestStores;
  let clock: number;
  let failures: AuthFailure[];
  const throttle: AuthThrottleConfig = {
    addressFailures: 3,
    userFailures: 2,
    failureWindowSeconds: 600,
    hashConcurrency: 1,
    hashQueue: 8,
  };

  beforeEach(async function () {
    t = await openTestStore();
    clock = 1_750_000_000_000;
    failures = [];
    await t.principals.createGroup('soc');
    await t.principals.createMember({ name: 'alice', secretHash: cheapHash('alice-pw') });
    await t.principals.joinGroup({ group: 'soc', member: 'alice' });
    await t.principals.createMember({ name: 'bob', secretHash: cheapHash('bob-pw') });
  });
  afterEach(async function () {
    await t.cleanup();
  });

  function auth(opts: Partial<AuthThrottleConfig> = {}): MemberAuthenticator {
    return new MemberAuthenticator(t.principals, {
      throttle: { ...throttle, ...opts },
      onFailure: (f) => failures.push(f),
      now: () => clock,
    });
  }

  function req(authorization?: string, extra: Partial<AuthRequest> = {}): AuthRequest {
    const headers: IncomingHttpHeaders = authorization === undefined ? {} : { authorization };
    return { headers, address: '192.0.2.10', endpoint: 'GET /taxii2/', ...extra };
  }

  /** The error `a` refuses `r` with, which must be a `type`. */
  async function refusal<E extends Error>(
    type: new (...args: never[]) => E,
    a: MemberAuthenticator,
    r: AuthRequest,
  ): Promise<E> {
    try {
      await a.authenticate(r);
    } catch (e) {
      assert.ok(e instanceof type, `${type.name} expected, got ${String(e)}`);
      return e;
    }
    assert.fail('authenticated');
  }
  const refused = (a: MemberAuthenticator, r: AuthRequest) => refusal(UnauthorizedError, a, r);
  const throttled = (a: MemberAuthenticator, r: AuthRequest) => refusal(TooManyRequestsError, a, r);

  describe('no, unsupported and malformed credentials', function () {
    it('no credentials: 401 with every challenge, not reported', async function () {
      const e = await refused(auth(), req());
      assert.equal(
        e.message,
        'credentials are required (HTTP Basic, an API key as Bearer or Token, or a client certificate)',
      );
      assert.deepEqual(e.challenges, CHALLENGES);
      assert.deepEqual(CHALLENGES, ['Basic realm="Tessera", charset="UTF-8"', 'Bearer realm="Tessera"']);
      // A certificate of kind none is no certificate.
      assert.deepEqual(
        (await refused(auth(), req(undefined, { certificate: { kind: 'none' } }))).challenges,
        CHALLENGES,
      );
      assert.deepEqual(failures, []);
    });

    it('an unsupported scheme: 401 with every challenge', async function () {
      const e = await refused(auth(), req('Digest username="alice"'));
      assert.equal(
        e.message,
        'unsupported authentication scheme: use HTTP Basic, or an API key as Bearer or Token',
      );
      assert.deepEqual(e.challenges, CHALLENGES);
      assert.deepEqual(failures, []);
    });

    it('malformed credentials: 401 with the challenge of their scheme only', async function () {
      const basic = await refused(auth(), req('Basic YWxpY2U6YWxpY2UtcHc'));
      assert.equal(basic.message, 'malformed credentials: the credentials are not valid base64');
      assert.deepEqual(basic.challenges, ['Basic realm="Tessera", charset="UTF-8"']);
      const bearer = await refused(auth(), req('Bearer a b'));
      assert.equal(
        bearer.message,
        'malformed credentials: the Bearer credentials are missing or not one token',
      );
      assert.deepEqual(bearer.challenges, [
        'Bearer realm="Tessera", error="invalid_token", error_description="malformed credentials: the Bearer credentials are missing or not one token"',
      ]);
      const token = await refused(auth(), req('Token'));
      assert.deepEqual(token.challenges, ['Token realm="Tessera"']);
      assert.deepEqual(failures, [], 'unreadable credentials are neither counted nor reported');
    });

    it('a Bearer refusal quotes its reason safely in the challenge', async function () {
      const e = await refused(auth(), req('Bearer not-a-key'));
      assert.equal(e.message, 'not a Tessera API key (tessera_<id>_<secret>)');
      assert.deepEqual(e.challenges, [
        `Bearer realm="Tessera", error="invalid_token", error_description="not a Tessera API key (tessera_<id>_<secret>)"`,
      ]);
    });
  });

  describe('member secrets (Basic)', function () {
    it('the right secret: the member with its groups', async function () {
      assert.deepEqual(await auth().authenticate(req(basicOf('alice', 'alice-pw'))), {
        member: 'alice',
        groups: ['soc'],
        credential: 'secret',
      });
      assert.deepEqual(failures, []);
    });

    it('a wrong secret is refused on the first, second and third request alike, after a success too', async function () {
      const a = auth({ addressFailures: 100, userFailures: 100 });
      await a.authenticate(req(basicOf('alice', 'alice-pw')));
      for (let i = 0; i < 3; i++) {
        const e = await refused(a, req(basicOf('alice', 'alice-pw!')));
        assert.equal(e.message, 'invalid credentials');
        assert.deepEqual(e.challenges, ['Basic realm="Tessera", charset="UTF-8"']);
      }
      assert.deepEqual(
        failures,
        Array(3).fill({
          address: '192.0.2.10',
          endpoint: 'GET /taxii2/',
          user: 'alice',
          form: 'basic',
          status: 401,
          reason: 'wrong secret',
        }),
      );
      // Still the right one passes (from the cache).
      assert.equal((await a.authenticate(req(basicOf('alice', 'alice-pw')))).member, 'alice');
    });

    it('an unknown member and a disabled one are refused with their reason', async function () {
      const a = auth();
      await refused(a, req(basicOf('mallory', 'alice-pw'), { endpoint: undefined }));
      await t.principals.setMemberDisabled({ name: 'bob', disabled: true });
      await refused(a, req(basicOf('bob', 'bob-pw')));
      assert.deepEqual(
        failures.map((f) => [f.user, f.reason, f.endpoint]),
        [
          ['mallory', 'unknown member', null],
          ['bob', 'member disabled', 'GET /taxii2/'],
        ],
      );
    });

    it('a cached secret stops working when the member is disabled or its secret changes', async function () {
      const a = auth({ addressFailures: 100, userFailures: 100 });
      await a.authenticate(req(basicOf('bob', 'bob-pw')));
      await t.principals.setMemberDisabled({ name: 'bob', disabled: true });
      await refused(a, req(basicOf('bob', 'bob-pw')));
      await t.principals.setMemberDisabled({ name: 'bob', disabled: false });
      assert.equal((await a.authenticate(req(basicOf('bob', 'bob-pw')))).member, 'bob');
      await t.principals.setMemberSecret({ name: 'bob', secretHash: cheapHash('bob-pw-2') });
      await refused(a, req(basicOf('bob', 'bob-pw')));
      assert.equal((await a.authenticate(req(basicOf('bob', 'bob-pw-2')))).member, 'bob');
    });

    it('failures from one address: 429 once the burst is spent, reported once, then drained', async function () {
      const a = auth({ addressFailures: 3, userFailures: 100 });
      for (const pw of ['x1', 'x2', 'x3']) await refused(a, req(basicOf('bob', pw)));
      const e = await throttled(a, req(basicOf('u4', 'x')));
      assert.equal(e.retryAfterSeconds, 200, 'one attempt back every 600 s / 3');
      assert.equal(
        e.message,
        'too many failed authentications from this address or for this user name; try again later',
      );
      await throttled(a, req(basicOf('alice', 'wrong')));
      const blocks = failures.filter((f) => f.status === 429);
      assert.deepEqual(blocks, [
        {
          address: '192.0.2.10',
          endpoint: 'GET /taxii2/',
          user: 'u4',
          form: 'basic',
          status: 429,
          reason:
            'too many failed authentications from this address; refused for 200 s (further refusals in that time are not recorded)',
        },
      ]);
      // Another address is not affected; after the drain time this one may try again.
      await refused(a, req(basicOf('u5', 'x'), { address: '198.51.100.7' }));
      clock += 200_000;
      assert.equal((await a.authenticate(req(basicOf('alice', 'alice-pw')))).member, 'alice');
    });

    it('a blocked address still lets a credential through that was verified before', async function () {
      const a = auth({ addressFailures: 2, userFailures: 100 });
      await a.authenticate(req(basicOf('alice', 'alice-pw')));
      for (const pw of ['x1', 'x2']) await refused(a, req(basicOf('bob', pw)));
      await throttled(a, req(basicOf('bob', 'bob-pw')));
      assert.equal((await a.authenticate(req(basicOf('alice', 'alice-pw')))).member, 'alice');
      // …but not once it is stale (changed secret): that is throttled like any unverified one.
      await t.principals.setMemberSecret({ name: 'alice', secretHash: cheapHash('alice-pw-2') });
      await throttled(a, req(basicOf('alice', 'alice-pw')));
    });

    it('a throttled attempt never asks the store (a flood stays cheap), a cached one asks it once', async function () {
      // The real store, with its member lookups counted.
      let lookups = 0;
      const principals = new Proxy(t.principals, {
        get(target, prop, receiver) {
          if (prop === 'getMember') lookups++;
          return Reflect.get(target, prop, receiver) as unknown;
        },
      });
      const a = new MemberAuthenticator(principals, {
        throttle: { ...throttle, addressFailures: 2, userFailures: 100 },
        onFailure: (f) => failures.push(f),
        now: () => clock,
      });
      await a.authenticate(req(basicOf('alice', 'alice-pw')));
      for (const pw of ['x1', 'x2']) await refused(a, req(basicOf('bob', pw)));
      lookups = 0;
      await throttled(a, req(basicOf('bob', 'bob-pw')));
      await throttled(a, req(basicOf('carol', 'x')));
      assert.equal(lookups, 0);
      assert.equal((await a.authenticate(req(basicOf('alice', 'alice-pw')))).member, 'alice');
      assert.equal(lookups, 1);
    });

    it('a cached secret answers as a secret, and for 10 minutes of the clock only', async function () {
      const a = auth({ addressFailures: 2, userFailures: 100, failureWindowSeconds: 3600 });
      await a.authenticate(req(basicOf('alice', 'alice-pw')));
      for (const pw of ['x1', 'x2']) await refused(a, req(basicOf('bob', pw)));
      clock += 10 * 60_000 - 1;
      assert.deepEqual(await a.authenticate(req(basicOf('alice', 'alice-pw'))), {
        member: 'alice',
        groups: ['soc'],
        credential: 'secret',
      });
      clock += 1;
      await throttled(a, req(basicOf('alice', 'alice-pw')));
    });

    it('a stale cached secret on a blocked address: the 429 is reported as a Basic attempt of its user', async function () {
      const a = auth({ addressFailures: 2, userFailures: 100 });
      await a.authenticate(req(basicOf('alice', 'alice-pw')));
      await t.principals.setMemberSecret({ name: 'alice', secretHash: cheapHash('alice-pw-2') });
      for (const pw of ['x1', 'x2']) await refused(a, req(basicOf('bob', pw)));
      await throttled(a, req(basicOf('alice', 'alice-pw')));
      assert.deepEqual(
        failures.filter((f) => f.status === 429).map((f) => [f.user, f.form]),
        [['alice', 'basic']],
      );
    });

    it('each blocked address and each locked name is reported once per episode', async function () {
      const a = auth({ addressFailures: 1, userFailures: 1 });
      const blocks = () =>
        failures.filter((f) => f.status === 429).map((f) => [f.user, f.address, f.reason.split(';')[0]]);
      // Two addresses blocked (each by a failure for its own name): two reports.
      await refused(a, req(basicOf('u1', 'x'), { address: '198.51.100.1' }));
      await refused(a, req(basicOf('u2', 'x'), { address: '198.51.100.2' }));
      await throttled(a, req(basicOf('u3', 'x'), { address: '198.51.100.1' }));
      await throttled(a, req(basicOf('u3', 'x'), { address: '198.51.100.2' }));
      await throttled(a, req(basicOf('u4', 'x'), { address: '198.51.100.2' }));
      assert.deepEqual(blocks(), [
        ['u3', '198.51.100.1', 'too many failed authentications from this address'],
        ['u3', '198.51.100.2', 'too many failed authentications from this address'],
      ]);
      // Two names locked (u1 and u2 failed once each): one report per name, whatever the address.
      failures = [];
      await throttled(a, req(basicOf('u1', 'x'), { address: '203.0.113.1' }));
      await throttled(a, req(basicOf('u1', 'x'), { address: '203.0.113.2' }));
      await throttled(a, req(basicOf('u2', 'x'), { address: '203.0.113.3' }));
      assert.deepEqual(blocks(), [
        ['u1', '203.0.113.1', 'too many failed authentications from this user name'],
        ['u2', '203.0.113.3', 'too many failed authentications from this user name'],
      ]);
    });

    it('an address and a name blocked for as long: reported as the address, once', async function () {
      const a = auth({ addressFailures: 1, userFailures: 1 });
      await refused(a, req(basicOf('u1', 'x')));
      await throttled(a, req(basicOf('u1', 'x')));
      await throttled(a, req(basicOf('u2', 'x')));
      assert.deepEqual(
        failures.filter((f) => f.status === 429).map((f) => [f.user, f.reason.split(';')[0]]),
        [['u1', 'too many failed authentications from this address']],
      );
    });

    it('a login exempts only its own (name, address) pair, even where name and address run together', async function () {
      const a = auth({ addressFailures: 100, userFailures: 1 });
      await a.authenticate(req(basicOf('alice', 'alice-pw'), { address: '10.0.0.1' }));
      await refused(a, req(basicOf('alice1', 'x'), { address: '198.51.100.1' }));
      // "alice1" + "0.0.0.1" spells what "alice" + "10.0.0.1" does: not the same pair.
      await throttled(a, req(basicOf('alice1', 'x'), { address: '0.0.0.1' }));
    });

    it('failures for one user name from many addresses lock the name, except where it logged in before', async function () {
      const a = auth({ addressFailures: 100, userFailures: 2 });
      await a.authenticate(req(basicOf('alice', 'alice-pw'), { address: '203.0.113.5' }));
      await refused(a, req(basicOf('alice', 'x'), { address: '198.51.100.1' }));
      await refused(a, req(basicOf('alice', 'x'), { address: '198.51.100.2' }));
      const e = await throttled(a, req(basicOf('alice', 'alice-pw-guess'), { address: '198.51.100.3' }));
      assert.equal(e.retryAfterSeconds, 300);
      const block = failures.find((f) => f.status === 429);
      assert.match(
        block?.reason ?? '',
        /^too many failed authentications from this user name; refused for 300 s/,
      );
      // From the address alice logged in from, the name's lock does not apply (even for a new secret).
      await t.principals.setMemberSecret({ name: 'alice', secretHash: cheapHash('alice-pw-2') });
      assert.equal(
        (await a.authenticate(req(basicOf('alice', 'alice-pw-2'), { address: '203.0.113.5' }))).member,
        'alice',
      );
      // Another name from a locked-out address is not affected by alice's lock.
      assert.equal(
        (await a.authenticate(req(basicOf('bob', 'bob-pw'), { address: '198.51.100.3' }))).member,
        'bob',
      );
    });

    it('the exemption of a known address lasts a day from the login', async function () {
      const a = auth({ addressFailures: 100, userFailures: 1 });
      await a.authenticate(req(basicOf('alice', 'alice-pw'), { address: '203.0.113.5' }));
      clock += 24 * 3600_000 - 1;
      await refused(a, req(basicOf('alice', 'x'), { address: '198.51.100.1' }));
      await throttled(a, req(basicOf('alice', 'y'), { address: '198.51.100.1' }));
      // The name is locked, but not from the address alice logged in from (a wrong secret: 401).
      await refused(a, req(basicOf('alice', 'z'), { address: '203.0.113.5' }));
      clock += 1;
      // A day after that login the address is known no longer: the name's lock applies there too.
      await throttled(a, req(basicOf('alice', 'w'), { address: '203.0.113.5' }));
    });
  });

  describe('API keys', function () {
    async function key(member: string, expiresAt: number | null = null) {
      const k = generateApiKey();
      await t.principals.createApiKey({ id: k.id, member, name: null, hash: k.hash, expiresAt });
      return k;
    }

    it('Bearer, Token and the Basic password (with the member’s name) authenticate the key’s member', async function () {
      const k = await key('alice');
      const a = auth();
      const expected = { member: 'alice', groups: ['soc'], credential: `key ${k.id}` };
      assert.deepEqual(await a.authenticate(req(`Bearer ${k.key}`)), expected);
      assert.deepEqual(await a.authenticate(req(`Token ${k.key}`)), expected);
      assert.deepEqual(await a.authenticate(req(basicOf('alice', k.key))), expected);
      assert.deepEqual(failures, []);
    });

    it('a wrong secret or an unknown id: 401 invalid API key, counted against the address', async function () {
      const k = await key('alice');
      const a = auth({ addressFailures: 2 });
      const wrong = `tessera_${k.id}_${'A'.repeat(43)}`;
      const unknown = `tessera_0123456789abcdef_${k.key.slice(-43)}`;
      for (const bad of [wrong, unknown]) {
        const e = await refused(a, req(`Bearer ${bad}`));
        assert.equal(e.message, 'invalid API key');
      }
      assert.deepEqual(
        failures.map((f) => [f.user, f.form, f.reason]),
        [
          ['alice', 'bearer', `unknown API key or wrong secret (key ${k.id})`],
          [null, 'bearer', 'unknown API key or wrong secret (key 0123456789abcdef)'],
        ],
      );
      await throttled(a, req(`Bearer ${k.key}`));
    });

    it('revoked, expired, another member’s name, disabled member: refused, not counted as guesses', async function () {
      const a = auth({ addressFailures: 1 });
      const revoked = await key('alice');
      await t.principals.revokeApiKey({ id: revoked.id, at: clock * 1000 });
      assert.equal((await refused(a, req(`Bearer ${revoked.key}`))).message, 'the API key has been revoked');
      const expired = await key('alice', clock * 1000);
      assert.equal((await refused(a, req(`Token ${expired.key}`))).message, 'the API key has expired');
      const live = await key('alice', clock * 1000 + 1);
      assert.equal(
        (await a.authenticate(req(`Token ${live.key}`))).member,
        'alice',
        'expires a microsecond later',
      );
      assert.equal((await refused(a, req(basicOf('bob', live.key)))).message, 'invalid credentials');
      const bobs = await key('bob');
      await t.principals.setMemberDisabled({ name: 'bob', disabled: true });
      assert.equal((await refused(a, req(`Bearer ${bobs.key}`))).message, 'invalid API key');
      assert.equal((await refused(a, req(basicOf('bob', bobs.key)))).message, 'invalid credentials');
      assert.deepEqual(
        failures.map((f) => [f.user, f.form, f.reason]),
        [
          ['alice', 'bearer', `API key revoked (key ${revoked.id})`],
          ['alice', 'token', `API key expired (key ${expired.id})`],
          ['bob', 'basic', `API key of alice sent with user name bob (key ${live.id})`],
          ['bob', 'bearer', `member disabled (key ${bobs.id})`],
          ['bob', 'basic', `member disabled (key ${bobs.id})`],
        ],
      );
      // None of these counted: the address (burst 1) is not blocked.
      assert.equal((await a.authenticate(req(`Bearer ${live.key}`))).member, 'alice');
    });

    it('a Basic password that is not shaped like a key is a member secret', async function () {
      const a = auth();
      await refused(a, req(basicOf('alice', 'tessera_0123')));
      assert.deepEqual(
        failures.map((f) => f.reason),
        ['wrong secret'],
      );
    });
  });

  describe('client certificates', function () {
    it('a verified certificate bound to an enabled member is that member; the header wins over it', async function () {
      await t.principals.bindCertificate({ fingerprint: FP, member: 'alice', subject: null });
      const a = auth();
      const certificate = { kind: 'verified', fingerprint: FP } as const;
      assert.deepEqual(await a.authenticate(req(undefined, { certificate })), {
        member: 'alice',
        groups: ['soc'],
        credential: `certificate ${FP_SHOWN}`,
      });
      assert.equal((await a.authenticate(req(basicOf('bob', 'bob-pw'), { certificate }))).member, 'bob');
    });

    it('rejected by TLS, bound to nobody, or of a disabled member: 401 with the reason reported', async function () {
      const a = auth();
      const rejected = await refused(
        a,
        req(undefined, { certificate: { kind: 'rejected', reason: 'unable to get issuer' } }),
      );
      assert.equal(
        rejected.message,
        'the client certificate is not issued by the CA this hub trusts (TLS client authentication)',
      );
      const unbound = await refused(
        a,
        req(undefined, { certificate: { kind: 'verified', fingerprint: FP } }),
      );
      assert.equal(unbound.message, 'the client certificate is bound to no member (tessera member cert)');
      await t.principals.bindCertificate({ fingerprint: FP, member: 'bob', subject: null });
      await t.principals.setMemberDisabled({ name: 'bob', disabled: true });
      const disabled = await refused(
        a,
        req(undefined, { certificate: { kind: 'verified', fingerprint: FP } }),
      );
      assert.equal(disabled.message, 'invalid credentials');
      assert.deepEqual(disabled.challenges, CHALLENGES);
      assert.deepEqual(
        failures.map((f) => [f.user, f.form, f.status, f.reason]),
        [
          [null, 'certificate', 401, 'client certificate not trusted: unable to get issuer'],
          [null, 'certificate', 401, `certificate ${FP_SHOWN} is bound to no member`],
          ['bob', 'certificate', 401, `member disabled (certificate ${FP_SHOWN})`],
        ],
      );
    });
  });

  it('authRequestOf: address from req.ip, else the socket; endpoint from method and path', function () {
    const r = authRequestOf({
      headers: { authorization: 'Basic x' },
      ip: '192.0.2.1',
      socket: { remoteAddress: '10.0.0.1' },
      method: 'POST',
      path: '/api1/',
    });
    assert.deepEqual(r, {
      headers: { authorization: 'Basic x' },
      address: '192.0.2.1',
      certificate: { kind: 'none' },
      endpoint: 'POST /api1/',
    });
    const bare = authRequestOf({ headers: {}, socket: { remoteAddress: '10.0.0.1' } });
    assert.equal(bare.address, '10.0.0.1');
    assert.equal(bare.endpoint, '? ?');
    assert.equal(authRequestOf({ headers: {}, socket: {} }).address, '');
  });
});
