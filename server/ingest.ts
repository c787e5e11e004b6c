/**
 * Ingest: the one path by which objects enter a collection (TAXII POST, `tessera import`, feeds).
 * Each object passes the structural checks and the pluggable STIX validator; failures are listed
 * in the status with a message naming the rule and the JSON path, the valid objects of the same
 * envelope are stored in one atomic batch, and the status (stored before it is returned) reports
 * a success only for objects that are durably stored.
 */
import { randomUUID } from 'node:crypto';
import { UnprocessableError } from './errors';
import type { NewObjectVersion, StatusDetail, StatusRecord, Store } from './store/contract';
import { basicCheck, describe, type Issue } from './stix/basic';
import { nowMicros } from './stix/time';

export interface Verdict {
  ok: boolean;
  errors: Issue[];
  warnings: Issue[];
}

/** Full STIX validation, plugged in by the caller (server/stix/validate.ts in production). */
export type ObjectValidator = (obj: unknown) => Verdict;

export interface IngestDeps {
  store: Store;
  validate?: ObjectValidator;
  statusTtlHours: number;
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

function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `${i.rule} at ${i.path}: ${i.message}`).join('; ');
}

/**
 * The objects of a parsed request body: a TAXII envelope `{"objects": [...]}` or a STIX bundle
 * `{"type": "bundle", "id": …, "objects": [...]}` (accepted as an envelope, since the stix2
 * library's TAXII sink POSTs bundles; the bundle's own id is not kept). Throws UnprocessableError
 * for anything else: a bare STIX object, no or an empty "objects" list.
 */
export function envelopeObjects(body: unknown): unknown[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UnprocessableError(
      'the request body must be a TAXII envelope {"objects": [...]} (or a STIX bundle)',
    );
  }
  const { type, objects } = body as { type?: unknown; objects?: unknown };
  if (type !== undefined && type !== 'bundle') {
    throw new UnprocessableError(
      `a bare STIX object (type ${JSON.stringify(type)}) is not accepted: send it inside a TAXII envelope {"objects": [...]} or a STIX bundle`,
    );
  }
  if (objects === undefined) {
    throw new UnprocessableError(
      type === 'bundle'
        ? 'the STIX bundle has no "objects" list'
        : 'the request body must be a TAXII envelope with an "objects" list',
    );
  }
  if (!Array.isArray(objects)) throw new UnprocessableError('"objects" must be a list');
  if (objects.length === 0)
    throw new UnprocessableError('"objects" must not be empty (TAXII forbids empty lists)');
  return objects;
}

/** Objects checked and validated, ready to store: the CPU-heavy half of ingest (no I/O). */
export interface Prepared {
  total: number;
  accepted: NewObjectVersion[];
  /** Warning text for each accepted object ('' when none), parallel to `accepted`. */
  warnings: string[];
  failures: StatusDetail[];
}

export function prepareObjects(objects: unknown[], validate?: ObjectValidator): Prepared {
  const failures: StatusDetail[] = [];
  const accepted: NewObjectVersion[] = [];
  const warnings: string[] = [];
  for (const obj of objects) {
    const basic = basicCheck(obj);
    let issues: Issue[] = basic.issues;
    let warn: Issue[] = [];
    if (basic.identity !== null && validate) {
      const verdict = validate(obj);
      if (!verdict.ok) issues = verdict.errors;
      warn = verdict.warnings;
    }
    if (basic.identity === null || issues.length > 0) {
      failures.push({ ...describe(obj), message: formatIssues(issues) });
      continue;
    }
    accepted.push({ ...basic.identity, body: JSON.stringify(obj) });
    warnings.push(warn.length > 0 ? `warning: ${formatIssues(warn)}` : '');
  }
  return { total: objects.length, accepted, warnings, failures };
}

/**
 * The I/O half of ingest: store the accepted objects in one atomic batch, then store the status
 * (successes only for what is durably stored) and return it.
 */
export async function commitPrepared(
  deps: Pick<IngestDeps, 'store' | 'statusTtlHours'>,
  args: Omit<IngestArgs, 'objects'>,
  prepared: Prepared,
  requestTimestamp: number = nowMicros(),
): Promise<StatusRecord> {
  const successes: StatusDetail[] = [];
  if (prepared.accepted.length > 0) {
    const outcomes = await deps.store.addObjects({
      collectionId: args.collectionId,
      addedBy: args.member,
      objects: prepared.accepted,
    });
    for (const o of outcomes) {
      const w = prepared.warnings[o.index] ?? '';
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
    successes,
    failures: prepared.failures,
    pendings: [],
    expiresAt: nowMicros() + deps.statusTtlHours * HOUR_US,
  };
  await deps.store.putStatus(status);
  return status;
}

/** Whether a status success reports a new version (as opposed to a duplicate). */
export function isAdded(detail: StatusDetail): boolean {
  return detail.message?.startsWith(ADDED_MESSAGE) ?? false;
}

export async function ingest(deps: IngestDeps, args: IngestArgs): Promise<StatusRecord> {
  const requestTimestamp = nowMicros();
  return commitPrepared(deps, args, prepareObjects(args.objects, deps.validate), requestTimestamp);
}
