/**
 * The listening server: plain HTTP, or native HTTPS when TESSERA_TLS_CERT and TESSERA_TLS_KEY are
 * set (TLS 1.2 or later), optionally asking for client certificates signed by TESSERA_TLS_CLIENT_CA.
 *
 * A client certificate is requested but not required at the handshake: members without one still
 * use Basic or an API key, and a certificate that does not verify against the client CA is reported
 * as a clear 401 instead of a failed handshake. Which member a verified certificate stands for is
 * decided by its binding (`tessera member cert`), in server/access.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { ConfigError, type Config } from './config';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** PEM of the CA(s) client certificates must chain to, or null (no client certificates). */
  clientCa: string | null;
}

/** Reads and checks the TLS files named by the config; every problem at once, as a ConfigError. */
export function loadTls(config: Config): TlsMaterial | null {
  if (!config.tls) return null;
  const problems: string[] = [];
  const read = (key: string, file: string): string | null => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(`${key}: cannot read ${file}: ${(e as Error).message}`);
      return null;
    }
  };
  const cert = read('TESSERA_TLS_CERT', config.tls.certFile);
  const key = read('TESSERA_TLS_KEY', config.tls.keyFile);
  const clientCa = config.tls.clientCaFile ? read('TESSERA_TLS_CLIENT_CA', config.tls.clientCaFile) : null;
  const check = (what: string, fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  if (cert !== null) check('TESSERA_TLS_CERT is not a PEM certificate', () => new X509Certificate(cert));
  if (key !== null) check('TESSERA_TLS_KEY is not a PEM private key', () => createPrivateKey(key));
  if (clientCa !== null) {
    check('TESSERA_TLS_CLIENT_CA is not a PEM certificate', () => new X509Certificate(clientCa));
  }
  if (cert !== null && key !== null && problems.length === 0) {
    check('TESSERA_TLS_KEY does not match TESSERA_TLS_CERT', () => {
      if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new Error('different key');
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { cert: cert as string, key: key as string, clientCa };
}

export function createServer(listener: RequestListener, tls: TlsMaterial | null): http.Server {
  if (!tls) return http.createServer(listener);
  return https.createServer(
    {
      cert: tls.cert,
      key: tls.key,
      minVersion: 'TLSv1.2',
      ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
    },
    listener,
  );
}
