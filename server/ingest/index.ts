/**
 * Ingest: the one path by which objects enter a collection (TAXII POST, `tessera import`, feeds).
 * Each object passes the structural checks and the pluggable STIX validator (./prepare.ts, in the
 * worker pool of ./pool.ts for TAXII POSTs); failures are listed in the status with a message naming
 * the rule and the JSON path, the valid objects of the same envelope are stored in one atomic batch,
 * and the status reports a success only for objects that are durably stored. Of the store it uses
 * two concerns: objects and statuses.
 *
 * A request gets its status or stores nothing (README, "Limits"): everything that can refuse a
 * request happens before the first write; a batch the store fails leaves nothing behind (SQLite:
 * one transaction; MongoDB: the writer removes what it wrote); once the objects are stored the
 * request is answered 202 with its status even if storing the status itself fails (it is then
 * logged, and GET status answers 404 for it).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ObjectStore, StatusDetail, StatusRecord, StatusStore } from '../store/contract';
import { nowMicros } from '../time';
import { prepareObjects, type ContentLimits, type ObjectValidator, type Prepared } from './prepare';

export {
  DEFAULT_CONTENT_LIMITS,
  envelopeObjects,
  prepareEnvelopeText,
  prepareObjects,
  validationLimits,
  type ContentLimits,
  type ObjectValidator,
  type PrepareFn,
  type Prepared,
  type Verdict,
} from './prepare';
export { PreparePool } from './pool';

/** Default bound on the detail lists of a stored or served status (bytes of JSON). */
export const DEFAULT_STATUS_BYTES = 2 * 1024 * 1024;

export interface IngestDeps {
  objects: ObjectStore;
  statuses: StatusStore;
  validate?: ObjectValidator;
  statusTtlHours: number;
  /** Bounds on the objects (default DEFAULT_CONTENT_LIMITS). */
  limits?: ContentLimits;
  /** Bound on a status's detail lists (default DEFAULT_STATUS_BYTES), see boundStatus. */
  statusBytes?: number;
  /** Where a status that could not be stored is reported. */
  logger?: Logger;
}

export interface IngestArgs {
  apiRoot: string;
  collectionId: string;
  member: string;
  objects: unknown[];
}

const HOUR_US = 3600 * 1_000_000;
const ADDED_MESSAGE = 'added';
const DUPLICATE_MESSAGE = 'already present (same id and version): no new version';

/**
 * Bytes of one status-details entry in JSON (near enough: the keys and punctuation are fixed).
 * Buffer.byteLength counts UTF-8 unless told otherwise.
 */
function detailBytes(d: StatusDetail): number {
  return (
    40 +
    Buffer.byteLength(d.id) +
    Buffer.byteLength(d.version) +
    (d.message === undefined ? 0 : Buffer.byteLength(d.message))
  );
}

/**
 * The status with its detail lists bounded to about `maxBytes` of JSON. The counts are TAXII's
 * authoritative figures and are kept; each list (failures first, the most useful to a client, then
 * successes, then pendings) is kept whole while it fits in what is left, or else left out. A list
 * is never cut short: taxii2-client, for one, rejects a status whose list length differs from its
 * count, and accepts one without the list.
 */
export function boundStatus(s: StatusRecord, maxBytes: number): StatusRecord {
  let left = maxBytes;
  const keep = (list: StatusDetail[]): StatusDetail[] => {
    let bytes = 0;
    for (const d of list) {
      bytes += detailBytes(d);
      if (bytes > left) return [];
    }
    left -= bytes;
    return list;
  };
  const failures = keep(s.failures);
  const successes = keep(s.successes);
  const pendings = keep(s.pendings);
  if (failures === s.failures && successes === s.successes && pendings === s.pendings) return s;
  return { ...s, failures, successes, pendings };
}

/**
 * The bound on the status lists of a POST of `requestBytes`: `maxBytes` (TESSERA_MAX_STATUS_BYTES),
 * and at most four times the request itself, though never less than 64 KiB. A client's own status
 * is well within that (a success or failure line is about the size of a small object, and 64 KiB
 * holds the lists of any small request), while an envelope of junk can no longer buy a status far
 * larger than itself, stored for days and served again: 10,000 `1`s (20 KB) used to get a 1 MB
 * status (issue 8 item 3); now its failures list is left out and the counts say it all.
 */
export function statusBudget(requestBytes: number, maxBytes: number): number {
  return Math.min(maxBytes, Math.max(64 * 1024, 4 * requestBytes));
}

/**
 * The I/O half of ingest: store the accepted objects in one atomic batch, then the status with its
 * lists bounded (successes only for what is durably stored). Returns the whole status (every
 * detail, for in-process callers; TAXII presents boundStatus of it, as it was stored).
 */
export async function commitPrepared(
  deps: Pick<IngestDeps, 'objects' | 'statuses' | 'statusTtlHours' | 'statusBytes' | 'logger'>,
  args: Omit<IngestArgs, 'objects'>,
  prepared: Prepared,
  requestTimestamp: number = nowMicros(),
): Promise<StatusRecord> {
  const successes: StatusDetail[] = [];
  if (prepared.accepted.length > 0) {
    // Fails as a whole: nothing of the batch is left stored (see the file comment).
    const outcomes = await deps.objects.addObjects({
      collectionId: args.collectionId,
      addedBy: args.member,
      objects: prepared.accepted,
    });
    for (const o of outcomes) {
      const w = prepared.warnings[o.index]; // '' when none
      const base = o.outcome === 'added' ? ADDED_MESSAGE : DUPLICATE_MESSAGE;
      successes.push({ id: o.id, version: o.version, message: w ? `${base}; ${w}` : base });
    }
  }
  const status: StatusRecord = {
    id: randomUUID(),
    apiRoot: args.apiRoot,
    collectionId: args.collectionId,
    member: args.member,
    requestTimestamp,
    status: 'complete',
    totalCount: prepared.total,
    successCount: successes.length,
    failureCount: prepared.failures.length,
    pendingCount: 0,
    successes,
    failures: prepared.failures,
    pendings: [],
    expiresAt: nowMicros() + deps.statusTtlHours * HOUR_US,
  };
  const stored = boundStatus(status, deps.statusBytes ?? DEFAULT_STATUS_BYTES);
  try {
    await deps.statuses.putStatus(stored).catch(() => deps.statuses.putStatus(stored));
  } catch (e) {
    // Nothing stored yet: the error is the truthful answer.
    if (successes.length === 0) throw e;
    // The objects are stored: the request is answered with its status all the same.
    deps.logger?.error(
      { err: e, status: status.id, collection: args.collectionId, member: args.member },
      'objects stored but their status could not be stored; answered with it (GET status will not find it)',
    );
  }
  return status;
}

/** Whether a status success reports a new version (as opposed to a duplicate). */
export function isAdded(detail: StatusDetail): boolean {
  return detail.message?.startsWith(ADDED_MESSAGE) ?? false;
}

export async function ingest(deps: IngestDeps, args: IngestArgs): Promise<StatusRecord> {
  const requestTimestamp = nowMicros();
  return commitPrepared(
    deps,
    args,
    prepareObjects(args.objects, deps.validate, deps.limits),
    requestTimestamp,
  );
}

/** What a committed batch did: counted once here for the hub log, the CLI and the metrics. */
export interface IngestSummary {
  total: number;
  added: number;
  duplicates: number;
  failed: number;
  /** Failed objects by the first rule their message names ("rule at $.path: …"). */
  failedByRule: Map<string, number>;
}

export function summarise(status: StatusRecord): IngestSummary {
  let added = 0;
  for (const s of status.successes) if (isAdded(s)) added++;
  const failedByRule = new Map<string, number>();
  for (const f of status.failures) {
    const rule = f.message?.match(/^([a-z0-9-]+) at /)?.[1] ?? 'unknown';
    failedByRule.set(rule, (failedByRule.get(rule) ?? 0) + 1);
  }
  return {
    total: status.totalCount,
    added,
    duplicates: status.successes.length - added,
    failed: status.failures.length,
    failedByRule,
  };
}
