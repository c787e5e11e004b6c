/**
 * Issue 8 item 7: deliberate connection timeouts, each answered (where an answer is possible) with
 * a TAXII error resource, and requests Node's HTTP parser refuses answered the same way. The hub
 * runs with short timeouts here so that each deadline is observed within a second or two; with
 * Node's defaults (headers 60 s, request 300 s, keep-alive 5 s, no body or send timeout) every test
 * below would wait for its whole `waitMs` and fail.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { TAXII, type TestHub } from '../helpers/hub';
import { rawExchange, type RawReply } from '../helpers/raw';
import { writerHub } from './writer';

const ENV = {
  TESSERA_HEADERS_TIMEOUT_MS: '300',
  TESSERA_REQUEST_TIMEOUT_MS: '2000',
  TESSERA_BODY_TIMEOUT_MS: '300',
  TESSERA_KEEP_ALIVE_TIMEOUT_MS: '300',
  TESSERA_SEND_TIMEOUT_MS: '1000',
};

function assertTaxiiErrorReply(r: RawReply, status: number): void {
  assert.equal(r.status, status, `expected ${status}, got: ${r.raw.slice(0, 300)}`);
  assert.equal(r.headers['content-type'], TAXII);
  const body = JSON.parse(r.body) as { title?: unknown; http_status?: unknown };
  assert.equal(typeof body.title, 'string');
  assert.equal(body.http_status, String(status));
}

describe('hostile: connection timeouts and parser errors (issue 8 item 7)', function () {
  this.timeout(20_000);
  let hub: TestHub;
  let auth: string;
  let objectsPath: string;

  before(async () => {
    const w = await writerHub({ env: ENV });
    hub = w.hub;
    auth = w.auth;
    objectsPath = new URL(w.objects).pathname;
    // Pay the password hash once, so that no test below waits for it.
    assert.equal((await w.get(w.objects)).status, 200);
  });
  after(async () => hub.close());

  it('headers sent too slowly: 408 TAXII error and the connection is closed', async () => {
    const r = await rawExchange(hub.url, (s) => s.write('GET /taxii2/ HTTP/1.1\r\nHost: hub\r\n'), 4000);
    assert.ok(r.closed, `connection still open after ${r.ms} ms`);
    assertTaxiiErrorReply(r, 408);
    assert.ok(r.ms < 2500, `closed after ${r.ms} ms`);
  });

  it('a connection that sends nothing is closed', async () => {
    const r = await rawExchange(hub.url, () => undefined, 4000);
    assert.ok(r.closed, `connection still open after ${r.ms} ms`);
  });

  it('a body that stops arriving: 408 TAXII error after the body timeout, connection closed', async () => {
    const r = await rawExchange(
      hub.url,
      (s) =>
        s.write(
          `POST ${objectsPath} HTTP/1.1\r\nHost: hub\r\nAuthorization: ${auth}\r\nAccept: ${TAXII}\r\n` +
            `Content-Type: ${TAXII}\r\nContent-Length: 1000\r\n\r\n{"objects":[`,
        ),
      4000,
    );
    assert.ok(r.closed, `connection still open after ${r.ms} ms`);
    assertTaxiiErrorReply(r, 408);
    assert.ok(r.ms < 1800, `answered after ${r.ms} ms (the request timeout, not the body timeout)`);
  });

  it('a body trickled forever: 408 TAXII error at the request timeout', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await rawExchange(
      hub.url,
      (s) => {
        s.write(
          `POST ${objectsPath} HTTP/1.1\r\nHost: hub\r\nAuthorization: ${auth}\r\nAccept: ${TAXII}\r\n` +
            `Content-Type: ${TAXII}\r\nContent-Length: 100000\r\n\r\n`,
        );
        timer = setInterval(() => {
          if (!s.destroyed) s.write(' ');
        }, 100);
      },
      5000,
    );
    clearInterval(timer);
    assert.ok(r.closed, `connection still open after ${r.ms} ms`);
    assertTaxiiErrorReply(r, 408);
    assert.ok(r.ms >= 2000 && r.ms < 4500, `closed after ${r.ms} ms`);
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const r = await rawExchange(hub.url, (s) => s.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n'), 3000);
    assert.equal(r.status, 200);
    assert.ok(r.closed, `connection still open after ${r.ms} ms`);
    // Node adds one second to the keep-alive timeout before closing.
    assert.ok(r.ms < 2500, `closed after ${r.ms} ms`);
  });

  it('a client that stops reading a large response is disconnected after the send timeout', async () => {
    // About 6 MB of objects: more than the socket buffers of both ends hold.
    const big = 'x'.repeat(300_000);
    const objects = Array.from({ length: 20 }, () => ({
      type: 'x-blob',
      spec_version: '2.1',
      id: `x-blob--${randomUUID()}`,
      created: '2025-01-01T00:00:00.000Z',
      modified: '2025-01-01T00:00:00.000Z',
      x_data: big,
    }));
    const post = await fetch(`${hub.url}${objectsPath}`, {
      method: 'POST',
      headers: { authorization: auth, accept: TAXII, 'content-type': TAXII },
      body: JSON.stringify({ objects }),
    });
    assert.equal(post.status, 202);
    // The hub's side of the next connection: it must be closed once nothing has moved for 1 s.
    const serverSide = new Promise<Socket>((res) => hub.server.once('connection', res));
    const { hostname, port } = new URL(hub.url);
    const s = connect(Number(port), hostname, () => {
      s.write(
        `GET ${objectsPath} HTTP/1.1\r\nHost: hub\r\nAuthorization: ${auth}\r\nAccept: ${TAXII}\r\n\r\n`,
      );
      s.pause(); // never read
    });
    s.on('error', () => undefined);
    try {
      const sock = await serverSide;
      const started = Date.now();
      const closed = await new Promise<boolean>((res) => {
        const t = setTimeout(() => res(false), 5000);
        sock.once('close', () => {
          clearTimeout(t);
          res(true);
        });
      });
      assert.ok(closed, `the stalled reader still holds its connection after ${Date.now() - started} ms`);
    } finally {
      s.destroy();
    }
  });

  it('a malformed request line: 400 TAXII error resource', async () => {
    const r = await rawExchange(hub.url, (s) => s.write('GET /taxii2/ HTTP/9 nonsense\r\n\r\n'), 3000);
    assertTaxiiErrorReply(r, 400);
  });

  it('an HTTP/1.1 request without Host: 400 TAXII error resource', async () => {
    const r = await rawExchange(
      hub.url,
      (s) => s.write(`GET /taxii2/ HTTP/1.1\r\nAccept: ${TAXII}\r\n\r\n`),
      3000,
    );
    assertTaxiiErrorReply(r, 400);
  });

  it('an Expect header other than 100-continue: 417 TAXII error resource', async () => {
    const r = await rawExchange(
      hub.url,
      (s) => s.write(`GET /taxii2/ HTTP/1.1\r\nHost: hub\r\nExpect: gzip\r\nAccept: ${TAXII}\r\n\r\n`),
      3000,
    );
    assertTaxiiErrorReply(r, 417);
  });

  it('a header name with a forbidden character: 400 TAXII error resource', async () => {
    const r = await rawExchange(
      hub.url,
      (s) => s.write('GET /taxii2/ HTTP/1.1\r\nHost: hub\r\nBad Header: x\r\n\r\n'),
      3000,
    );
    assertTaxiiErrorReply(r, 400);
  });

  it('headers larger than the parser allows: 431 TAXII error resource', async () => {
    const r = await rawExchange(
      hub.url,
      (s) => s.write(`GET /taxii2/ HTTP/1.1\r\nHost: hub\r\nX-Junk: ${'a'.repeat(40_000)}\r\n\r\n`),
      3000,
    );
    assertTaxiiErrorReply(r, 431);
  });

  it('a refused POST does not read the rest of the body: the connection is closed', async () => {
    const r = await rawExchange(
      hub.url,
      (s) =>
        s.write(
          `POST ${objectsPath} HTTP/1.1\r\nHost: hub\r\nAuthorization: ${auth}\r\nAccept: ${TAXII}\r\n` +
            `Content-Type: ${TAXII}\r\nContent-Length: 999999999\r\n\r\n{"objects":[`,
        ),
      3000,
    );
    assertTaxiiErrorReply(r, 413);
    assert.equal(r.headers.connection, 'close');
    assert.ok(r.closed, 'connection still open');
  });
});
