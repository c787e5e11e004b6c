/**
 * Member secrets (scrypt), the dummy hash, and the cache of successful verifications: the cache
 * remembers only what it is told, per exact (name, secret, stored hash), until its TTL, and within
 * its size cap.
 */
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { dummyHash, hashSecret, VerificationCache, verifySecret } from '../../server/access/secrets';
import { ExpiringMap } from '../../server/access/expiring';

describe('access: member secrets', function () {
  let h: string;
  before(async function () {
    h = await hashSecret('correct horse battery');
  });

  it('a hash verifies its secret and nothing else; salts differ', async function () {
    assert.match(h, /^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifySecret('correct horse battery', h), true);
    assert.equal(await verifySecret('correct horse batterY', h), false);
    assert.equal(await verifySecret('correct horse battery ', h), false);
    assert.equal(await verifySecret('', h), false);
    const again = await hashSecret('correct horse battery');
    assert.notEqual(again, h, 'each hash has its own salt');
    assert.equal(await verifySecret('correct horse battery', again), true);
  });

  it('a damaged or foreign stored hash never verifies and never throws', async function () {
    const parts = h.split('$');
    const damaged = [
      '',
      'plain-text-password',
      'correct horse battery',
      parts.slice(0, 5).join('$'),
      ['bcrypt', ...parts.slice(1)].join('$'),
      ['scrypt', '99', ...parts.slice(2)].join('$'), // N = 2^99: refused, not attempted
      ['scrypt', '0', ...parts.slice(2)].join('$'),
      ['scrypt', 'x', ...parts.slice(2)].join('$'),
      ['scrypt', '15', '8', '1', '', parts[5]].join('$'),
      ['scrypt', '15', '8', '1', parts[4], ''].join('$'),
    ];
    for (const d of damaged) assert.equal(await verifySecret('correct horse battery', d), false, d);
  });

  /** A stored hash with the given parameters, computed here as the decoder should read it. */
  function encoded(
    secret: string,
    p: { logN: number; r: number; p: number; salt?: Buffer; keyLen?: number },
    fields: { logN?: string; r?: string; p?: string } = {},
  ): string {
    const salt = p.salt ?? randomBytes(16);
    const key = scryptSync(secret, salt, p.keyLen ?? 32, {
      N: 2 ** p.logN,
      r: p.r,
      p: p.p,
      maxmem: 256 * 1024 * 1024,
    });
    return [
      'scrypt',
      fields.logN ?? p.logN,
      fields.r ?? p.r,
      fields.p ?? p.p,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  it('any parameters scrypt can run within 256 MiB verify, with p up to 16 and a key of 16 bytes or more', async function () {
    const secret = 'correct horse battery';
    const good = [
      { logN: 1, r: 1, p: 1 },
      { logN: 1, r: 33, p: 1 },
      { logN: 1, r: 1, p: 16 },
      { logN: 4, r: 8, p: 1, keyLen: 16 },
      { logN: 15, r: 1, p: 1 }, // the largest N scrypt takes with r = 1 (N < 2^(16 r))
    ];
    for (const params of good) {
      const stored = encoded(secret, params);
      assert.equal(await verifySecret(secret, stored), true, JSON.stringify(params));
      assert.equal(await verifySecret('wrong', stored), false, JSON.stringify(params));
    }
  });

  it('a hash outside the bounds is refused even when it was computed right', async function () {
    const secret = 'correct horse battery';
    const refused: [string, string][] = [
      ['p 17', encoded(secret, { logN: 1, r: 1, p: 17 })],
      ['a key of 15 bytes', encoded(secret, { logN: 1, r: 1, p: 1, keyLen: 15 })],
      ['an empty salt', encoded(secret, { logN: 1, r: 1, p: 1, salt: Buffer.alloc(0) })],
      // Parameters are 1 to 3 digits, nothing else around them.
      ['log N 0001', encoded(secret, { logN: 1, r: 1, p: 1 }, { logN: '0001' })],
      ['r " 1"', encoded(secret, { logN: 1, r: 1, p: 1 }, { r: ' 1' })],
      ['p "1 "', encoded(secret, { logN: 1, r: 1, p: 1 }, { p: '1 ' })],
    ];
    for (const [what, stored] of refused) assert.equal(await verifySecret(secret, stored), false, what);
  });

  it('parameters scrypt refuses make the check false, never an exception (no 500 for a damaged record)', async function () {
    const salt = randomBytes(16).toString('base64');
    const key = randomBytes(32).toString('base64');
    const cases: [string, string, string][] = [
      ['0', '8', '1'], // N = 1
      ['16', '1', '1'], // N ≥ 2^(16 r)
      ['20', '8', '1'], // 1 GiB of memory
      ['99', '8', '1'],
      ['999', '999', '1'],
      ['15', '0', '1'],
      ['15', '8', '0'],
    ];
    for (const [logN, r, p] of cases) {
      assert.equal(
        await verifySecret('x', ['scrypt', logN, r, p, salt, key].join('$')),
        false,
        `${logN} ${r} ${p}`,
      );
    }
  });

  it('the dummy hash is a real hash of the same cost that no guess matches', async function () {
    const d = await dummyHash();
    assert.equal(d, await dummyHash(), 'computed once');
    assert.equal(d.split('$').slice(0, 4).join('$'), h.split('$').slice(0, 4).join('$'), 'same parameters');
    for (const guess of ['', 'password', 'correct horse battery']) {
      assert.equal(await verifySecret(guess, d), false);
    }
  });
});

describe('access: the verification cache', function () {
  let clock = 0;
  const now = () => clock;
  beforeEach(function () {
    clock = 1_000_000;
  });

  it('remembers exactly the (name, secret, stored hash) it was given', function () {
    const c = new VerificationCache({ now });
    assert.equal(c.has('alice', 'pw-1', 'H1'), false);
    assert.equal(c.verifiedHash('alice', 'pw-1'), null);
    c.remember('alice', 'pw-1', 'H1');
    assert.equal(c.has('alice', 'pw-1', 'H1'), true);
    assert.equal(c.verifiedHash('alice', 'pw-1'), 'H1');
    assert.equal(c.verifiedHash('alice', 'pw-2'), null);
    assert.equal(c.has('alice', 'pw-2', 'H1'), false, 'another secret');
    assert.equal(
      c.has('alice', 'pw-1', 'H2'),
      false,
      'a changed stored hash (new secret, re-created member)',
    );
    assert.equal(c.has('bob', 'pw-1', 'H1'), false, 'another member');
    // The separator keeps ("ab","c") and ("a","bc") apart.
    c.remember('ab', 'c', 'H');
    assert.equal(c.has('a', 'bc', 'H'), false);
  });

  it('remembers for 10 minutes by default', function () {
    const c = new VerificationCache({ now });
    c.remember('alice', 'pw', 'H');
    clock += 10 * 60_000 - 1;
    assert.equal(c.has('alice', 'pw', 'H'), true);
    clock += 1;
    assert.equal(c.has('alice', 'pw', 'H'), false);
  });

  it('forgets an entry when its TTL has passed', function () {
    const c = new VerificationCache({ now, ttlMs: 60_000 });
    c.remember('alice', 'pw', 'H');
    clock += 59_999;
    assert.equal(c.has('alice', 'pw', 'H'), true);
    clock += 1;
    assert.equal(c.has('alice', 'pw', 'H'), false, 'expired at exactly the TTL');
    assert.equal(c.size, 0, 'an expired entry is dropped when seen');
    // Remembering again starts a new TTL.
    c.remember('alice', 'pw', 'H');
    clock += 30_000;
    assert.equal(c.has('alice', 'pw', 'H'), true);
  });

  it('holds at most maxEntries, dropping the one verified longest ago', function () {
    const c = new VerificationCache({ now, maxEntries: 3 });
    for (const n of ['a', 'b', 'c']) c.remember(n, 'pw', 'H');
    c.remember('a', 'pw', 'H'); // refreshed: now the newest
    c.remember('d', 'pw', 'H');
    assert.equal(c.size, 3);
    assert.equal(c.has('b', 'pw', 'H'), false, 'the oldest made room');
    for (const n of ['a', 'c', 'd']) assert.equal(c.has(n, 'pw', 'H'), true, n);
  });

  it('ExpiringMap: TTL from the last set, bounded size, the stalest entry makes room', function () {
    const m = new ExpiringMap<number>(2, now);
    m.set('x', 1, 100);
    clock += 60;
    m.set('x', 2, 100);
    clock += 60;
    assert.equal(m.get('x'), 2, 'the second set restarted the TTL');
    m.set('y', 3, 100);
    m.set('z', 4, 100);
    assert.equal(m.get('x'), undefined);
    assert.equal(m.size, 2);
    clock += 100;
    assert.equal(m.get('y'), undefined);
    m.set('w', 5, 100);
    const held = m.size;
    m.delete('w');
    assert.equal(m.get('w'), undefined);
    assert.equal(m.size, held - 1);
  });
});
