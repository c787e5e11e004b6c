/**
 * The HTTP plumbing of server/taxii/http.ts on its own: the error handler mounted on a bare Express
 * app over loopback (every kind of error it may be handed, with the exact response and log line),
 * the request-body reader over a stream, and the answer to requests Node's parser refuses over a
 * socket pair. The hub-level behaviour (which route raises which error) is in test/http.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import express, { type Request } from 'express';
import {
  BadRequestError,
  NotFoundError,
  StoreError,
  StoreUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../server/errors';
import { createLogger } from '../../server/logger';
import {
  clientErrorHandler,
  errorHandler,
  errorResource,
  expectationFailed,
  readBody,
  requireHost,
  sendTaxii,
} from '../../server/taxii/http';
import { TAXII_MEDIA_TYPE } from '../../server/taxii/media';
import { rawExchange } from '../helpers/raw';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A pino logger writing JSON lines into `lines`. */
function capturingLogger(level = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l));
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function get(url: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: { Connection: 'keep-alive', ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('TAXII HTTP plumbing (server/taxii/http.ts)', function () {
  describe('errorHandler over a bare Express app', function () {
    let server: Server;
    let url: string;
    const { logger, lines } = capturingLogger('info');
    const challenges = ['Basic realm="test"', 'Bearer'];

    before(async function () {
      const app = express();
      const fail = (path: string, err: () => unknown) =>
        app.get(path, () => {
          throw err();
        });
      fail('/not-found', () => new NotFoundError('no such thing'));
      fail('/empty-message', () => new NotFoundError(''));
      fail('/details', () => new BadRequestError('bad value', { param: 'limit' }));
      fail('/unauthorised', () => new UnauthorizedError('who are you'));
      fail('/unauthorised-bearer', () =>
        Object.assign(new UnauthorizedError('token expired'), { challenges: ['Bearer'] }),
      );
      fail('/throttled', () => new TooManyRequestsError('slow down', 2.2));
      fail('/store', () => new StoreError('the store failed'));
      fail('/unavailable', () => new StoreUnavailableError('the store is closed'));
      fail('/plain', () => new Error('boom'));
      fail('/status-400', () => Object.assign(new Error('bad framing'), { status: 400 }));
      fail('/status-499', () => Object.assign(new Error('client closed'), { status: 499 }));
      fail('/status-399', () => Object.assign(new Error('odd'), { status: 399 }));
      fail('/status-500', () => Object.assign(new Error('server said 500'), { status: 500 }));
      fail('/status-string', () => Object.assign(new Error('string status'), { status: '404' }));
      app.get('/text', (_req, res) => sendTaxii(res, 201, '{"title":"Hüb"}'));
      app.get('/value', (_req, res) => sendTaxii(res, 200, { title: 'Hüb', n: [1] }));
      app.post('/unread', () => {
        throw new NotFoundError('refused before reading');
      });
      app.post('/read', (req, _res, next) => {
        req.resume();
        req.on('end', () => next(new NotFoundError('refused after reading')));
      });
      app.get('/late', (_req, res, next) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('partial');
        setTimeout(() => next(new Error('failed midway')), 20);
      });
      app.use(errorHandler(logger, challenges));
      server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async function () {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    beforeEach(function () {
      lines.length = 0;
    });

    function body(g: Got, status: number): Record<string, unknown> {
      assert.equal(g.status, status, g.text);
      assert.equal(g.headers['content-type'], TAXII_MEDIA_TYPE);
      assert.equal(g.headers['content-length'], String(Buffer.byteLength(g.text)));
      return JSON.parse(g.text) as Record<string, unknown>;
    }

    it('sendTaxii: a string as is, any other value as JSON; TAXII Content-Type, length in bytes', async function () {
      const text = await get(url, '/text');
      assert.deepEqual(body(text, 201), { title: 'Hüb' });
      assert.equal(text.text, '{"title":"Hüb"}');
      assert.equal(text.headers['content-length'], '16');
      const value = await get(url, '/value');
      assert.equal(value.text, '{"title":"Hüb","n":[1]}');
      assert.equal(value.status, 200);
      assert.equal(value.headers['content-length'], '24');
    });

    it('our errors: their status, title, message and code; details when they have some; no log below 500', async function () {
      assert.deepEqual(body(await get(url, '/not-found'), 404), {
        title: 'Not found',
        http_status: '404',
        description: 'no such thing',
        error_code: 'not_found',
      });
      assert.deepEqual(body(await get(url, '/empty-message'), 404), {
        title: 'Not found',
        http_status: '404',
        error_code: 'not_found',
      });
      assert.deepEqual(body(await get(url, '/details'), 400), {
        title: 'Bad request',
        http_status: '400',
        description: 'bad value',
        error_code: 'bad_request',
        details: { param: 'limit' },
      });
      assert.deepEqual(lines, []);
    });

    it("401: the error's own challenges, or else every scheme", async function () {
      const all = await get(url, '/unauthorised');
      assert.equal(body(all, 401).description, 'who are you');
      assert.equal(all.headers['www-authenticate'], challenges.join(', '));
      const own = await get(url, '/unauthorised-bearer');
      body(own, 401);
      assert.equal(own.headers['www-authenticate'], 'Bearer');
      assert.equal((await get(url, '/not-found')).headers['www-authenticate'], undefined);
    });

    it('429: Retry-After in whole seconds, rounded up', async function () {
      const g = await get(url, '/throttled');
      assert.deepEqual(body(g, 429), {
        title: 'Too many requests',
        http_status: '429',
        description: 'slow down',
        error_code: 'too_many_requests',
        details: { retry_after: 3 },
      });
      assert.equal(g.headers['retry-after'], '3');
      assert.equal((await get(url, '/not-found')).headers['retry-after'], undefined);
    });

    it('our errors of 500 and above are logged with the URL', async function () {
      assert.deepEqual(body(await get(url, '/store'), 500), {
        title: 'Storage error',
        http_status: '500',
        description: 'the store failed',
        error_code: 'store_error',
      });
      assert.equal(body(await get(url, '/unavailable?x=1'), 503).error_code, 'store_unavailable');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.url, (l.err as { message?: string } | undefined)?.message]),
        [
          [50, 'the store failed', '/store', 'the store failed'],
          [50, 'the store is closed', '/unavailable?x=1', 'the store is closed'],
        ],
      );
    });

    it('a 4xx error from Express itself: its status and message under the title Bad request', async function () {
      for (const [path, status, message] of [
        ['/status-400', 400, 'bad framing'],
        ['/status-499', 499, 'client closed'],
      ] as const) {
        assert.deepEqual(body(await get(url, path), status), {
          title: 'Bad request',
          http_status: String(status),
          description: message,
        });
      }
      assert.deepEqual(lines, []);
    });

    it('anything else: 500 with an error id that the log line carries, and nothing of the cause', async function () {
      for (const path of ['/plain', '/status-399', '/status-500', '/status-string']) {
        lines.length = 0;
        const b = body(await get(url, path), 500);
        assert.equal(typeof b.error_id, 'string');
        assert.match(String(b.error_id), UUID);
        assert.deepEqual(b, {
          title: 'Internal server error',
          http_status: '500',
          description: 'The server failed to process the request.',
          error_id: b.error_id,
        });
        assert.equal(lines.length, 1, path);
        assert.deepEqual(
          [lines[0]?.level, lines[0]?.msg, lines[0]?.url, lines[0]?.errorId],
          [50, 'unexpected error', path, b.error_id],
        );
      }
    });

    it('an error after the response started: logged, and the connection is cut', async function () {
      const err = await get(url, '/late').then(
        () => null,
        (e: Error) => e,
      );
      assert.ok(err, 'the response should not complete');
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.url]),
        [[50, 'error after the response started', '/late']],
      );
    });

    it('a refusal with the body unread closes the connection; with the body read it keeps it', async function () {
      const unread = await get(url, '/unread', { 'Content-Type': 'text/plain' }, 'some body');
      assert.equal(body(unread, 404).description, 'refused before reading');
      assert.equal(unread.headers.connection, 'close');
      const read = await get(url, '/read', { 'Content-Type': 'text/plain' }, 'some body');
      assert.equal(body(read, 404).description, 'refused after reading');
      assert.equal(read.headers.connection, 'keep-alive');
      const empty = await get(url, '/unread', { 'Content-Length': '0' }, '');
      assert.equal(body(empty, 404).description, 'refused before reading');
      assert.equal(empty.headers.connection, 'keep-alive');
      const none = await get(url, '/not-found');
      assert.equal(none.headers.connection, 'keep-alive');
    });

    it('a refusal of a chunked body it did not read closes the connection', async function () {
      const r = await rawExchange(
        url,
        (s) =>
          s.write('POST /unread HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'),
        3000,
        { untilResponse: true },
      );
      assert.equal(r.status, 404);
      assert.equal(r.headers.connection, 'close');
    });
  });

  describe('requireHost and expectationFailed on a plain server', function () {
    let server: Server;
    let url: string;
    before(async function () {
      server = http.createServer(
        { requireHostHeader: false },
        requireHost((_req, res) => res.end('served')),
      );
      server.on('checkExpectation', expectationFailed);
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async function () {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    async function exchange(request: string) {
      return rawExchange(url, (s) => s.write(request), 3000, { untilResponse: true });
    }

    it('an HTTP/1.1 request without Host: 400 TAXII error resource; with Host, or in HTTP/1.0, served', async function () {
      const refused = await exchange('GET / HTTP/1.1\r\n\r\n');
      assert.equal(refused.status, 400);
      assert.equal(refused.headers['content-type'], TAXII_MEDIA_TYPE);
      assert.equal(refused.headers.connection, 'keep-alive');
      assert.deepEqual(JSON.parse(refused.body), {
        title: 'Bad request',
        http_status: '400',
        description: 'an HTTP/1.1 request must carry a Host header',
        error_code: 'bad_request',
      });
      const withBody = await exchange('POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n');
      assert.equal(withBody.status, 400);
      assert.equal(withBody.headers.connection, 'close');
      assert.equal((await exchange('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).body, 'served');
      assert.equal((await exchange('GET / HTTP/1.0\r\n\r\n')).body, 'served');
    });

    it('an Expect other than 100-continue: 417 TAXII error resource naming it', async function () {
      const refused = await exchange('GET / HTTP/1.1\r\nHost: x\r\nExpect: gzip\r\n\r\n');
      assert.equal(refused.status, 417);
      assert.equal(refused.headers['content-type'], TAXII_MEDIA_TYPE);
      assert.equal(refused.headers.connection, 'keep-alive');
      assert.deepEqual(JSON.parse(refused.body), {
        title: 'Expectation failed',
        http_status: '417',
        description: 'Expect: gzip is not supported',
        error_code: 'expectation_failed',
      });
      const withBody = await exchange(
        'POST / HTTP/1.1\r\nHost: x\r\nExpect: gzip\r\nContent-Length: 5\r\n\r\n',
      );
      assert.equal(withBody.status, 417);
      assert.equal(withBody.headers.connection, 'close');
    });
  });

  describe('errorResource', function () {
    it('has the title and the status as a string, and the description and extras given', function () {
      assert.deepEqual(errorResource(418, 'Teapot'), { title: 'Teapot', http_status: '418' });
      assert.deepEqual(errorResource(418, 'Teapot', ''), { title: 'Teapot', http_status: '418' });
      assert.deepEqual(errorResource(418, 'Teapot', 'short and stout', { x: 1 }), {
        title: 'Teapot',
        http_status: '418',
        description: 'short and stout',
        x: 1,
      });
    });
  });

  describe('readBody', function () {
    function request(headers: Record<string, string>): PassThrough & { headers: Record<string, string> } {
      return Object.assign(new PassThrough(), { headers });
    }
    async function refusal(p: Promise<Buffer>): Promise<[number, string]> {
      const e = await p.then(
        () => assert.fail('the body should be refused'),
        (x: unknown) => x as { httpStatus: number; message: string },
      );
      return [e.httpStatus, e.message];
    }
    const limits = { maxBytes: 10, idleTimeoutMs: 60_000 };

    it('reads a body of up to the maximum, declared or not', async function () {
      const declared = request({ 'content-length': '10' });
      const p = readBody(declared as unknown as Request, limits);
      declared.write('01234');
      declared.end('56789');
      assert.equal((await p).toString(), '0123456789');
      const chunked = request({ 'transfer-encoding': 'chunked' });
      const q = readBody(chunked as unknown as Request, limits);
      for (const c of ['0123', '4567', '89']) chunked.write(c);
      chunked.end();
      assert.equal((await q).toString(), '0123456789');
      const empty = request({});
      const r = readBody(empty as unknown as Request, limits);
      empty.end();
      assert.equal((await r).length, 0);
    });

    it('refuses a declared length that is not an integer, or above the maximum, before reading', async function () {
      for (const bad of ['1x', '', ' 5', '-1', '1.0']) {
        assert.deepEqual(
          await refusal(readBody(request({ 'content-length': bad }) as unknown as Request, limits)),
          [400, 'Content-Length is not an integer'],
        );
      }
      assert.deepEqual(
        await refusal(readBody(request({ 'content-length': '11' }) as unknown as Request, limits)),
        [413, 'the request body exceeds max_content_length (10 bytes)'],
      );
    });

    it('refuses a body as soon as it grows past the maximum, and stops reading it', async function () {
      const req = request({ 'transfer-encoding': 'chunked' });
      const p = readBody(req as unknown as Request, limits);
      req.write('012345');
      req.write('67890');
      assert.deepEqual(await refusal(p), [413, 'the request body exceeds max_content_length (10 bytes)']);
      assert.equal(req.isPaused(), true);
      assert.equal(req.listenerCount('data'), 0);
    });

    it('refuses a body that stops arriving for the idle timeout; each piece restarts the clock', async function () {
      const req = request({ 'transfer-encoding': 'chunked' });
      const started = Date.now();
      const p = readBody(req as unknown as Request, { maxBytes: 100, idleTimeoutMs: 150 });
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 80));
        req.write('x');
      }
      assert.deepEqual(await refusal(p), [
        408,
        'the request body stopped arriving for 150 ms; send it without pauses',
      ]);
      assert.ok(Date.now() - started >= 80 * 4 + 150 - 20, `refused after ${Date.now() - started} ms`);
    });

    it('a body that cannot be read: 400 with the cause', async function () {
      const req = request({ 'transfer-encoding': 'chunked' });
      const p = readBody(req as unknown as Request, limits);
      req.destroy(new Error('aborted'));
      assert.deepEqual(await refusal(p), [400, 'the request body could not be read: aborted']);
    });
  });

  describe('clientErrorHandler', function () {
    const { logger, lines } = capturingLogger('debug');
    beforeEach(function () {
      lines.length = 0;
    });

    /** A socket stand-in: what the handler writes, and whether it destroyed it. */
    async function answer(
      code: string | undefined,
      prepare: (s: PassThrough) => void = () => undefined,
    ): Promise<{ written: string; destroyed: boolean }> {
      // autoDestroy off: destroyed only when the handler says so.
      const socket = new PassThrough({ autoDestroy: false });
      prepare(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', () => undefined);
      clientErrorHandler(logger)(
        Object.assign(new Error('parse error'), code === undefined ? {} : { code }),
        socket,
      );
      await new Promise((r) => setTimeout(r, 20));
      return { written: Buffer.concat(chunks).toString(), destroyed: socket.destroyed };
    }

    function response(status: number, reason: string, body: object): string {
      const text = JSON.stringify(body);
      return (
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${TAXII_MEDIA_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
      );
    }

    it('answers each parser refusal with its TAXII error resource, then closes', async function () {
      const cases: [string | undefined, number, string, string, string][] = [
        [
          'HPE_HEADER_OVERFLOW',
          431,
          'Request headers too large',
          'the request headers are too large',
          'headers_too_large',
        ],
        [
          'ERR_HTTP_REQUEST_TIMEOUT',
          408,
          'Request timeout',
          'the request was not received in time',
          'request_timeout',
        ],
        [
          'HPE_CHUNK_EXTENSIONS_OVERFLOW',
          413,
          'Request body too large',
          'the chunk extensions of the request body are too large',
          'payload_too_large',
        ],
        ['HPE_INVALID_METHOD', 400, 'Bad request', 'the request is not valid HTTP/1.1', 'bad_request'],
        [undefined, 400, 'Bad request', 'the request is not valid HTTP/1.1', 'bad_request'],
      ];
      for (const [code, status, title, description, errorCode] of cases) {
        const got = await answer(code);
        assert.equal(
          got.written,
          response(status, title, { title, http_status: String(status), description, error_code: errorCode }),
        );
        assert.equal(got.destroyed, true, String(code));
      }
      assert.deepEqual(
        lines.map((l) => [l.level, l.msg, l.code, l.status]),
        cases.map(([code, status]) => [20, 'request refused by the HTTP parser', code, status]),
      );
    });

    it('writes nothing on a reset connection, a closed one, or once a response has started', async function () {
      for (const [code, prepare] of [
        ['ECONNRESET', () => undefined],
        ['HPE_INVALID_METHOD', (s: PassThrough) => s.end()],
        ['HPE_INVALID_METHOD', (s: PassThrough) => Object.assign(s, { _httpMessage: { headersSent: true } })],
      ] as const) {
        const got = await answer(code, prepare);
        assert.equal(got.written, '');
        assert.equal(got.destroyed, true);
      }
      // A response object that has not started yet does not stop the answer.
      const pending = await answer('HPE_INVALID_METHOD', (s) =>
        Object.assign(s, { _httpMessage: { headersSent: false } }),
      );
      assert.match(pending.written, /^HTTP\/1\.1 400 Bad request\r\n/);
      assert.deepEqual(
        lines.map((l) => l.code),
        ['HPE_INVALID_METHOD'],
      );
    });
  });
});
