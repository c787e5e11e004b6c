/**
 * Member secrets (scrypt), the dummy hash, and the cache of successful verifications: the cache
 * remembers only what it is told, per exact (name, secret, stored hash), until its TTL, and within
 * its size cap.
 */
import assert from 'node:assert/strict';
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
  });
});
