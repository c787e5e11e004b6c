/**
 * Authentication, pluggable behind one interface. HTTP Basic against member records is the
 * scheme every TAXII client (and Microsoft Sentinel) supports; API keys or client certificates
 * can be added as further Authenticators.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Store } from '../store/contract';
import { UnauthorizedError } from '../errors';
import type { Principal } from './policy';
import { VerificationCache } from './secrets';

export interface Authenticator {
  /** The `WWW-Authenticate` challenge to send with a 401. */
  readonly challenge: string;
  /** A principal, or null when the request carries no credentials of this scheme. Throws on bad ones. */
  authenticate(headers: IncomingHttpHeaders): Promise<Principal | null>;
}

export class BasicAuthenticator implements Authenticator {
  readonly challenge = 'Basic realm="Tessera", charset="UTF-8"';
  private readonly cache = new VerificationCache();

  constructor(private readonly store: Store) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Principal | null> {
    const h = headers.authorization;
    if (!h) return null;
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(h);
    if (!m) return null;
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new UnauthorizedError('malformed Basic credentials');
    const name = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const member = await this.store.getMember(name);
    if (!member || member.disabled || !(await this.cache.verify(name, secret, member.secretHash))) {
      throw new UnauthorizedError('invalid credentials');
    }
    return { member: member.name, groups: member.groups };
  }
}
