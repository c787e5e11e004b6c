/**
 * Client-certificate helpers (server/access/certificates.ts): the fingerprint forms an operator
 * pastes, the form shown back, the fingerprint of a real PEM certificate (checked against what
 * `openssl x509 -fingerprint -sha256` prints), and what a connection's TLS state says.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  clientCertificateOf,
  fingerprintOfPem,
  formatFingerprint,
  parseFingerprint,
} from '../../server/access/certificates';
import { makeTestPki, type TestPki } from '../helpers/pki';

const HEX = '0123456789abcdef'.repeat(4);
const COLONS = HEX.toUpperCase().match(/../g)?.join(':') ?? '';

describe('access: client certificates', function () {
  it('parses a fingerprint as hex, colon pairs or openssl output, in any case; refuses anything else', function () {
    for (const text of [
      HEX,
      HEX.toUpperCase(),
      COLONS,
      ` ${COLONS}\n`,
      `sha256:${HEX}`,
      `SHA-256: ${COLONS}`,
      `sha256 Fingerprint=${COLONS}`,
      `SHA256 fingerprint = ${COLONS}`,
      `sha256fingerprint:${HEX}`,
      `  sha256:${HEX}`,
      HEX.match(/.{8}/g)?.join(' ') ?? '',
    ]) {
      assert.equal(parseFingerprint(text), HEX, JSON.stringify(text));
    }
    for (const text of [
      '',
      HEX.slice(2),
      `${HEX}00`,
      `x${HEX.slice(1)}`,
      `md5:${HEX}`,
      `sha1 Fingerprint=${COLONS}`,
      `${HEX} sha256`,
      `fingerprint=${HEX}`,
      `sha256-${HEX}`,
      `${HEX.slice(0, 8)}sha256:${HEX.slice(8)}`,
      HEX.replace(/0/g, 'g'),
    ]) {
      assert.equal(parseFingerprint(text), null, JSON.stringify(text));
    }
  });

  it('formats a fingerprint as upper-case colon pairs', function () {
    assert.equal(formatFingerprint(HEX), COLONS);
    assert.equal(formatFingerprint('ab'), 'AB');
    assert.equal(formatFingerprint(''), '');
  });

  describe('of a real certificate', function () {
    this.timeout(30_000);
    let pki: TestPki;
    before(function () {
      pki = makeTestPki();
    });
    after(function () {
      pki?.cleanup();
    });

    it('fingerprintOfPem gives what openssl prints, as 64 lower-case hex digits', function () {
      const client = pki.issueClient('alice');
      const printed = execFileSync(
        'openssl',
        ['x509', '-noout', '-fingerprint', '-sha256', '-in', client.certFile],
        {
          encoding: 'utf8',
        },
      );
      const fp = fingerprintOfPem(client.cert);
      assert.match(fp, /^[0-9a-f]{64}$/);
      assert.equal(fp, parseFingerprint(printed));
      assert.notEqual(fp, fingerprintOfPem(pki.ca.cert));
      assert.throws(() => fingerprintOfPem('not a certificate'));
    });
  });

  it('what a connection says: none, rejected with its reason, or verified with its fingerprint', function () {
    const peer = (fingerprint256: string | undefined) => () =>
      fingerprint256 === undefined ? {} : { fingerprint256 };
    assert.deepEqual(clientCertificateOf({}), { kind: 'none' }, 'plain HTTP');
    assert.deepEqual(clientCertificateOf({ getPeerCertificate: () => ({}), authorized: false }), {
      kind: 'none',
    });
    assert.deepEqual(clientCertificateOf({ getPeerCertificate: () => null, authorized: false }), {
      kind: 'none',
    });
    assert.deepEqual(clientCertificateOf({ getPeerCertificate: peer(COLONS), authorized: true }), {
      kind: 'verified',
      fingerprint: HEX,
    });
    assert.deepEqual(
      clientCertificateOf({
        getPeerCertificate: peer(COLONS),
        authorized: false,
        authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      }),
      { kind: 'rejected', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    );
    assert.deepEqual(clientCertificateOf({ getPeerCertificate: peer(COLONS) }), {
      kind: 'rejected',
      reason: 'not verified',
    });
    assert.deepEqual(clientCertificateOf({ getPeerCertificate: peer('AB:CD'), authorized: true }), {
      kind: 'rejected',
      reason: 'no SHA-256 fingerprint',
    });
  });
});
