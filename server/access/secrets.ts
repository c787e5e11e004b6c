/**
 * Member secrets are stored only as salted scrypt hashes: `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`.
 * Verification is constant-time. Because scrypt is deliberately slow (tens of ms), successful
 * verifications are remembered for a short time, keyed by a SHA-256 of the presented credentials
 * and the stored hash, so a SIEM polling with Basic auth does not pay scrypt on every request and a
 * changed or revoked secret takes effect at once.
 */
import {
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scrypt(secret: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, KEY_LEN, { N: 2 ** LOG_N, r: R, p: P, maxmem: 256 * 1024 * 1024 });
  return ['scrypt', LOG_N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  const salt = Buffer.from(saltB64, 'base64');
  const N = 2 ** Number(logN);
  if (!Number.isInteger(N) || expected.length === 0) return false;
  const key = await scrypt(secret, salt, expected.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Short-lived memory of successful verifications (bounded; entries expire). */
export class VerificationCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  private key(name: string, secret: string, storedHash: string): string {
    return createHash('sha256')
      .update(name)
      .update('\0')
      .update(secret)
      .update('\0')
      .update(storedHash)
      .digest('base64');
  }

  async verify(name: string, secret: string, storedHash: string): Promise<boolean> {
    const k = this.key(name, secret, storedHash);
    const until = this.entries.get(k);
    const now = Date.now();
    if (until !== undefined && until > now) return true;
    const ok = await verifySecret(secret, storedHash);
    if (ok) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(k, now + this.ttlMs);
    }
    return ok;
  }
}
