/**
 * Authentication: who is making this request, decided in one place for every credential form.
 *
 *   Authorization: Basic <name:secret>       a member secret (./secrets.ts), or an API key as the
 *                                            password with the member's name as the user
 *   Authorization: Bearer <key> / Token <key>  an API key (./apikeys.ts)
 *   a client certificate                      verified by TLS against TESSERA_TLS_CLIENT_CA and bound
 *                                            to a member (./certificates.ts); used when the request
 *                                            carries no Authorization header
 *
 * The member record (and the key or certificate record) is read on every request, so disabling,
 * removing, revoking or unbinding takes effect on the next request on every instance; only the
 * slow scrypt verdict of a secret is cached, keyed by the stored hash it was checked against.
 *
 * Member secrets, in this order:
 *   1. a (name, secret) never verified is first checked against the throttle: a source address, or
 *      a user name, with too many recent failures is refused with 429 before the store is asked or
 *      any scrypt runs — except that the user-name limit does not apply from an address where that
 *      member logged in recently, so a flood against alice's name does not lock alice out;
 *   2. the member record is read; a credential verified recently against its current hash passes;
 *   3. scrypt runs through the HashGate (bounded concurrency and queue), against the member's hash or,
 *      for an unknown name, a dummy hash of the same cost;
 *   4. a failure counts against the address and the user name, and is reported to `onFailure`.
 * API keys: the address throttle applies; the key is looked up by its id and its 256-bit secret
 * compared in constant time (no slow hash needed); a wrong or unknown key counts against the address.
 * Requests without credentials or with unreadable ones get 401 without any check and are neither
 * counted nor reported (they cost nothing to refuse and guess nothing; the access log has them).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthThrottleConfig } from '../config';
import type { MemberRecord, PrincipalStore } from '../store/contract';
import { TooManyRequestsError, UnauthorizedError } from '../errors';
import { hashKeySecret, parseApiKey, verifyApiKey } from './apikeys';
import { clientCertificateOf, formatFingerprint, type ClientCertificate } from './certificates';
import { parseAuthorization, type KeyScheme, type Scheme } from './credentials';
import { ExpiringMap } from './expiring';
import type { Principal } from './policy';
import { dummyHash, VerificationCache, verifySecret } from './secrets';
import { addressKey, FailureLimiter, HashGate } from './throttle';

export interface AuthRequest {
  headers: IncomingHttpHeaders;
  /** The client's address (Express `req.ip`, so it honours TESSERA_TRUST_PROXY). */
  address: string;
  /** What the TLS layer says about the client certificate (absent: plain HTTP). */
  certificate?: ClientCertificate;
  /** What was asked (`GET /api1/…`), carried into failure reports. */
  endpoint?: string;
}

export type CredentialForm = Scheme | 'certificate';

/** Where a request comes from and what it asks, for failure reports. */
/** A failure limit a request is checked against: what it counts, under which key, and how long it blocks now. */
interface Limit {
  what: 'address' | 'user name';
  key: string;
  wait: number;
}

interface Origin {
  address: string;
  endpoint: string | null;
}

/** A refused authentication, for the audit trail (never carries a secret). */
export interface AuthFailure {
  address: string;
  /** What was asked (`GET /api1/…`), when known. */
  endpoint: string | null;
  /** The user name tried (Basic), the member of the key or certificate when known, or null. */
  user: string | null;
  form: CredentialForm;
  status: 401 | 429;
  /** Why, for the operator (never sent to the client beyond what the 401 says). */
  reason: string;
}

/**
 * The AuthRequest of an HTTP request: its headers, its source address (Express's `req.ip`, which
 * honours TESSERA_TRUST_PROXY), its TLS client certificate, and what it asks.
 */
export function authRequestOf(req: {
  headers: IncomingHttpHeaders;
  ip?: string | undefined;
  socket: unknown;
  method?: string | undefined;
  path?: string | undefined;
}): AuthRequest {
  const socket = req.socket as { remoteAddress?: string };
  return {
    headers: req.headers,
    address: req.ip ?? socket.remoteAddress ?? '',
    certificate: clientCertificateOf(req.socket),
    endpoint: `${req.method ?? '?'} ${req.path ?? '?'}`,
  };
}

/** The only stores the authenticator reads. */
export type CredentialStore = Pick<PrincipalStore, 'getMember' | 'getApiKey' | 'getCertificate'>;

export interface Authenticator {
  /** The principal; throws UnauthorizedError (401) or TooManyRequestsError (429). */
  authenticate(req: AuthRequest): Promise<Principal>;
}

/** Challenges sent with a 401 when no (or an unsupported) credential was given. */
export const CHALLENGES = ['Basic realm="Tessera", charset="UTF-8"', 'Bearer realm="Tessera"'];

/** Text made safe for a quoted-string (RFC 9110 §5.6.4): no quote or backslash. */
// Stryker disable next-line StringLiteral: no refusal message holds a quote or a backslash today
const quotable = (text: string): string => text.replace(/["\\]/g, "'");

/** The challenges of a refusal; a Bearer one carries the reason (RFC 6750 §3). */
function challengeFor(form: CredentialForm | null, description: string): string[] {
  switch (form) {
    case 'basic':
      return [CHALLENGES[0] as string];
    case 'bearer':
      return [`Bearer realm="Tessera", error="invalid_token", error_description="${quotable(description)}"`];
    case 'token':
      return ['Token realm="Tessera"'];
    default:
      return CHALLENGES;
  }
}

function unauthorized(form: CredentialForm | null, message: string): UnauthorizedError {
  const e = new UnauthorizedError(message);
  e.challenges = challengeFor(form, message);
  return e;
}

function digest(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('base64');
}

/** How long a member's login from an address exempts that address from the member name's lock. */
const KNOWN_PAIR_TTL_MS = 24 * 3600_000;
/** Compared against when a key id is unknown, so an unknown id costs what a wrong secret costs. */
// Stryker disable next-line StringLiteral: any fixed hash serves; a key whose id is unknown is refused whatever it compares to
const DUMMY_KEY_HASH = hashKeySecret('0000000000000000', 'x'.repeat(43));

export interface AuthenticatorOptions {
  throttle: AuthThrottleConfig;
  onFailure?: (f: AuthFailure) => void;
  now?: () => number;
}

function principalOf(m: MemberRecord, credential: string): Principal {
  return { member: m.name, groups: m.groups, credential };
}

export class MemberAuthenticator implements Authenticator {
  private readonly cache: VerificationCache;
  /** (user name, address key) pairs that authenticated recently: exempt from the user-name limit. */
  private readonly knownPairs: ExpiringMap<true>;
  /** Blocks already reported to `onFailure` (one report per blocked key and episode, not per 429). */
  private readonly reportedBlocks: ExpiringMap<true>;
  private readonly byAddress: FailureLimiter;
  private readonly byUser: FailureLimiter;
  private readonly gate: HashGate;
  private readonly onFailure: (f: AuthFailure) => void;
  private readonly now: () => number;

  constructor(
    private readonly principals: CredentialStore,
    opts: AuthenticatorOptions,
  ) {
    const t = opts.throttle;
    this.now = opts.now ?? Date.now;
    const windowMs = t.failureWindowSeconds * 1000;
    this.cache = new VerificationCache({ now: this.now });
    this.knownPairs = new ExpiringMap(100_000, this.now);
    this.reportedBlocks = new ExpiringMap(100_000, this.now);
    this.byAddress = new FailureLimiter({ burst: t.addressFailures, windowMs, now: this.now });
    this.byUser = new FailureLimiter({ burst: t.userFailures, windowMs, now: this.now });
    this.gate = new HashGate({ concurrency: t.hashConcurrency, queue: t.hashQueue, maxWaitMs: 5_000 });
    this.onFailure = opts.onFailure ?? (() => {});
    // Computed now, so the first unknown name does not pay for it (and stand out by its time).
    void dummyHash();
  }

  private refuse(o: Origin, f: Omit<AuthFailure, 'endpoint' | 'address'>, message: string): never {
    this.onFailure({ ...f, address: o.address, endpoint: o.endpoint });
    throw unauthorized(f.form, message);
  }

  async authenticate(req: AuthRequest): Promise<Principal> {
    const cred = parseAuthorization(req.headers.authorization);
    const o: Origin = { address: req.address, endpoint: req.endpoint ?? null };
    switch (cred.kind) {
      case 'none':
        if (req.certificate && req.certificate.kind !== 'none') return this.byCertificate(o, req.certificate);
        throw unauthorized(
          null,
          'credentials are required (HTTP Basic, an API key as Bearer or Token, or a client certificate)',
        );
      case 'unsupported':
        throw unauthorized(
          null,
          'unsupported authentication scheme: use HTTP Basic, or an API key as Bearer or Token',
        );
      case 'malformed':
        throw unauthorized(cred.scheme, `malformed credentials: ${cred.reason}`);
      case 'key':
        return this.byKey(o, cred.scheme, cred.token, null);
      case 'basic':
        if (parseApiKey(cred.password)) return this.byKey(o, 'basic', cred.password, cred.user);
        return this.bySecret(o, cred.user, cred.password);
    }
  }

  private addressLimit(addr: string): Limit {
    return { what: 'address', key: addr, wait: this.byAddress.blockedFor(addr) };
  }

  /**
   * 429 when one of the limits the request is checked against blocks it now: the address always,
   * the user name for a secret (unless sent from an address it logged in from).
   */
  private throttle(
    o: Origin,
    form: CredentialForm,
    user: string | null,
    limits: readonly [Limit, ...Limit[]],
  ): void {
    // The longest wait; on a tie the first limit (the address) is the one reported.
    const worst = limits.reduce((a, b) => (b.wait > a.wait ? b : a));
    const wait = worst.wait;
    if (wait === 0) return;
    const blocked = `${worst.what} ${worst.key}`;
    if (this.reportedBlocks.get(blocked) === undefined) {
      // Stryker disable next-line BooleanLiteral: any value held marks the block as reported
      this.reportedBlocks.set(blocked, true, wait);
      this.onFailure({
        address: o.address,
        endpoint: o.endpoint,
        user,
        form,
        status: 429,
        reason: `too many failed authentications from this ${worst.what}; refused for ${Math.ceil(wait / 1000)} s (further refusals in that time are not recorded)`,
      });
    }
    throw new TooManyRequestsError(
      'too many failed authentications from this address or for this user name; try again later',
      wait / 1000,
    );
  }

  private async bySecret(o: Origin, user: string, password: string): Promise<Principal> {
    const addr = addressKey(o.address);
    const userKey = digest(user);
    const pair = digest(user, addr);
    const known = this.knownPairs.get(pair) === true;
    // A credential verified before passes without a throttle check while its entry is fresh.
    const verified = this.cache.verifiedHash(user, password);
    if (verified !== null) {
      const cached = await this.principals.getMember(user);
      if (cached && !cached.disabled && verified === cached.secretHash) return principalOf(cached, 'secret');
    }
    // Anything else is throttled before its secret is checked: a credential never verified before the
    // store is even asked (a flood stays cheap); a stale entry (changed secret, disabled member: rare)
    // after the read above, and its member is read once more below.
    this.throttle(o, 'basic', user, [
      this.addressLimit(addr),
      { what: 'user name', key: userKey, wait: known ? 0 : this.byUser.blockedFor(userKey) },
    ]);
    const member = await this.principals.getMember(user);
    const stored = member?.secretHash ?? (await dummyHash());
    const ok = await this.gate.run(known, () => verifySecret(password, stored));
    if (ok && member && !member.disabled) {
      this.cache.remember(user, password, stored);
      this.knownPairs.set(pair, true, KNOWN_PAIR_TTL_MS);
      return principalOf(member, 'secret');
    }
    this.byAddress.fail(addr);
    this.byUser.fail(userKey);
    const reason = !member ? 'unknown member' : ok ? 'member disabled' : 'wrong secret';
    return this.refuse(o, { user, form: 'basic', status: 401, reason }, 'invalid credentials');
  }

  /**
   * An API key (Bearer, Token, or the Basic password with the member's name as the user). Refusals
   * name what is wrong with the key (unknown, revoked, expired), never whether a member exists.
   */
  private async byKey(
    o: Origin,
    form: KeyScheme | 'basic',
    token: string,
    user: string | null,
  ): Promise<Principal> {
    const key = parseApiKey(token);
    // (A Basic password comes here only when it has the shape of a key.)
    if (!key) throw unauthorized(form, 'not a Tessera API key (tessera_<id>_<secret>)');
    const addr = addressKey(o.address);
    this.throttle(o, form, user, [this.addressLimit(addr)]);
    const rec = await this.principals.getApiKey(key.id);
    const ok = verifyApiKey(key, rec?.hash ?? DUMMY_KEY_HASH);
    const fail = (reason: string, message: string, counts: boolean): never => {
      if (counts) this.byAddress.fail(addr);
      return this.refuse(
        o,
        { user: user ?? rec?.member ?? null, form, status: 401, reason: `${reason} (key ${key.id})` },
        message,
      );
    };
    // Only a wrong or unknown key counts as a guess; a revoked or expired one was handed out once.
    if (!rec || !ok) return fail('unknown API key or wrong secret', 'invalid API key', true);
    if (rec.revokedAt !== null) return fail('API key revoked', 'the API key has been revoked', false);
    if (rec.expiresAt !== null && rec.expiresAt <= this.now() * 1000) {
      return fail('API key expired', 'the API key has expired', false);
    }
    if (user !== null && user !== rec.member) {
      return fail(`API key of ${rec.member} sent with user name ${user}`, 'invalid credentials', false);
    }
    const member = await this.principals.getMember(rec.member);
    if (!member || member.disabled)
      return fail('member disabled', form === 'basic' ? 'invalid credentials' : 'invalid API key', false);
    return principalOf(member, `key ${key.id}`);
  }

  /** A client certificate: verified by TLS against the client CA, and bound to an enabled member. */
  private async byCertificate(
    o: Origin,
    cert: Exclude<ClientCertificate, { kind: 'none' }>,
  ): Promise<Principal> {
    if (cert.kind === 'rejected') {
      return this.refuse(
        o,
        {
          user: null,
          form: 'certificate',
          status: 401,
          reason: `client certificate not trusted: ${cert.reason}`,
        },
        'the client certificate is not issued by the CA this hub trusts (TLS client authentication)',
      );
    }
    const shown = formatFingerprint(cert.fingerprint);
    const rec = await this.principals.getCertificate(cert.fingerprint);
    if (!rec) {
      return this.refuse(
        o,
        {
          user: null,
          form: 'certificate',
          status: 401,
          reason: `certificate ${shown} is bound to no member`,
        },
        'the client certificate is bound to no member (tessera member cert)',
      );
    }
    const member = await this.principals.getMember(rec.member);
    if (!member || member.disabled) {
      return this.refuse(
        o,
        {
          user: rec.member,
          form: 'certificate',
          status: 401,
          reason: `member disabled (certificate ${shown})`,
        },
        'invalid credentials',
      );
    }
    return principalOf(member, `certificate ${shown}`);
  }
}
