/**
 * Native HTTPS (TESSERA_TLS_CERT / TESSERA_TLS_KEY): TAXII over TLS 1.2+, older protocols refused,
 * and the boot-time checks of the TLS settings. Certificates are made at test time (helpers/pki).
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { loadConfig, ConfigError } from '../../server/config';
import { loadTls } from '../../server/listen';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeTestPki, type TestPki } from '../helpers/pki';

interface TlsReply {
  status: number;
  body: string;
  protocol: string | null;
}

function httpsGet(url: string, opts: https.RequestOptions): Promise<TlsReply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'GET', agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      const protocol = (res.socket as TLSSocket).getProtocol?.() ?? null;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), protocol }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS (TESSERA_TLS_CERT, TESSERA_TLS_KEY)', function () {
  let pki: TestPki;
  let hub: TestHub;
  before(async function () {
    pki = makeTestPki();
    hub = await startHub({
      env: { TESSERA_TLS_CERT: pki.server.certFile, TESSERA_TLS_KEY: pki.server.keyFile },
    });
    await hub.addMember('alice', 'alice-secret-1', ['g']);
  });
  after(async function () {
    await hub?.close();
    pki?.cleanup();
  });

  it('serves TAXII over TLS 1.2 or later with the configured certificate', async function () {
    assert.match(hub.url, /^https:/);
    const res = await httpsGet(`${hub.url}/taxii2/`, {
      ca: pki.ca.cert,
      headers: { Accept: TAXII, Authorization: hub.basic('alice', 'alice-secret-1') },
    });
    assert.equal(res.status, 200, res.body);
    assert.ok(res.protocol === 'TLSv1.3' || res.protocol === 'TLSv1.2', String(res.protocol));
    const tls12 = await httpsGet(`${hub.url}/taxii2/`, {
      ca: pki.ca.cert,
      maxVersion: 'TLSv1.2',
      headers: { Accept: TAXII, Authorization: hub.basic('alice', 'alice-secret-1') },
    });
    assert.equal(tls12.status, 200);
    assert.equal(tls12.protocol, 'TLSv1.2');
  });

  it('refuses TLS 1.1 and 1.0 at the handshake', async function () {
    for (const v of ['TLSv1.1', 'TLSv1'] as const) {
      await assert.rejects(
        httpsGet(`${hub.url}/taxii2/`, {
          ca: pki.ca.cert,
          minVersion: 'TLSv1',
          maxVersion: v,
          // let the client offer the old protocol at all; the server must be the one refusing
          ciphers: 'DEFAULT@SECLEVEL=0',
          headers: { Accept: TAXII },
        }),
        (e: NodeJS.ErrnoException) => {
          assert.match(String(e.code ?? e.message), /EPROTO|ECONNRESET/);
          return true;
        },
        v,
      );
    }
  });

  it('the hub presents the configured certificate (a client trusting only another CA refuses it)', async function () {
    await assert.rejects(
      httpsGet(`${hub.url}/taxii2/`, { ca: pki.rogueCa.cert, headers: { Accept: TAXII } }),
      /self[- ]signed|unable to verify|certificate/i,
    );
  });
});

describe('HTTPS settings are checked at boot', function () {
  let pki: TestPki;
  before(function () {
    pki = makeTestPki();
  });
  after(function () {
    pki?.cleanup();
  });

  const problemsOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('certificate and key go together; a client CA needs both', function () {
    assert.deepEqual(
      problemsOf(() => loadConfig({ TESSERA_TLS_CERT: pki.server.certFile })),
      ['TESSERA_TLS_CERT and TESSERA_TLS_KEY must be given together'],
    );
    const p = problemsOf(() => loadConfig({ TESSERA_TLS_CLIENT_CA: pki.ca.certFile }));
    assert.ok(
      p.some((x) => /TESSERA_TLS_CLIENT_CA needs/.test(x)),
      p.join('; '),
    );
    assert.equal(loadConfig({}).tls, null);
  });

  it('unreadable files, a key of another certificate, a non-PEM CA are refused with every problem listed', function () {
    const config = (env: Record<string, string>) => loadConfig(env);
    const missing = problemsOf(() =>
      loadTls(config({ TESSERA_TLS_CERT: '/nonexistent/cert.pem', TESSERA_TLS_KEY: pki.server.keyFile })),
    );
    assert.equal(missing.length, 1);
    assert.match(missing[0] as string, /^TESSERA_TLS_CERT: cannot read \/nonexistent\/cert.pem/);
    const other = pki.issueClient('someone');
    const mismatch = problemsOf(() =>
      loadTls(config({ TESSERA_TLS_CERT: pki.server.certFile, TESSERA_TLS_KEY: other.keyFile })),
    );
    assert.deepEqual(mismatch, ['TESSERA_TLS_KEY does not match TESSERA_TLS_CERT: different key']);
    const notPem = problemsOf(() =>
      loadTls(
        config({
          TESSERA_TLS_CERT: pki.server.keyFile, // a key where the certificate belongs
          TESSERA_TLS_KEY: pki.server.certFile,
          TESSERA_TLS_CLIENT_CA: pki.server.keyFile,
        }),
      ),
    );
    assert.equal(notPem.length, 3, notPem.join('; '));
    const ok = loadTls(
      config({
        TESSERA_TLS_CERT: pki.server.certFile,
        TESSERA_TLS_KEY: pki.server.keyFile,
        TESSERA_TLS_CLIENT_CA: pki.ca.certFile,
      }),
    );
    assert.ok(ok && ok.clientCa === pki.ca.cert);
  });
});
