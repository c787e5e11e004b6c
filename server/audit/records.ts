/**
 * The audit records the hub writes, built in one place: a refused authentication, and a request
 * on a collection's objects (read, write, delete) with its outcome.
 */
import type { AuthFailure } from '../access/authenticate';
import type { AuditKind, AuditRecord } from '../store/contract';
import { nowMicros } from '../time';

export function auditOfFailure(f: AuthFailure): AuditRecord {
  return {
    at: nowMicros(),
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
    at: nowMicros(),
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
