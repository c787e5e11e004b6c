/**
 * Every credential form a member can use, for tests that must hold whatever the form (the TLP
 * property test drives its members through all of them):
 *
 *   basic        HTTP Basic with the member's secret
 *   key-basic    HTTP Basic with an API key as the password (the member's name as the user)
 *   bearer       Authorization: Bearer <key>
 *   token        Authorization: Token <key>
 *   certificate  a client certificate signed by the hub's client CA and bound to the member
 *
 * `startCredentialHub()` starts a hub over HTTPS that accepts client certificates (a PKI made at
 * test time); `credentialsOf(hub, member, secret)` creates the member's key and certificate and
 * returns one `Caller` per form; `call()` sends a request as a caller.
 */
import https from 'node:https';
import http, { type IncomingHttpHeaders } from 'node:http';
import { generateApiKey } from '../../server/access/apikeys';
import { startHub, TAXII, basic, type HubOptions, type TestHub } from './hub';
import { makeTestPki, type Issued, type TestPki } from './pki';

export const CREDENTIAL_FORMS = ['basic', 'key-basic', 'bearer', 'token', 'certificate'] as const;
export type CredentialForm = (typeof CREDENTIAL_FORMS)[number];

export interface Caller {
  member: string;
  form: CredentialForm;
  /** Headers carrying the credential (none for a certificate). */
  headers: Record<string, string>;
  /** The client certificate and key to present (certificate form only). */
  tls?: { cert: string; key: string };
}

export interface CredentialHub extends TestHub {
  pki: TestPki;
}

/** A hub on HTTPS with client-certificate authentication, over a fresh store. */
export async function startCredentialHub(opts: HubOptions = {}): Promise<CredentialHub> {
  const pki = makeTestPki();
  try {
    const hub = await startHub({
      ...opts,
      env: {
        TESSERA_TLS_CERT: pki.server.certFile,
        TESSERA_TLS_KEY: pki.server.keyFile,
        TESSERA_TLS_CLIENT_CA: pki.ca.certFile,
        ...opts.env,
      },
    });
    const close = hub.close.bind(hub);
    return Object.assign(hub, {
      pki,
      close: async () => {
        await close();
        pki.cleanup();
      },
    });
  } catch (e) {
    pki.cleanup();
    throw e;
  }
}

/** A new API key of `member` (stored as the CLI stores it); returns the key text. */
export async function addApiKey(
  hub: TestHub,
  member: string,
  opts: { name?: string; expiresAt?: number | null } = {},
): Promise<{ key: string; id: string }> {
  const { key, id, hash } = generateApiKey();
  await hub.stores.principals.createApiKey({
    id,
    member,
    name: opts.name ?? null,
    hash,
    expiresAt: opts.expiresAt ?? null,
  });
  return { key, id };
}

/** A client certificate issued by the hub's client CA and bound to `member`. */
export async function addCertificate(hub: CredentialHub, member: string): Promise<Issued> {
  const issued = hub.pki.issueClient(member);
  await hub.stores.principals.bindCertificate({
    fingerprint: issued.fingerprint,
    member,
    subject: `CN=${member}`,
  });
  return issued;
}

/** A credential of one form, and how to withdraw it (revoke the key, unbind the certificate). */
export interface IssuedCredential {
  caller: Caller;
  /** Ends the credential (a secret ends when the member's secret is replaced: nothing to do). */
  withdraw(): Promise<void>;
}

/** The caller sending API key `key` of `member` in one of the three ways a key is sent. */
function keyCaller(member: string, form: 'key-basic' | 'bearer' | 'token', key: string): Caller {
  const scheme = { 'key-basic': null, bearer: 'Bearer', token: 'Token' }[form];
  return { member, form, headers: { Authorization: scheme ? `${scheme} ${key}` : basic(member, key) } };
}

/** A new credential of `form` for an existing member whose secret is `secret`. */
export async function issueCredential(
  hub: CredentialHub,
  member: string,
  secret: string,
  form: CredentialForm,
): Promise<IssuedCredential> {
  switch (form) {
    case 'basic':
      return {
        caller: { member, form, headers: { Authorization: basic(member, secret) } },
        withdraw: async () => {},
      };
    case 'certificate': {
      const cert = await addCertificate(hub, member);
      return {
        caller: { member, form, headers: {}, tls: { cert: cert.cert, key: cert.key } },
        withdraw: async () => {
          await hub.stores.principals.unbindCertificate(cert.fingerprint);
        },
      };
    }
    default: {
      const { key, id } = await addApiKey(hub, member, { name: form });
      return {
        caller: keyCaller(member, form, key),
        withdraw: async () => {
          await hub.stores.principals.revokeApiKey({ id, at: Date.now() * 1000 });
        },
      };
    }
  }
}

/** One caller per credential form for an existing member with this secret. */
export async function credentialsOf(
  hub: CredentialHub,
  member: string,
  secret: string,
): Promise<Record<CredentialForm, Caller>> {
  const { key } = await addApiKey(hub, member, { name: 'test' });
  const cert = await addCertificate(hub, member);
  return {
    basic: { member, form: 'basic', headers: { Authorization: basic(member, secret) } },
    'key-basic': keyCaller(member, 'key-basic', key),
    bearer: keyCaller(member, 'bearer', key),
    token: keyCaller(member, 'token', key),
    certificate: { member, form: 'certificate', headers: {}, tls: { cert: cert.cert, key: cert.key } },
  };
}

export interface CallReply<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: T;
}

/**
 * A keep-alive agent presenting `caller`'s client certificate (if any) and trusting the hub's CA,
 * for suites that send thousands of requests as the same caller (pass it as `call`'s `agent`).
 */
export function keepAliveAgent(hub: TestHub & { pki?: TestPki }, caller: Caller): http.Agent {
  if (!hub.url.startsWith('https:')) return new http.Agent({ keepAlive: true });
  return new https.Agent({
    keepAlive: true,
    ...(hub.pki ? { ca: hub.pki.ca.cert } : {}),
    ...(caller.tls ? { cert: caller.tls.cert, key: caller.tls.key } : {}),
  });
}

/**
 * One request as `caller` (or with no credentials when null), over HTTP or HTTPS as the hub
 * serves; a fresh connection each time (so a client certificate is presented anew) unless an
 * `agent` is given (see keepAliveAgent).
 */
export function call<T = unknown>(
  hub: TestHub & { pki?: TestPki },
  caller: Caller | null,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<CallReply<T>> {
  const url = new URL(path, hub.url);
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  const headers: Record<string, string> = { Accept: TAXII, ...caller?.headers, ...opts.headers };
  if (body) {
    headers['Content-Type'] = TAXII;
    headers['Content-Length'] = String(body.length);
  }
  const secure = url.protocol === 'https:';
  const options: https.RequestOptions = {
    method,
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    headers,
    ...(opts.agent
      ? { agent: opts.agent }
      : {
          agent: false,
          ...(secure && hub.pki ? { ca: hub.pki.ca.cert } : {}),
          ...(secure && caller?.tls ? { cert: caller.tls.cert, key: caller.tls.key } : {}),
        }),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = undefined;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
