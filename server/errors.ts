/**
 * The one error hierarchy of the hub. Every error that reaches a client is a TesseraError and is
 * turned into a TAXII error resource in one place (server/taxii/errors.ts). Storage backends
 * translate their driver failures into these classes; nothing else leaks out of a backend.
 */
export abstract class TesseraError extends Error {
  abstract readonly httpStatus: number;
  /** Stable machine-readable code, sent as the TAXII error resource's error_code. */
  abstract readonly code: string;
  /** Extra details for the error resource (must not leak secrets or other members' data). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    if (details) this.details = details;
  }

  /** Short title for the TAXII error resource. */
  abstract get title(): string;
}

export class BadRequestError extends TesseraError {
  readonly httpStatus = 400;
  readonly code = 'bad_request';
  get title(): string {
    return 'Bad request';
  }
}

export class UnauthorizedError extends TesseraError {
  readonly httpStatus = 401;
  readonly code = 'unauthorized';
  /** The `WWW-Authenticate` challenges to send (default: every scheme the hub accepts). */
  challenges?: string[];
  get title(): string {
    return 'Authentication required';
  }
}

export class ForbiddenError extends TesseraError {
  readonly httpStatus = 403;
  readonly code = 'forbidden';
  get title(): string {
    return 'Forbidden';
  }
}

export class NotFoundError extends TesseraError {
  readonly httpStatus = 404;
  readonly code = 'not_found';
  get title(): string {
    return 'Not found';
  }
}

export class NotAcceptableError extends TesseraError {
  readonly httpStatus = 406;
  readonly code = 'not_acceptable';
  get title(): string {
    return 'Not acceptable';
  }
}

/** A uniqueness rule was broken (an alias, a member name, ...). */
export class ConflictError extends TesseraError {
  readonly httpStatus = 409;
  readonly code = 'conflict';
  get title(): string {
    return 'Conflict';
  }
}

/** The client took too long to send its request (headers, or a pause in the body). */
export class RequestTimeoutError extends TesseraError {
  readonly httpStatus = 408;
  readonly code = 'request_timeout';
  get title(): string {
    return 'Request timeout';
  }
}

export class PayloadTooLargeError extends TesseraError {
  readonly httpStatus = 413;
  readonly code = 'payload_too_large';
  get title(): string {
    return 'Request body too large';
  }
}

export class ExpectationFailedError extends TesseraError {
  readonly httpStatus = 417;
  readonly code = 'expectation_failed';
  get title(): string {
    return 'Expectation failed';
  }
}

export class HeadersTooLargeError extends TesseraError {
  readonly httpStatus = 431;
  readonly code = 'headers_too_large';
  get title(): string {
    return 'Request headers too large';
  }
}

export class UnsupportedMediaTypeError extends TesseraError {
  readonly httpStatus = 415;
  readonly code = 'unsupported_media_type';
  get title(): string {
    return 'Unsupported media type';
  }
}

export class UnprocessableError extends TesseraError {
  readonly httpStatus = 422;
  readonly code = 'unprocessable';
  get title(): string {
    return 'Unprocessable content';
  }
}

/** Too many failed authentications (or password checks in flight): try again after a while. */
export class TooManyRequestsError extends TesseraError {
  readonly httpStatus = 429;
  readonly code = 'too_many_requests';
  /** Sent as `Retry-After`: whole seconds, at least 1. */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retry_after: Math.max(1, Math.ceil(retryAfterSeconds)) });
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
  get title(): string {
    return 'Too many requests';
  }
}

/** The store cannot be reached or refused the operation for a transient reason. */
export class StoreUnavailableError extends TesseraError {
  readonly httpStatus = 503;
  readonly code = 'store_unavailable';
  get title(): string {
    return 'Storage unavailable';
  }
}

/** A store-level invariant failed (corrupt data, impossible state): logged, served as 500. */
export class StoreError extends TesseraError {
  readonly httpStatus = 500;
  readonly code = 'store_error';
  get title(): string {
    return 'Storage error';
  }
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}
