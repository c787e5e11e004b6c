/**
 * Defences of the password check against floods and guessing (issue 8 items 5 and 6):
 *
 * - `FailureLimiter`: a leaky bucket of failed authentications per key (a source address, a user
 *   name). Each failure adds one; the bucket drains at `burst` per `windowMs`. A key whose bucket is
 *   full is refused (429 with Retry-After) without any password check until it has drained by one.
 *   Only failures are counted, and only counts are kept — never a verdict about a credential — so
 *   nothing an attacker can put in it lets a wrong password through or a right one be remembered.
 *   The number of keys is bounded (the oldest are dropped), so a flood from rotating addresses costs
 *   bounded memory.
 * - `HashGate`: bounds how many slow hashes (scrypt) run at once per process and how many wait.
 *   Waiters known to be good (a member who succeeded recently from the same address) go first, so a
 *   flood of wrong passwords from elsewhere delays them as little as possible.
 *
 * Both are per process: the resource they protect (CPU for scrypt) is per process, and counting
 * failures in the shared store would turn every attempt of a flood into a store write.
 */
import { isIPv6 } from 'node:net';
import { TooManyRequestsError } from '../errors';
import { ExpiringMap } from './expiring';

export interface FailureLimiterOptions {
  /** Failures a key may make in a burst before it is refused. */
  burst: number;
  /** Time in which a full bucket drains completely (so one attempt comes back every windowMs / burst). */
  windowMs: number;
  /** At most this many keys are tracked; the least recently failed are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  level: number;
  at: number;
}

export class FailureLimiter {
  /** A bucket is kept until it has drained empty. */
  private readonly buckets: ExpiringMap<Bucket>;
  private readonly ratePerMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: FailureLimiterOptions) {
    this.ratePerMs = opts.burst / opts.windowMs;
    this.now = opts.now ?? Date.now;
    this.buckets = new ExpiringMap(opts.maxKeys ?? 100_000, this.now);
  }

  private level(b: Bucket, now: number): number {
    return Math.max(0, b.level - (now - b.at) * this.ratePerMs);
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  blockedFor(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const now = this.now();
    const level = this.level(b, now);
    if (level === 0) {
      this.buckets.delete(key);
      return 0;
    }
    // Within the burst (level + 1 ≤ burst) the wait is 0; rounded to the microsecond first, so float
    // noise does not add a millisecond.
    return Math.max(0, Math.ceil(Math.round(((level + 1 - this.opts.burst) / this.ratePerMs) * 1000) / 1000));
  }

  /** Count one failure of `key`. */
  fail(key: string): void {
    const now = this.now();
    const b = this.buckets.get(key);
    const level = (b ? this.level(b, now) : 0) + 1;
    this.buckets.set(key, { level, at: now }, Math.ceil(level / this.ratePerMs));
  }

  /** Number of keys tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * The key a source address is counted under. IPv4 (also IPv4-mapped IPv6) per address; IPv6 per
 * /64, the block one host or customer usually gets, so rotating addresses inside it does not help.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/**
 * The eight 16-bit groups of a valid IPv6 address: its zone dropped, '::' expanded to the zero groups
 * it stands for, an embedded IPv4 tail (::a.b.c.d) as the two groups it is.
 */
export function ipv6Groups(address: string): number[] {
  const [head, tail] = (address.split('%')[0] as string).split('::');
  const h = groupsOf(head);
  const t = groupsOf(tail);
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

function groupsOf(part: string | undefined): number[] {
  if (part === undefined || part === '') return [];
  return part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
    return [(a << 8) | b, (c << 8) | d];
  });
}

export interface HashGateOptions {
  /** Slow hashes running at once. */
  concurrency: number;
  /** Requests allowed to wait for a slot; beyond it, refused with 429. */
  queue: number;
  /** How long a request may wait for a slot before it is refused with 429. */
  maxWaitMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class HashGate {
  private running = 0;
  private readonly preferred: Waiter[] = [];
  private readonly others: Waiter[] = [];

  constructor(private readonly opts: HashGateOptions) {}

  private busy(): TooManyRequestsError {
    return new TooManyRequestsError('too many password checks are in progress; try again shortly', 1);
  }

  /** Run `work` when a slot is free; `preferred` waiters are served first. */
  async run<T>(preferred: boolean, work: () => Promise<T>): Promise<T> {
    await this.acquire(preferred);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(preferred: boolean): Promise<void> {
    if (this.running < this.opts.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.preferred.length + this.others.length >= this.opts.queue) {
      // A full queue refuses newcomers, except that a preferred one displaces the newest other.
      const displaced = preferred ? this.others.pop() : undefined;
      if (!displaced) return Promise.reject(this.busy());
      clearTimeout(displaced.timer);
      displaced.reject(this.busy());
    }
    return new Promise<void>((resolve, reject) => {
      const list = preferred ? this.preferred : this.others;
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          // Still queued: a waiter leaves the queue only here or with its timer cleared (served, displaced).
          list.splice(list.indexOf(waiter), 1);
          reject(this.busy());
        }, this.opts.maxWaitMs),
      };
      list.push(waiter);
    });
  }

  private release(): void {
    const next = this.preferred.shift() ?? this.others.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve(); // the slot passes to the waiter
    } else {
      this.running--;
    }
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.preferred.length + this.others.length;
  }
}
