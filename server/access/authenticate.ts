/**
 * Authentication: who is making this request, decided in one place for every credential form
 * (see ./credentials.ts for the header syntax).
 *
 * Member secrets (Basic), in this order:
 *   1. the member record is read (every request: disabling or removing a member takes effect at once);
 *   2. a credential verified recently (VerificationCache) passes without scrypt and without throttle;
 *   3. a source address, or a user name, with too many recent failures is refused with 429 before
 *      any scrypt runs — except that the user-name limit does not apply from an address where that
 *      member authenticated recently, so a flood against alice's name does not lock alice out;
 *   4. scrypt runs through the HashGate (bounded concurrency and queue), against the member's hash or,
 *      for an unknown name, a dummy hash of the same cost;
 *   5. a failure counts against the address and the user name, and is reported to `onFailure`.
 * Requests without credentials or with malformed ones get 401 without any check and are not counted
 * (they cost nothing to refuse and guess nothing).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthThrottleConfig } from '../config';
import type { PrincipalStore } from '../store/contract';
import { TooManyRequestsError, UnauthorizedError } from '../errors';
import { parseAuthorization, type Scheme } from './credentials';
import type { Principal } from './policy';
import { ExpiringMap } from './expiring';
import { dummyHash, VerificationCache, verifySecret } from './secrets';
import { addressKey, FailureLimiter, HashGate } from './throttle';

export interface AuthRequest {
  headers: IncomingHttpHeaders;
  /** The client's address (Express `req.ip`, so it honours TESSERA_TRUST_PROXY). */
  address: string;
}

/** A refused authentication, for the audit trail (never carries the secret). */
export interface AuthFailure {
  address: string;
  /** The user name tried (Basic), or null. */
  user: string | null;
  scheme: Scheme | 'none' | 'unsupported';
  status: 401 | 429;
  reason: string;
}

export interface Authenticator {
  /** The principal; throws UnauthorizedError (401) or TooManyRequestsError (429). */
  authenticate(req: AuthRequest): Promise<Principal>;
}

/** Challenges sent with a 401 when no (or an unsupported) credential was given. */
export const CHALLENGES = ['Basic realm="Tessera", charset="UTF-8"', 'Bearer realm="Tessera"'];

function challengeFor(scheme: Scheme | 'none' | 'unsupported'): string[] {
  switch (scheme) {
    case 'basic':
      return [CHALLENGES[0] as string];
    case 'bearer':
      return ['Bearer realm="Tessera", error="invalid_token"'];
    case 'token':
      return ['Token realm="Tessera"'];
    default:
      return CHALLENGES;
  }
}

function unauthorized(scheme: Scheme | 'none' | 'unsupported', message: string): UnauthorizedError {
  const e = new UnauthorizedError(message);
  e.challenges = challengeFor(scheme);
  return e;
}

function digest(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64');
}

/** How long a member's login from an address exempts that address from the member name's lock. */
const KNOWN_PAIR_TTL_MS = 24 * 3600_000;

export interface AuthenticatorOptions {
  throttle: AuthThrottleConfig;
  onFailure?: (f: AuthFailure) => void;
  now?: () => number;
}

export class MemberAuthenticator implements Authenticator {
  private readonly cache: VerificationCache;
  /** (user name, address key) pairs that authenticated recently: exempt from the user-name limit. */
  private readonly knownPairs: ExpiringMap<true>;
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;
  private readonly gate: HashGate;
  private readonly onFailure: (f: AuthFailure) => void;

  constructor(
    private readonly principals: Pick<PrincipalStore, 'getMember'>,
    opts: AuthenticatorOptions,
  ) {
    const t = opts.throttle;
    const now = opts.now ?? Date.now;
    const windowMs = t.failureWindowSeconds * 1000;
    this.cache = new VerificationCache({ now });
    this.knownPairs = new ExpiringMap(100_000, now);
    this.byAddress = new FailureLimiter({ burst: t.addressFailures, windowMs, now });
    this.byUser = new FailureLimiter({ burst: t.userFailures, windowMs, now });
    this.gate = new HashGate({ concurrency: t.hashConcurrency, queue: t.hashQueue, maxWaitMs: 5_000 });
    this.onFailure = opts.onFailure ?? (() => {});
    // Computed now, so the first unknown name does not pay for it (and stand out by its time).
    void dummyHash();
  }

  private refuse(f: AuthFailure, message: string): never {
    this.onFailure(f);
    throw unauthorized(f.scheme, message);
  }

  async authenticate(req: AuthRequest): Promise<Principal> {
    const cred = parseAuthorization(req.headers.authorization);
    const base = { address: req.address, user: null, status: 401 as const };
    switch (cred.kind) {
      case 'none':
        throw unauthorized('none', 'credentials are required (HTTP Basic, or an API key as Bearer or Token)');
      case 'unsupported':
        return this.refuse(
          { ...base, scheme: 'unsupported', reason: `unsupported scheme ${cred.scheme}` },
          'unsupported authentication scheme: use HTTP Basic, or an API key as Bearer or Token',
        );
      case 'malformed':
        return this.refuse(
          { ...base, scheme: cred.scheme, reason: cred.reason },
          `malformed credentials: ${cred.reason}`,
        );
      case 'key':
        return this.refuse({ ...base, scheme: cred.scheme, reason: 'unknown API key' }, 'invalid API key');
      case 'basic':
        return this.basic(req.address, cred.user, cred.password);
    }
  }

  /** 429 when the address, or the name (unless from an address it logged in from), failed too often. */
  private throttle(address: string, user: string, addr: string, userKey: string, known: boolean): void {
    const wait = Math.max(this.byAddress.blockedFor(addr), known ? 0 : this.byUser.blockedFor(userKey));
    if (wait === 0) return;
    this.onFailure({
      address,
      user,
      scheme: 'basic',
      status: 429,
      reason: 'too many failed authentications',
    });
    throw new TooManyRequestsError(
      'too many failed authentications from this address or for this user name; try again later',
      wait / 1000,
    );
  }

  private async basic(address: string, user: string, password: string): Promise<Principal> {
    const addr = addressKey(address);
    const userKey = digest(user);
    const pair = digest(user, addr);
    const known = this.knownPairs.get(pair) === true;
    // A credential never verified is throttled before the store is even asked (a flood stays cheap).
    const verified = this.cache.verifiedHash(user, password);
    if (verified === null) this.throttle(address, user, addr, userKey, known);
    const member = await this.principals.getMember(user);
    if (member && !member.disabled && verified === member.secretHash) {
      return { member: member.name, groups: member.groups };
    }
    if (verified !== null) this.throttle(address, user, addr, userKey, known); // stale entry
    const stored = member?.secretHash ?? (await dummyHash());
    const ok = await this.gate.run(known, () => verifySecret(password, stored));
    if (ok && member && !member.disabled) {
      this.cache.remember(user, password, stored);
      this.knownPairs.set(pair, true, KNOWN_PAIR_TTL_MS);
      return { member: member.name, groups: member.groups };
    }
    this.byAddress.fail(addr);
    this.byUser.fail(userKey);
    return this.refuse(
      {
        address,
        user,
        scheme: 'basic',
        status: 401,
        reason: !member ? 'unknown member' : ok ? 'member disabled' : 'wrong secret',
      },
      'invalid credentials',
    );
  }
}
