/**
 * The store contract: everything the hub asks of a storage backend, cut by concern.
 *
 * DESIGN NOTES
 *
 * One contract, two backends (SQLite in ../sqlite, MongoDB in ../mongodb). `openStore(url)`
 * (../index.ts) returns `Stores`: one store per concern, all sharing the backend's one connection,
 * plus the life cycle of that connection. Every operation takes one named argument type so that
 * backends and callers agree on meaning, not on positional order. Backends translate their own
 * driver failures into the errors of server/errors.ts (StoreUnavailableError, ConflictError, ...);
 * callers never see a driver error. Every instant is an integer count of microseconds since the
 * Unix epoch (`Micros`, server/time.ts).
 *
 * The cut. A concern is a body of data that one part of the hub owns and reasons about on its own;
 * operations that must be atomic together stay in one concern.
 *
 *   registry    ./registry.ts    API roots, collections, their grants to trust groups — what exists
 *                                and who may use it (read by every request, written by operators)
 *   principals  ./principals.ts  members and trust groups — who someone is (authentication)
 *   objects     ./objects.ts     object versions, first/last, dateAdded, the paged reads, deletes —
 *                                the bulk of the data and all of the hot path
 *   statuses    ./statuses.ts    the status resource of each POST, purged when expired
 *   state       ./state.ts       small shared values: secrets, compare-and-set records (feed
 *                                checkpoints, leases)
 *   audit       ./audit.ts       the audit trail: reads, writes, deletes, refused logins, admin changes
 *
 * Why this cut: each caller touches few of them (the authenticator only principals, ingest only
 * objects and statuses, the feed runner registry, objects, statuses and state), so a caller's deps
 * name the data it touches; the roadmap's additions fall into one concern each (keys and
 * certificates → principals, TLP ceilings → registry, the lookup index → objects, audit, feed runs,
 * sightings, watches … → new concerns) instead of growing one class per backend; and no operation
 * spans two concerns (grants live on collections, memberships on principals). Records and argument
 * types live with their concern; ./shared.ts holds what several use (Micros, Page).
 *
 * Callers take only the concerns they use, e.g. `deps: { objects: ObjectStore; statuses:
 * StatusStore }` (or `Pick<Stores, 'objects' | 'statuses'>`); only wiring code (server/main.ts,
 * createApp, the CLI entry point, tests) holds the whole `Stores`. Nothing outside server/store
 * imports a backend.
 *
 * Adding a concern (audit, feed runs, …):
 *   1. ./<concern>.ts: its records, named argument types and `<Concern>Store` interface; re-export
 *      it below and add it to `Stores`.
 *   2. Each backend: one file ../sqlite/<concern>.ts and ../mongodb/<concern>.ts implementing it
 *      over the backend's shared connection (../sqlite/connection.ts: handle, statement cache,
 *      translate(), group-commit queue; ../mongodb/connection.ts: client, write concern, busy
 *      retries, guard()); tables in ../sqlite/schema.ts, collections and indexes in
 *      ../mongodb/indexes.ts; then construct it in the backend's index.ts.
 *   3. Its contract tests in test/contract/<concern>.test.ts, which run unchanged on every backend.
 */
import type { AuditStore } from './audit';
import type { ObjectStore } from './objects';
import type { PrincipalStore } from './principals';
import type { RegistryStore } from './registry';
import type { StateStore } from './state';
import type { StatusStore } from './statuses';

export type * from './audit';
export type * from './objects';
export type * from './principals';
export type * from './registry';
export type * from './shared';
export type * from './state';
export type * from './statuses';

/** The stores of one backend, sharing one connection. */
export interface Stores {
  /** Short backend name for logs and /readyz: "sqlite" or "mongodb". */
  readonly backend: string;
  /** Create tables / indexes if missing; idempotent; safe to run from several instances. */
  init(): Promise<void>;
  /** Cheap round trip proving the store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * A consistent copy of the whole store in `file` while it is in use (SQLite's online backup);
   * resolves with the number of pages copied. Backends with their own tools (MongoDB: mongodump)
   * refuse with BadRequestError.
   */
  backup(file: string): Promise<number>;

  readonly registry: RegistryStore;
  readonly principals: PrincipalStore;
  readonly objects: ObjectStore;
  readonly statuses: StatusStore;
  readonly state: StateStore;
  readonly audit: AuditStore;
}
