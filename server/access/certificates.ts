/**
 * Client certificates as credentials. A member is bound to certificates by their SHA-256
 * fingerprint (`tessera member cert`); a request authenticates with one when the TLS layer verified
 * it against TESSERA_TLS_CLIENT_CA (server/listen.ts) and it is bound to an enabled member. Pinning
 * the fingerprint on top of the CA check means a certificate the CA issues to someone else does not
 * become a member, and unbinding revokes at once without a CRL.
 *
 * Fingerprints are kept as 64 lower-case hex digits and shown as `AB:CD:…` (what
 * `openssl x509 -noout -fingerprint -sha256` prints).
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** 64 lower-case hex digits from `AB:CD:…`, `abcd…` or `sha256:…`, or null. */
export function parseFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^(sha-?256\s*(fingerprint)?\s*[:=]\s*)/i, '')
    .replace(/[:\s]/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/** `AB:CD:…` */
export function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/** The fingerprint of the first certificate of a PEM text; throws on a text that holds none. */
export function fingerprintOfPem(pem: string): string {
  return parseFingerprint(new X509Certificate(pem).fingerprint256) as string;
}

/** What the TLS layer says about the client certificate of a request's connection. */
export type ClientCertificate =
  { kind: 'none' } | { kind: 'verified'; fingerprint: string } | { kind: 'rejected'; reason: string };

/**
 * The client certificate of a connection: verified (chains to the client CA), rejected (with
 * OpenSSL's reason), or none (plain HTTP, or no certificate sent).
 */
export function clientCertificateOf(socket: unknown): ClientCertificate {
  const s = socket as Partial<TLSSocket>;
  if (typeof s.getPeerCertificate !== 'function') return { kind: 'none' };
  const peer = s.getPeerCertificate();
  if (!peer || !peer.fingerprint256) return { kind: 'none' };
  if (!s.authorized) return { kind: 'rejected', reason: String(s.authorizationError ?? 'not verified') };
  const fingerprint = parseFingerprint(peer.fingerprint256);
  return fingerprint
    ? { kind: 'verified', fingerprint }
    : { kind: 'rejected', reason: 'no SHA-256 fingerprint' };
}
