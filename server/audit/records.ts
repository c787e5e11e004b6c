/**
 * The audit records Tessera writes, built in one place: a refused authentication, a request on a
 * collection's objects (read, write, delete) with its outcome, a feed run, and an admin command
 * of the CLI.
 */
import type { AuthFailure } from '../access/authenticate';
import type { AuditKind, AuditRecord } from '../store/contract';
import { nowMicros, type Micros } from '../time';

let lastAt = 0;

/**
 * The time of an audit record: nowMicros(), but never before the previous record's. nowMicros()
 * adds the sub-millisecond part of another clock, whose milliseconds tick at other instants, so two
 * calls can step back by up to 1 ms and records written in order would sort out of order. A larger
 * step back is the wall clock being set, and is followed. (Only here: the MongoDB store clock's
 * reservations depend on nowMicros() as it is.)
 */
export function recordTime(): Micros {
  const t = nowMicros();
  if (t < lastAt && lastAt - t < 1000) return lastAt;
  lastAt = t;
  return t;
}

export function auditOfFailure(f: AuthFailure): AuditRecord {
  return {
    at: recordTime(),
    kind: 'auth',
    member: f.user,
    address: f.address,
    endpoint: f.endpoint ?? '-',
    apiRoot: null,
    collection: null,
    count: null,
    status: f.status,
    detail: `${f.form}: ${f.reason}`,
  };
}

/** What a TAXII route fills in as it goes (res.locals.audit); recorded when the response ends. */
export interface RequestAudit {
  kind: Exclude<AuditKind, 'auth' | 'admin'>;
  /** e.g. `GET objects`. */
  endpoint: string;
  apiRoot: string | null;
  collection: string | null;
  count: number | null;
  detail: string | null;
}

export function auditOfRequest(
  a: RequestAudit,
  r: { member: string; credential?: string; address: string; status: number; completed: boolean },
): AuditRecord {
  const detail = [
    a.detail,
    r.credential ? `via ${r.credential}` : null,
    r.completed ? null : 'the client went away',
  ]
    .filter((x) => x !== null)
    .join('; ');
  return {
    at: recordTime(),
    kind: a.kind,
    member: r.member,
    address: r.address,
    endpoint: a.endpoint,
    apiRoot: a.apiRoot,
    collection: a.collection,
    count: a.count,
    status: r.status,
    detail: detail === '' ? null : detail,
  };
}

/** What the audit trail needs of a feed run (feeds/runner.ts FeedRunResult). */
export interface FeedRunOutcome {
  feed: string;
  id: string;
  trigger: 'schedule' | 'manual';
  ok: boolean;
  fetched: number;
  added: number;
  duplicates: number;
  rejected: number;
  expired: number;
  unchanged?: boolean;
  error?: string;
}

/** Versions a feed run stored: new objects and the expiring versions of entries that left the list. */
export function feedRunCount(r: FeedRunOutcome): number {
  return r.added + r.expired;
}

/** The audit detail of a feed run: its id, what it did, and why it failed. */
export function feedRunDetail(r: FeedRunOutcome): string {
  const did = r.unchanged
    ? 'source unchanged'
    : `fetched ${r.fetched}, added ${r.added}, duplicates ${r.duplicates}, rejected ${r.rejected}, expired ${r.expired}`;
  return `${r.trigger} run ${r.id}: ${did}${r.ok ? '' : `; failed: ${r.error ?? 'unknown error'}`}`;
}

/** The status a feed run is recorded with: 200 when it succeeded, 502 when it failed. */
export function feedRunStatus(r: FeedRunOutcome): number {
  return r.ok ? 200 : 502;
}

/**
 * A feed run of the hub's scheduler: a write by `feed:<name>` (the identity its objects are added
 * by) into the target collection; status 200 when the run succeeded, 502 when it failed (its source
 * or its target: the detail says which).
 */
export function auditOfFeedRun(
  r: FeedRunOutcome,
  collection: { id: string; apiRoot: string } | null,
): AuditRecord {
  return {
    at: recordTime(),
    kind: 'write',
    member: `feed:${r.feed}`,
    address: null,
    endpoint: 'feed run',
    apiRoot: collection?.apiRoot ?? null,
    collection: collection?.id ?? null,
    count: feedRunCount(r),
    status: feedRunStatus(r),
    detail: feedRunDetail(r),
  };
}

/** What a CLI command handler fills in as it goes (scripts/cli); recorded when the command ends. */
export interface AuditNote {
  apiRoot?: string | null;
  collection?: string | null;
  count?: number | null;
  detail?: string | null;
  /** The outcome when the command ran but what it did failed (a failed feed run: 502); else 200. */
  status?: number;
}

/**
 * An admin command of the CLI, run by the OS user `operator` (the CLI has no member identity):
 * `command` is its name (`member add`), `line` the command line as shown (never a secret), `status`
 * 200 or the HTTP status of the error it ended with, unless the note says otherwise.
 */
export function auditOfCommand(c: {
  kind: AuditKind;
  operator: string;
  command: string;
  line: string;
  note: AuditNote;
  status: number;
}): AuditRecord {
  return {
    at: recordTime(),
    kind: c.kind,
    member: null,
    address: `cli:${c.operator}`,
    endpoint: `tessera ${c.command}`,
    apiRoot: c.note.apiRoot ?? null,
    collection: c.note.collection ?? null,
    count: c.note.count ?? null,
    status: c.note.status ?? c.status,
    detail: [c.line, c.note.detail].filter((x) => x).join(' — ') || null,
  };
}
