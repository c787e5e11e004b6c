/**
 * Translation of `mongodb` driver failures into the hub's error hierarchy (server/errors.ts).
 * Nothing thrown by the driver leaves the MongoDB backend untranslated.
 *
 * - cannot reach / select a server, timeouts, a primary stepping down, a server shutting down,
 *   write-concern timeouts, the client being closed → StoreUnavailableError (503, retry later);
 * - a duplicate key (E11000) → ConflictError (callers that expect duplicates handle them first);
 * - anything else → StoreError (500).
 */
import {
  MongoBulkWriteError,
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import { ConflictError, StoreError, StoreUnavailableError, TesseraError } from '../../errors';

/** Server error codes that mean "not now" rather than "never". */
const TRANSIENT_CODES = new Set<number | string | undefined>([
  6, // HostUnreachable
  7, // HostNotFound
  50, // MaxTimeMSExpired
  64, // WriteConcernFailed
  89, // NetworkTimeout
  91, // ShutdownInProgress
  112, // WriteConflict
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

export const DUPLICATE_KEY = 11000;

/** True for the code of a duplicate-key failure (E11000; 11001 from servers before 2.6). */
export function isDuplicateKeyCode(code: unknown): boolean {
  return code === DUPLICATE_KEY || code === 11001;
}

/** True for a duplicate-key failure (E11000), whether reported by the server or a bulk write. */
export function isDuplicateKey(e: unknown): boolean {
  return e instanceof MongoError && isDuplicateKeyCode(e.code);
}

/** A momentary lock conflict (FerretDB's SQLite handler: "database is locked (5) (SQLITE_BUSY)"). */
export function isBusy(e: unknown): boolean {
  return e instanceof MongoError && /SQLITE_BUSY|SQLITE_LOCKED|database is locked/.test(e.message);
}

/** True when the failure is transient: the store is unreachable or cannot serve the operation now. */
export function isUnavailable(e: unknown): boolean {
  if (
    e instanceof MongoNetworkError || // includes MongoNetworkTimeoutError
    e instanceof MongoServerSelectionError ||
    e instanceof MongoTopologyClosedError ||
    e instanceof MongoNotConnectedError ||
    e instanceof MongoServerClosedError ||
    e instanceof MongoClientClosedError ||
    e instanceof MongoOperationTimeoutError ||
    e instanceof MongoWriteConcernError
  ) {
    return true;
  }
  // insertMany reports a failure of the driver itself (a dropped connection, no server, a cleared
  // pool) as a MongoBulkWriteError that carries the driver's error as its errorResponse.
  if (e instanceof MongoBulkWriteError && e.errorResponse instanceof Error)
    return isUnavailable(e.errorResponse);
  if (isBusy(e)) return true;
  if (e instanceof MongoError) {
    if (TRANSIENT_CODES.has(e.code)) return true;
    if (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError')) return true;
  }
  return false;
}

/** Translate any failure of a backend operation; `what` names the operation for the message. */
export function translate(e: unknown, what: string): TesseraError {
  if (e instanceof TesseraError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (isUnavailable(e)) return new StoreUnavailableError(`${what}: MongoDB is unavailable (${msg})`);
  if (isDuplicateKey(e)) return new ConflictError(`${what}: already exists`);
  return new StoreError(`${what}: ${msg}`);
}
