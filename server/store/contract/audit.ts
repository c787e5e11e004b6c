/**
 * Audit: who did what to which collection, when, from where, with what outcome — every TAXII read
 * and write of a collection's objects, every delete, every refused authentication, and every change
 * an operator makes with the CLI. Written in batches by server/audit/trail.ts, purged after the
 * retention period (TESSERA_AUDIT_RETENTION_DAYS), queried by `tessera audit`.
 */
import type { Micros } from './shared';

/**
 * read: GET objects / object / versions / manifest; write: POST objects; delete: DELETE object;
 * auth: a refused authentication; admin: a CLI command that changes something (or reads objects).
 */
export type AuditKind = 'read' | 'write' | 'delete' | 'auth' | 'admin';

export interface AuditRecord {
  at: Micros;
  kind: AuditKind;
  /** The member acting; for `auth`, the user name tried (which may not exist), or null. */
  member: string | null;
  /** The client's address (as the hub sees it, proxies honoured); for the CLI `cli:<OS user>`. */
  address: string | null;
  /** What was asked, e.g. `GET objects`, `POST objects`, `tessera member disable`. */
  endpoint: string;
  apiRoot: string | null;
  /** Collection id, or null when the request concerned none (or named none that exists). */
  collection: string | null;
  /** Objects served, added, or deleted; null when not applicable. */
  count: number | null;
  /** HTTP status of the answer; for the CLI, 200 when it succeeded, else the error's status. */
  status: number;
  /** A short free text: the object id, the reason of a refusal, the command's arguments … or null. */
  detail: string | null;
}

export interface QueryAuditArgs {
  member?: string;
  collection?: string;
  /** Only records at or after this instant. */
  since?: Micros;
  /** At most this many: the oldest matching ones, in ascending `at` (ties in insertion order). */
  limit: number;
}

export interface PurgeAuditArgs {
  /** Delete records older than this instant. */
  before: Micros;
}

export interface AuditStore {
  /** Store a batch of records (atomically where the backend allows). */
  appendAudit(records: AuditRecord[]): Promise<void>;
  queryAudit(args: QueryAuditArgs): Promise<AuditRecord[]>;
  /** Returns the number of records deleted. */
  purgeAudit(args: PurgeAuditArgs): Promise<number>;
}
