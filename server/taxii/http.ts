/**
 * HTTP plumbing shared by the TAXII routes: the TAXII content type on every response, the one
 * mapping of errors to TAXII error resources, and the request-body reader that enforces
 * max_content_length while streaming (413 before the body is buffered).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import {
  BadRequestError,
  PayloadTooLargeError,
  TesseraError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../errors';
import { TAXII_MEDIA_TYPE } from './media';

export function sendTaxii(res: Response, status: number, body: unknown): void {
  // Written directly (not res.send) so the Content-Type is exactly the TAXII media type.
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
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
  if (extra) Object.assign(body, extra);
  return body;
}

/**
 * The one place where errors become responses. `challenges`: the WWW-Authenticate values of a 401
 * whose error names none.
 */
export function errorHandler(logger: Logger, challenges: string[]) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (err instanceof TesseraError) {
      if (err instanceof UnauthorizedError) res.setHeader('WWW-Authenticate', err.challenges ?? challenges);
      if (err instanceof TooManyRequestsError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      if (err.httpStatus >= 500) logger.error({ err, url: req.originalUrl }, err.message);
      const extra: Record<string, unknown> = { error_code: err.code };
      if (err.details) extra.details = err.details;
      sendTaxii(res, err.httpStatus, errorResource(err.httpStatus, err.title, err.message, extra));
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

/**
 * Reads a request body of at most `max` bytes. An honest Content-Length above the maximum is
 * refused before reading; a body that grows past it is refused as soon as it does.
 */
export function readBody(req: Request, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (!/^\d+$/.test(declared)) {
        reject(new BadRequestError('Content-Length is not an integer'));
        return;
      }
      if (Number(declared) > max) {
        req.resume();
        reject(new PayloadTooLargeError(`the request body exceeds max_content_length (${max} bytes)`));
        return;
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) {
        done = true;
        req.resume();
        reject(new PayloadTooLargeError(`the request body exceeds max_content_length (${max} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new BadRequestError(`the request body could not be read: ${e.message}`));
      }
    });
  });
}
