/**
 * API keys: `tessera_<id>_<secret>`.
 *
 * - `tessera_` makes a leaked key recognisable (secret scanners, logs, a member's password manager);
 * - `<id>` (16 hex digits, 64 random bits) is public: the store looks the key up by it, the CLI
 *   lists and revokes by it, audit records may name it;
 * - `<secret>` is 32 random bytes (256 bits) in base64url (43 characters).
 *
 * Only a SHA-256 digest of the secret (domain-separated and bound to the id) is stored. A slow hash
 * protects guessable passwords; a 256-bit random secret cannot be guessed, so one fast hash is as
 * strong here and keeps key checks cheap on every request (no scrypt, no cache to invalidate). The
 * comparison is constant-time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const KEY_PREFIX = 'tessera_';
const KEY_RE = /^tessera_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const KEY_ID_RE = /^[0-9a-f]{16}$/;

export interface ParsedKey {
  id: string;
  secret: string;
}

/** The key's parts, or null when the text is not shaped like a Tessera API key. */
export function parseApiKey(text: string): ParsedKey | null {
  const m = KEY_RE.exec(text);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

/** Whether a text has the shape of an API key (member secrets of that shape are refused). */
export function looksLikeApiKey(text: string): boolean {
  return KEY_RE.test(text);
}

/** The stored form: `sha256$<base64 digest>`. */
export function hashKeySecret(id: string, secret: string): string {
  const digest = createHash('sha256')
    .update('tessera-api-key\0')
    .update(id)
    .update('\0')
    .update(secret)
    .digest();
  return `sha256$${digest.toString('base64')}`;
}

/** A new key: the text to show once, its id, and the hash to store. */
export function generateApiKey(): { key: string; id: string; hash: string } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `${KEY_PREFIX}${id}_${secret}`, id, hash: hashKeySecret(id, secret) };
}

/** Constant-time check of a presented key against its stored hash. */
export function verifyApiKey(key: ParsedKey, storedHash: string): boolean {
  // Stryker disable next-line StringLiteral: utf8 is also what Buffer.from takes by default
  const expected = Buffer.from(storedHash, 'utf8');
  // Stryker disable next-line StringLiteral: utf8 is also what Buffer.from takes by default
  const actual = Buffer.from(hashKeySecret(key.id, key.secret), 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
