/**
 * The failure limiter (leaky bucket per key), the address key (IPv6 per /64) and the slow-hash gate.
 */
import assert from 'node:assert/strict';
import { TooManyRequestsError } from '../../server/errors';
import { addressKey, FailureLimiter, HashGate, ipv6Groups } from '../../server/access/throttle';

describe('access: failure limiter', function () {
  let clock = 0;
  const now = () => clock;
  beforeEach(function () {
    clock = 5_000_000;
  });

  it('allows a burst of failures, then refuses until one has drained', function () {
    const l = new FailureLimiter({ burst: 3, windowMs: 3_000, now }); // drains 1 per second
    for (let i = 0; i < 3; i++) {
      assert.equal(l.blockedFor('k'), 0, `attempt ${i + 1} is allowed`);
      l.fail('k');
    }
    assert.equal(l.blockedFor('k'), 1_000, 'full: one attempt back after 1 s');
    assert.equal(l.blockedFor('other'), 0, 'other keys are not affected');
    clock += 400;
    assert.equal(l.blockedFor('k'), 600);
    clock += 600;
    assert.equal(l.blockedFor('k'), 0, 'one attempt came back');
    l.fail('k');
    assert.equal(l.blockedFor('k'), 1_000, 'and is used up again');
    clock += 3_000;
    assert.equal(l.blockedFor('k'), 0);
    // Fully drained keys are forgotten.
    clock += 10_000;
    l.blockedFor('k');
    assert.equal(l.size, 0);
  });

  it('a bucket drained to empty is dropped when next looked at', function () {
    const l = new FailureLimiter({ burst: 3, windowMs: 1_000, now }); // 1 drains in 333.3 ms
    l.fail('k');
    assert.equal(l.size, 1);
    clock += 333.5;
    assert.equal(l.blockedFor('k'), 0);
    assert.equal(l.size, 0);
  });

  it('failures spread out within the drain rate are never refused', function () {
    const l = new FailureLimiter({ burst: 2, windowMs: 2_000, now });
    for (let i = 0; i < 50; i++) {
      assert.equal(l.blockedFor('slow'), 0);
      l.fail('slow');
      clock += 1_000;
    }
  });

  it('tracks at most maxKeys keys, forgetting the least recently failed', function () {
    const l = new FailureLimiter({ burst: 1, windowMs: 60_000, maxKeys: 3, now });
    for (const k of ['a', 'b', 'c']) l.fail(k);
    l.fail('a'); // a is now the most recent
    l.fail('d');
    assert.equal(l.size, 3);
    assert.equal(l.blockedFor('b'), 0, 'b was dropped');
    for (const k of ['a', 'c', 'd']) assert.ok(l.blockedFor(k) > 0, k);
  });
});

describe('access: address keys', function () {
  it('IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 per /64', function () {
    assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('2001:db8:0:0:ffff::9'), addressKey('2001:db8::1'));
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
    assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(addressKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  });

  it('counts the groups after "::", an embedded IPv4 tail as two, and maps only ::ffff:a.b.c.d', function () {
    assert.equal(addressKey('1::2:3:4:5:6:7'), '1:0:2:3::/64');
    assert.equal(addressKey('1::2:3:4:5:1.2.3.4'), '1:0:2:3::/64');
    assert.equal(addressKey('1:2::3:4:5:6'), '1:2:0:0::/64');
    assert.equal(addressKey('::ffff:10.200.30.40'), '10.200.30.40');
    assert.equal(addressKey('1::ffff:1.2.3.4'), '1:0:0:0::/64');
    assert.equal(addressKey('::ffff:1.2.3.4x'), '::ffff:1.2.3.4x', 'not an address: kept as is');
    assert.equal(addressKey('not an address'), 'not an address');
  });
  it('expands an IPv6 address to its eight groups: zone dropped, "::" filled, an IPv4 tail as two groups', function () {
    const cases: [string, number[]][] = [
      ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', [0x2001, 0xdb8, 1, 2, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd]],
      ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
      ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
      ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
      ['1:2::7:8', [1, 2, 0, 0, 0, 0, 7, 8]],
      ['::2:3:4:5:6:7:8', [0, 2, 3, 4, 5, 6, 7, 8]],
      ['fe80::a:b%eth0', [0xfe80, 0, 0, 0, 0, 0, 0xa, 0xb]],
      ['fe80:1:2:3:4:5:6:7%2', [0xfe80, 1, 2, 3, 4, 5, 6, 7]],
      ['64:ff9b::192.0.2.129', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0281]],
      ['1:2:3:4:5:6:10.20.30.40', [1, 2, 3, 4, 5, 6, 0x0a14, 0x1e28]],
      ['::255.254.1.0', [0, 0, 0, 0, 0, 0, 0xfffe, 0x0100]],
    ];
    for (const [address, groups] of cases) assert.deepEqual(ipv6Groups(address), groups, address);
  });
});

describe('access: slow-hash gate', function () {
  function deferred() {
    let resolve: () => void = () => {};
    const p = new Promise<void>((r) => (resolve = r));
    return { p, resolve };
  }

  it('runs at most `concurrency` at once and queues the rest in order', async function () {
    const g = new HashGate({ concurrency: 2, queue: 10, maxWaitMs: 5_000 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      g.run(false, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(i);
        running--;
        return i;
      }),
    );
    assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3, 4, 5]);
    assert.equal(peak, 2);
    assert.deepEqual(order.slice(2), [2, 3, 4, 5]);
  });

  it('refuses with 429 beyond the queue, and preferred waiters go first (displacing others when full)', async function () {
    const g = new HashGate({ concurrency: 1, queue: 2, maxWaitMs: 5_000 });
    const hold = deferred();
    const started: string[] = [];
    const job = (name: string) => async () => {
      started.push(name);
      if (name === 'first') await hold.p;
    };
    const first = g.run(false, job('first'));
    const o1 = g.run(false, job('o1'));
    const o2 = g.run(false, job('o2'));
    // Queue full: another "other" is refused at once.
    await assert.rejects(g.run(false, job('o3')), (e: unknown) => {
      assert.ok(e instanceof TooManyRequestsError);
      assert.equal(e.httpStatus, 429);
      assert.equal(e.retryAfterSeconds, 1);
      assert.equal(e.message, 'too many password checks are in progress; try again shortly');
      return true;
    });
    // A preferred one displaces the newest other.
    const p1 = g.run(true, job('p1'));
    await assert.rejects(o2, TooManyRequestsError);
    assert.equal(g.waiting, 2);
    hold.resolve();
    await Promise.all([first, o1, p1]);
    assert.deepEqual(started, ['first', 'p1', 'o1']);
  });

  it('a waiter that waits longer than maxWaitMs is refused with 429 and leaves the queue', async function () {
    const g = new HashGate({ concurrency: 1, queue: 5, maxWaitMs: 30 });
    const hold = deferred();
    const first = g.run(false, () => hold.p);
    await assert.rejects(
      g.run(false, async () => {}),
      TooManyRequestsError,
    );
    assert.equal(g.waiting, 0);
    hold.resolve();
    await first;
    // The slot was released: the next one runs at once.
    assert.equal(await g.run(false, async () => 7), 7);
  });

  it('a failing job releases its slot', async function () {
    const g = new HashGate({ concurrency: 1, queue: 0, maxWaitMs: 1_000 });
    await assert.rejects(
      g.run(false, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await g.run(false, async () => 1), 1);
  });
});
