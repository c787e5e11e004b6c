/**
 * The listening server with its timeouts: plain HTTP, or native HTTPS when TESSERA_TLS_CERT and TESSERA_TLS_KEY are
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
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config';
import { clientErrorHandler, expectationFailed, requireHost } from './taxii/http';

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

export type ServerTimeouts = Pick<
  Config,
  'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'sendTimeoutMs'
>;

/**
 * The server around the app, with deliberate timeouts instead of Node's defaults (README,
 * "Timeouts"): a client slow to send its headers or its whole request (here), or the next piece of
 * its body (readBody), a keep-alive connection left idle and a client that stops reading its answer
 * are each cut off, so that slow or stalled clients cannot hold the hub's connections and memory.
 * No clock runs while the hub itself works on a request. Requests the HTTP parser refuses get a
 * TAXII error resource like every other error.
 */
export function createServer(
  listener: RequestListener,
  tls: TlsMaterial | null,
  config: ServerTimeouts,
  logger: Logger,
): http.Server {
  const options: http.ServerOptions = {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node checks the header and request deadlines on this interval (default 30 s, which would let
    // a deadline overrun by up to that much).
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    // Checked by requireHost, which answers with a TAXII error resource.
    requireHostHeader: false,
  };
  const app = requireHost(listener);
  const server = tls
    ? https.createServer(
        {
          ...options,
          cert: tls.cert,
          key: tls.key,
          minVersion: 'TLSv1.2',
          ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        app,
      )
    : http.createServer(options, app);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // Once a response is written, the client must keep reading it: the socket's inactivity timer
  // runs from then until the last byte is handed to the OS (Node then switches the socket to the
  // keep-alive timeout, or closes it). On expiry Node destroys the socket.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.once('prefinish', () => res.socket?.setTimeout(config.sendTimeoutMs));
  });
  server.on('clientError', clientErrorHandler(logger));
  server.on('checkExpectation', expectationFailed);
  return server;
}

/** Binds `server` to host:port; rejects with the listen error (the server is then not listening). */
export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
