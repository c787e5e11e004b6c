/**
 * Ingest: the one path by which objects enter a collection (TAXII POST, `tessera import`, feeds).
 * Each object passes the structural checks and the pluggable STIX validator (./prepare.ts, in the
 * worker pool of ./pool.ts for TAXII POSTs); failures are listed in the status with a message naming
 * the rule and the JSON path, the valid objects of the same envelope are stored in one atomic batch,
 * and the status (stored before it is returned) reports a success only for objects that are durably
 * stored. Of the store it uses two concerns: objects and statuses.
 */
import { randomUUID } from 'node:crypto';
import type { ObjectStore, StatusDetail, StatusRecord, StatusStore } from '../store/contract';
import { nowMicros } from '../time';
import { prepareObjects, type ObjectValidator, type Prepared } from './prepare';

export {
  envelopeObjects,
  prepareEnvelopeText,
  prepareObjects,
  type ObjectValidator,
  type PrepareFn,
  type Prepared,
  type Verdict,
} from './prepare';
export { PreparePool } from './pool';

export interface IngestDeps {
  objects: ObjectStore;
  statuses: StatusStore;
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

/**
 * The I/O half of ingest: store the accepted objects in one atomic batch, then store the status
 * (successes only for what is durably stored) and return it.
 */
export async function commitPrepared(
  deps: Pick<IngestDeps, 'objects' | 'statuses' | 'statusTtlHours'>,
  args: Omit<IngestArgs, 'objects'>,
  prepared: Prepared,
  requestTimestamp: number = nowMicros(),
): Promise<StatusRecord> {
  const successes: StatusDetail[] = [];
  if (prepared.accepted.length > 0) {
    const outcomes = await deps.objects.addObjects({
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
  await deps.statuses.putStatus(status);
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
