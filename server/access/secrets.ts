/**
 * Member secrets are stored only as salted scrypt hashes: `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`.
 * Verification is constant-time. Because scrypt is deliberately slow (~100 ms), successful
 * verifications are remembered for a short time (VerificationCache) so a SIEM polling with Basic
 * auth does not pay scrypt on every request. A check for a member that does not exist runs against
 * `dummyHash()`, so it costs what a wrong password for a real member costs (no user enumeration by
 * timing).
 */
import {
  createHmac,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';
import { ExpiringMap } from './expiring';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
/**
 * Parameters read from a stored hash are bounded, so a damaged record cannot make a check run away:
 * scrypt's memory, 128·N·r bytes, is capped by MAXMEM (scrypt refuses more, and refuses N ≥ 2^(16·r)
 * and zero values); p multiplies the time without using memory, so it has a bound of its own.
 */
const MAXMEM = 256 * 1024 * 1024;
const MAX_P = 16;

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEY_LEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', LOG_N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ScryptParams {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function decode(encoded: string): ScryptParams | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, logN, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const nums = [logN, r, p].map((x) => (/^\d{1,3}$/.test(x) ? Number(x) : NaN));
  const [n0, r0, p0] = nums as [number, number, number];
  // A field that is not 1 to 3 digits is NaN, which scrypt refuses like its other impossible
  // values; the other bounds are scrypt's (see MAXMEM).
  if (!(p0 <= MAX_P)) return null;
  const salt = Buffer.from(saltB64, 'base64');
  const key = Buffer.from(keyB64, 'base64');
  if (salt.length === 0 || key.length < 16) return null;
  return { logN: n0, r: r0, p: p0, salt, key };
}

/** Whether `secret` matches the encoded hash; false (never an exception) for an unusable hash. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const params = decode(encoded);
  if (!params) return false;
  const { logN, r, p, salt, key: expected } = params;
  let key: Buffer;
  try {
    key = await scrypt(secret, salt, expected.length, { N: 2 ** logN, r, p, maxmem: MAXMEM });
  } catch {
    return false; // parameters scrypt refuses (too much memory, N = 1, r or p 0): unusable
  }
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | null = null;

/** A hash of a random secret nobody knows, with today's parameters: checked when a name is unknown. */
export function dummyHash(): Promise<string> {
  // Stryker disable next-line StringLiteral: any encoding of 24 random bytes is a secret nobody knows
  dummy ??= hashSecret(randomBytes(24).toString('base64'));
  return dummy;
}

export interface VerificationCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Short-lived memory of successful verifications only (a failure is never remembered: each wrong
 * password costs its scrypt, which is what the throttle in ./throttle.ts accounts for).
 *
 * An entry maps an HMAC (under a random per-process key) of the user name and the presented secret
 * to the stored hash it was verified against: a changed secret or a re-created member (new salt)
 * misses, and the memory of the process holds nothing that would help guess a secret offline.
 * Entries expire `ttlMs` (default 10 min) after the verification; when full (default 10,000), the
 * entry verified longest ago makes room. The member record itself is read on every request, so
 * disabling or removing a member takes effect at once whatever this cache holds.
 */
export class VerificationCache {
  private readonly entries: ExpiringMap<string>;
  private readonly hmacKey = randomBytes(32);
  private readonly ttlMs: number;

  constructor(opts: VerificationCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.entries = new ExpiringMap(opts.maxEntries ?? 10_000, opts.now);
  }

  private key(name: string, secret: string): string {
    return createHmac('sha256', this.hmacKey).update(name).update('\0').update(secret).digest('base64');
  }

  /**
   * The stored hash this (name, secret) was verified against within the TTL, or null. Cheap: lets
   * a caller tell a possibly good credential from a surely unverified one before reading the store.
   */
  verifiedHash(name: string, secret: string): string | null {
    return this.entries.get(this.key(name, secret)) ?? null;
  }

  /** Whether this exact (name, secret) was verified against this stored hash within the TTL. */
  has(name: string, secret: string, storedHash: string): boolean {
    return this.verifiedHash(name, secret) === storedHash;
  }

  /** Remember a successful verification. */
  remember(name: string, secret: string, storedHash: string): void {
    this.entries.set(this.key(name, secret), storedHash, this.ttlMs);
  }

  get size(): number {
    return this.entries.size;
  }
}
