/**
 * The store contract: everything the hub asks of a storage backend.
 *
 * One interface, two backends (SQLite in ./sqlite, MongoDB in ./mongodb). Every operation takes one
 * named argument type so that backends and callers agree on meaning, not on positional order.
 * Backends translate their own driver failures into the errors of server/errors.ts
 * (StoreUnavailableError, ConflictError, ...); callers never see a driver error.
 *
 * Time: every instant is an integer count of microseconds since the Unix epoch (`Micros`).
 * `dateAdded` is assigned by the store: unique across the whole store and increasing in commit
 * order, so paging by `dateAdded` never skips or repeats a version.
 */

import type { Micros } from '../time';

export type { Micros };

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

export interface ApiRootRecord {
  /** Path segment under the server root, e.g. "api1" for /api1/. */
  name: string;
  title: string;
  description?: string;
  createdAt: Micros;
}

export interface Grant {
  group: string;
  read: boolean;
  write: boolean;
}

export interface CollectionRecord {
  /** UUIDv4. */
  id: string;
  apiRoot: string;
  title: string;
  description?: string;
  /** Unique within its API root; may be used in URLs in place of the id. */
  alias?: string;
  mediaTypes: string[];
  /** Which trust groups may read / write. */
  grants: Grant[];
  createdAt: Micros;
}

export interface MemberRecord {
  name: string;
  /** Encoded slow hash of the member's secret (see server/access/secrets.ts); never the secret. */
  secretHash: string;
  disabled: boolean;
  createdAt: Micros;
  /** Trust groups the member belongs to, sorted. */
  groups: string[];
}

export interface GroupRecord {
  name: string;
  createdAt: Micros;
  /** Member names, sorted. */
  members: string[];
}

/** One version of one STIX object, as the hub hands it to the store. */
export interface NewObjectVersion {
  id: string;
  type: string;
  specVersion: string;
  /**
   * The STIX version string as received (`modified`, else `created`), or null for objects that have
   * neither (SCOs): the store then gives the object one server-chosen version and treats any later
   * copy of the same id as a duplicate.
   */
  version: string | null;
  /** Sortable, normalised form of `version` (server/time.ts versionKey), or null with it. */
  versionKey: string | null;
  /** The object's JSON text, stored and served byte for byte. */
  body: string;
}

export interface StoredVersion {
  id: string;
  type: string;
  specVersion: string;
  version: string;
  dateAdded: Micros;
  /** Present only when the query asked for bodies. */
  body?: string;
}

export type AddOutcomeKind = 'added' | 'duplicate';

export interface AddOutcome {
  /** Position of the object in `AddObjectsArgs.objects`. */
  index: number;
  id: string;
  version: string;
  outcome: AddOutcomeKind;
  /** dateAdded of the stored version (for a duplicate: of the version already stored). */
  dateAdded: Micros;
}

/**
 * Which versions of each object to return (TAXII match[version]).
 * `first`/`last` are decided over all versions of the object in the collection at write time and
 * indexed; `exact` holds version keys (server/time.ts versionKey).
 */
export type VersionSelector =
  { kind: 'all' } | { kind: 'some'; first: boolean; last: boolean; exact: string[] };

export interface ObjectFilter {
  ids?: string[];
  types?: string[];
  specVersions?: string[];
  /** Default when absent: `{ kind: 'some', first: false, last: true, exact: [] }`. */
  versions?: VersionSelector;
  /** Only versions added strictly after this instant. */
  addedAfter?: Micros;
}

export type StatusState = 'complete' | 'pending';

export interface StatusDetail {
  id: string;
  version: string;
  message?: string;
}

export interface StatusRecord {
  /** UUIDv4. */
  id: string;
  apiRoot: string;
  collectionId: string;
  /** Member who made the request; only they may read it. */
  member: string;
  requestTimestamp: Micros;
  status: StatusState;
  totalCount: number;
  successes: StatusDetail[];
  failures: StatusDetail[];
  pendings: StatusDetail[];
  /** The status may be purged after this instant (at least 24 h after completion). */
  expiresAt: Micros;
}

/** A small named value with an optimistic-concurrency version (feed checkpoints, job leases). */
export interface StateRecord {
  key: string;
  /** JSON text. */
  value: string;
  /** 1 on creation, +1 on every successful put. */
  version: number;
}

export interface Page<T> {
  items: T[];
  /** True when more items match beyond this page. */
  more: boolean;
}

// ---------------------------------------------------------------------------------------------
// Named argument types
// ---------------------------------------------------------------------------------------------

export interface CreateApiRootArgs {
  name: string;
  title: string;
  description?: string;
}

export interface CreateCollectionArgs {
  id: string;
  apiRoot: string;
  title: string;
  description?: string;
  alias?: string;
  mediaTypes: string[];
  grants: Grant[];
}

export interface SetGrantsArgs {
  collectionId: string;
  grants: Grant[];
}

export interface FindCollectionArgs {
  apiRoot: string;
  /** The collection's id or its alias. */
  idOrAlias: string;
}

/**
 * Visibility filter computed by server/access: the store returns only collections granting read
 * or write to one of these groups. `'all'` is for operators (the CLI), never for HTTP requests.
 */
export type GroupScope = string[] | 'all';

export interface ListCollectionsArgs {
  apiRoot: string;
  visibleTo: GroupScope;
}

export interface CreateMemberArgs {
  name: string;
  secretHash: string;
}

export interface SetMemberSecretArgs {
  name: string;
  secretHash: string;
}

export interface MembershipArgs {
  group: string;
  member: string;
}

export interface AddObjectsArgs {
  collectionId: string;
  /** Member (or feed identity) adding the objects; recorded on every version. */
  addedBy: string;
  objects: NewObjectVersion[];
}

export interface QueryObjectsArgs {
  collectionId: string;
  filter: ObjectFilter;
  /** Keyset position: only versions with dateAdded strictly greater (from a paging cursor). */
  after?: Micros;
  /** Page size, already clamped by the caller (>= 1). */
  limit: number;
  /** Whether to return object bodies (objects endpoints) or not (manifest, versions). */
  withBody: boolean;
}

export interface ObjectExistsArgs {
  collectionId: string;
  id: string;
}

export interface DeleteObjectArgs {
  collectionId: string;
  id: string;
  /** Default when absent: every version. */
  versions?: VersionSelector;
  specVersions?: string[];
}

export interface GetStatusArgs {
  apiRoot: string;
  id: string;
}

export interface PutStateArgs {
  key: string;
  value: string;
  /** 0: create only if absent; n: replace only if the stored version is still n. */
  expectedVersion: number;
}

export interface PurgeStatusesArgs {
  /** Delete statuses whose expiresAt is before this instant. */
  before: Micros;
}

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

export interface Store {
  /** Short backend name for logs and /readyz: "sqlite" or "mongodb". */
  readonly backend: string;

  /** Create tables / indexes if missing; idempotent; safe to run from several instances. */
  init(): Promise<void>;
  /** Cheap round trip proving the store answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** A named secret shared by every instance on this store, created at random on first use. */
  sharedSecret(name: string): Promise<Buffer>;

  // API roots
  createApiRoot(args: CreateApiRootArgs): Promise<ApiRootRecord>;
  getApiRoot(name: string): Promise<ApiRootRecord | null>;
  listApiRoots(): Promise<ApiRootRecord[]>;

  // Collections (listings ordered by id)
  createCollection(args: CreateCollectionArgs): Promise<CollectionRecord>;
  setGrants(args: SetGrantsArgs): Promise<CollectionRecord>;
  findCollection(args: FindCollectionArgs): Promise<CollectionRecord | null>;
  listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]>;

  // Members and trust groups
  createMember(args: CreateMemberArgs): Promise<MemberRecord>;
  setMemberSecret(args: SetMemberSecretArgs): Promise<void>;
  getMember(name: string): Promise<MemberRecord | null>;
  listMembers(): Promise<MemberRecord[]>;
  createGroup(name: string): Promise<GroupRecord>;
  listGroups(): Promise<GroupRecord[]>;
  joinGroup(args: MembershipArgs): Promise<void>;
  leaveGroup(args: MembershipArgs): Promise<void>;

  // Objects
  /**
   * Store every object of the batch durably before resolving (one atomic write per batch where the
   * backend allows). Same id and version already present: `duplicate`, nothing written. A new
   * version updates which version is first/last for that id.
   */
  addObjects(args: AddObjectsArgs): Promise<AddOutcome[]>;
  /** Ascending dateAdded; at most `limit` items; `more` if further items match. */
  queryObjects(args: QueryObjectsArgs): Promise<Page<StoredVersion>>;
  objectExists(args: ObjectExistsArgs): Promise<boolean>;
  /** Returns the number of versions deleted; first/last flags are recomputed. */
  deleteObject(args: DeleteObjectArgs): Promise<number>;
  /** Number of stored object versions in the collection (every version counts). */
  countObjects(collectionId: string): Promise<number>;

  // Statuses
  /** Insert, or replace the status with the same id. */
  putStatus(status: StatusRecord): Promise<void>;
  getStatus(args: GetStatusArgs): Promise<StatusRecord | null>;
  purgeStatuses(args: PurgeStatusesArgs): Promise<number>;

  // Small shared state (feed checkpoints and leases, so one instance of a cluster runs a feed)
  getState(key: string): Promise<StateRecord | null>;
  /** Compare-and-set; resolves false (writes nothing) when the expected version does not match. */
  putState(args: PutStateArgs): Promise<boolean>;
}
