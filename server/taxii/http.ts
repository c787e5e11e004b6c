/**
 * HTTP plumbing shared by the TAXII routes: the TAXII content type on every response, the one
 * mapping of errors to TAXII error resources (also for requests Node's parser refuses before
 * Express sees them), and the request-body reader that enforces max_content_length while streaming
 * (413 before the body is buffered) and the body timeout.
 */
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  ExpectationFailedError,
  HeadersTooLargeError,
  PayloadTooLargeError,
  RequestTimeoutError,
  TesseraError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../errors';
import { TAXII_MEDIA_TYPE } from './media';

export function sendTaxii(res: ServerResponse, status: number, body: unknown): void {
  // Written directly (not res.send) so the Content-Type is exactly the TAXII media type.
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.statusCode = status;
  res.setHeader('Content-Type', TAXII_MEDIA_TYPE);
  res.setHeader('Content-Length', payload.length);
  res.end(payload);
}

/** The TAXII error resource (§3.6.1) for an error; http_status is a string equal to the status. */
export function errorResource(
  status: number,
  title: string,
  description?: string,
  extra?: Record<string, unknown>,
) {
  const body: Record<string, unknown> = { title, http_status: String(status) };
  if (description) body.description = description;
  return Object.assign(body, extra);
}

/** The TAXII error resource of one of our errors. */
function errorBody(err: TesseraError): Record<string, unknown> {
  // Undefined details are left out when the resource is serialised.
  return errorResource(err.httpStatus, err.title, err.message, {
    error_code: err.code,
    details: err.details,
  });
}

/** Whether the request announced a body that has not been read to its end. */
function bodyLeftUnread(req: IncomingMessage): boolean {
  if (req.readableEnded) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The one place where errors become responses. `challenges`: the WWW-Authenticate values of a 401
 * whose error names none.
 */
export function errorHandler(logger: Logger, challenges: string[]) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      // Too late for an error resource: the client sees the connection cut short.
      logger.error({ err, url: req.originalUrl }, 'error after the response started');
      req.socket.destroy();
      return;
    }
    // A refused request whose body was not read (too large, too slow, unauthorised, ...): close
    // the connection after the answer instead of reading the rest of the body.
    if (bodyLeftUnread(req)) res.setHeader('Connection', 'close');
    if (err instanceof TesseraError) {
      if (err instanceof UnauthorizedError) res.setHeader('WWW-Authenticate', err.challenges ?? challenges);
      if (err instanceof TooManyRequestsError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err.httpStatus >= 500) logger.error({ err, url: req.originalUrl }, err.message);
      sendTaxii(res, err.httpStatus, errorBody(err));
      return;
    }
    // Body-parser style errors raised by Express itself (e.g. malformed URI).
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      sendTaxii(res, status, errorResource(status, 'Bad request', (err as Error).message));
      return;
    }
    const errorId = randomUUID();
    logger.error({ err, errorId, url: req.originalUrl }, 'unexpected error');
    sendTaxii(
      res,
      500,
      errorResource(500, 'Internal server error', 'The server failed to process the request.', {
        error_id: errorId,
      }),
    );
  };
}

export interface BodyLimits {
  /** Largest body accepted, in bytes (max_content_length). */
  maxBytes: number;
  /** Longest pause allowed between two pieces of the body, in milliseconds. */
  idleTimeoutMs: number;
}

/**
 * Reads a request body of at most `maxBytes` bytes. An honest Content-Length above the maximum is
 * refused before reading; a body that grows past it is refused as soon as it does; a body that
 * stops arriving for `idleTimeoutMs` gets 408. In each refusal the rest of the body is not read
 * (the error handler closes the connection).
 */
export function readBody(req: Request, limits: BodyLimits): Promise<Buffer> {
  const { maxBytes } = limits;
  const tooLarge = () =>
    new PayloadTooLargeError(`the request body exceeds max_content_length (${maxBytes} bytes)`);
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (!/^\d+$/.test(declared)) {
        reject(new BadRequestError('Content-Length is not an integer'));
        return;
      }
      if (Number(declared) > maxBytes) {
        reject(tooLarge());
        return;
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    // Called once or more (e.g. 'end' after a timeout): each step is idempotent, and a promise
    // settles only once.
    const finish = (e: Error | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      if (e) {
        req.pause();
        reject(e);
      } else resolve(Buffer.concat(chunks, size));
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new RequestTimeoutError(
              `the request body stopped arriving for ${limits.idleTimeoutMs} ms; send it without pauses`,
            ),
          ),
        limits.idleTimeoutMs,
      );
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(tooLarge());
        return;
      }
      chunks.push(chunk);
      arm();
    };
    arm();
    req.on('data', onData);
    req.on('end', () => finish(null));
    req.on('error', (e) => finish(new BadRequestError(`the request body could not be read: ${e.message}`)));
  });
}

/**
 * The answer to a request Node's HTTP parser refused before Express saw it (malformed request
 * line or headers, headers too large, headers or body not received in time): the same TAXII
 * error resource as every other error, then the connection is closed. Use as the server's
 * 'clientError' listener.
 */
export function clientErrorHandler(logger: Logger) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    // Nothing can be written on a reset connection, or once a response has started.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    let e: TesseraError;
    if (err.code === 'HPE_HEADER_OVERFLOW') e = new HeadersTooLargeError('the request headers are too large');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      e = new RequestTimeoutError('the request was not received in time');
    else if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW')
      e = new PayloadTooLargeError('the chunk extensions of the request body are too large');
    else e = new BadRequestError('the request is not valid HTTP/1.1');
    logger.debug({ code: err.code, status: e.httpStatus }, 'request refused by the HTTP parser');
    const body = JSON.stringify(errorBody(e));
    const head =
      `HTTP/1.1 ${e.httpStatus} ${e.title}\r\nContent-Type: ${TAXII_MEDIA_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    socket.end(head + body, () => socket.destroy());
  };
}

/**
 * Wraps the app: an HTTP/1.1 request without a Host header gets a 400 TAXII error resource (RFC
 * 9112 §3.2 asks for a 400; Node's own check answers one without a body, so the server is made with
 * requireHostHeader off and the check is done here).
 */
export function requireHost(listener: RequestListener): RequestListener {
  return (req, res) => {
    if (req.httpVersion === '1.1' && req.headers.host === undefined) {
      if (bodyLeftUnread(req)) res.setHeader('Connection', 'close');
      sendTaxii(res, 400, errorBody(new BadRequestError('an HTTP/1.1 request must carry a Host header')));
      return;
    }
    listener(req, res);
  };
}

/**
 * The answer to a request with an Expect header other than 100-continue (Node's own answer has no
 * body): 417 with a TAXII error resource. Use as the server's 'checkExpectation' listener.
 */
export function expectationFailed(req: IncomingMessage, res: ServerResponse): void {
  if (bodyLeftUnread(req)) res.setHeader('Connection', 'close');
  sendTaxii(
    res,
    417,
    errorBody(new ExpectationFailedError(`Expect: ${String(req.headers.expect)} is not supported`)),
  );
}
