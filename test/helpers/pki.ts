/**
 * A throw-away PKI for TLS tests, generated at test time with the openssl CLI (nothing committed):
 * a client CA, a server certificate for 127.0.0.1/localhost signed by it, client certificates on
 * demand, and a rogue CA whose certificates the hub must not trust. EC P-256 keys (fast to make).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fingerprintOfPem } from '../../server/access/certificates';

export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** 64 lower-case hex digits. */
  fingerprint: string;
}

export interface TestPki {
  dir: string;
  ca: Issued;
  server: Issued;
  /** A client certificate signed by the trusted CA. */
  issueClient(commonName: string, opts?: { days?: number; byRogue?: boolean }): Issued;
  rogueCa: Issued;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-pki-'));
  let serial = 1;
  const load = (name: string): Issued => {
    const certFile = path.join(dir, `${name}.crt`);
    const keyFile = path.join(dir, `${name}.key`);
    const cert = readFileSync(certFile, 'utf8');
    return {
      certFile,
      keyFile,
      cert,
      key: readFileSync(keyFile, 'utf8'),
      fingerprint: fingerprintOfPem(cert),
    };
  };
  const words = (text: string) => text.split(' ');
  /** A new P-256 key in <name>.key and a request (with `-x509`: a certificate) for CN=cn in `out`. */
  const newKey = (name: string, cn: string, out: string, extra: string[]) =>
    openssl(
      [
        ...words(`req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${name}.key -out ${out}`),
        ...extra,
        '-subj',
        `/CN=${cn}`,
      ],
      dir,
    );
  const selfSigned = (name: string, cn: string): Issued => {
    const ext = '-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign';
    newKey(name, cn, `${name}.crt`, words(`-x509 -days 2 ${ext}`));
    return load(name);
  };
  const issue = (name: string, cn: string, ca: string, ext: string, days = 2): Issued => {
    writeFileSync(path.join(dir, `${name}.ext`), ext);
    newKey(name, cn, `${name}.csr`, []);
    const sign = `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -set_serial ${serial++}`;
    openssl(words(`${sign} -days ${days} -out ${name}.crt -extfile ${name}.ext`), dir);
    return load(name);
  };
  const ca = selfSigned('ca', 'Tessera test client CA');
  const rogueCa = selfSigned('rogue-ca', 'Rogue CA');
  const server = issue(
    'server',
    'localhost',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  let n = 0;
  return {
    dir,
    ca,
    server,
    rogueCa,
    issueClient(commonName, opts = {}) {
      return issue(
        `client-${++n}`,
        commonName,
        opts.byRogue ? 'rogue-ca' : 'ca',
        'extendedKeyUsage=clientAuth\n',
        opts.days ?? 2,
      );
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
