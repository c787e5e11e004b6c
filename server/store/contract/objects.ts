/**
 * Objects: the stored versions of STIX objects in each collection, with what TAXII reads of them
 * (objects, manifest, versions; keyset-paged by dateAdded) and deletes.
 *
 * `dateAdded` is assigned by the store: unique across the whole store and increasing in commit
 * order, so paging by `dateAdded` never skips or repeats a version.
 */
import type { TlpRank } from '../../access/tlp';
import type { Micros, Page } from './shared';

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
  /** Its TLP (server/access/tlp.ts classify), or null when it carries no TLP marking. */
  tlp: TlpRank | null;
}

/**
 * Which versions a requester may see, computed by server/access/policy.ts: versions whose TLP rank
 * is in `ranks`, unmarked versions when `unmarked`, and whatever `publisher` added. `'all'` is for
 * operators (the CLI, feeds' own bookkeeping), never for HTTP requests.
 */
export type ObjectScope = 'all' | { ranks: TlpRank[]; unmarked: boolean; publisher: string | null };

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

export interface AddObjectsArgs {
  collectionId: string;
  /** Member (or feed identity) adding the objects; recorded on every version. */
  addedBy: string;
  objects: NewObjectVersion[];
}

export interface QueryObjectsArgs {
  collectionId: string;
  /** Only versions in this scope count (for the page, `more` and the keyset). */
  visibleTo: ObjectScope;
  filter: ObjectFilter;
  /** Keyset position: only versions with dateAdded strictly greater (from a paging cursor). */
  after?: Micros;
  /** Page size, already clamped by the caller (>= 1). */
  limit: number;
  /** Whether to return object bodies (objects endpoints) or not (manifest, versions). */
  withBody: boolean;
  /**
   * With bodies: end the page before the bodies' UTF-8 bytes would exceed this (the first item is
   * returned whatever its size); `more` is then true, and a query `after` the last item continues
   * exactly where this one stopped.
   */
  maxBytes?: number;
}

export interface ObjectExistsArgs {
  collectionId: string;
  /** Whether a version in this scope exists. */
  visibleTo: ObjectScope;
  id: string;
}

export interface DeleteObjectArgs {
  collectionId: string;
  /** Only versions in this scope are deleted (first/last are then recomputed over all versions). */
  visibleTo: ObjectScope;
  id: string;
  /** Default when absent: every version. */
  versions?: VersionSelector;
  specVersions?: string[];
}

export interface PurgeCollectionArgs {
  collectionId: string;
  /** Delete at most this many versions in this call (>= 1), so that other writers get their turn. */
  limit: number;
}

export interface ObjectStore {
  /**
   * Store every object of the batch durably before resolving (one atomic write per batch where the
   * backend allows). Same id and version already present: `duplicate`, nothing written. A new
   * version updates which version is first/last for that id.
   */
  addObjects(args: AddObjectsArgs): Promise<AddOutcome[]>;
  /**
   * Ascending dateAdded; at most `limit` items, and with bodies at most `maxBytes` of them (but at
   * least one item); `more` if further items match.
   */
  queryObjects(args: QueryObjectsArgs): Promise<Page<StoredVersion>>;
  objectExists(args: ObjectExistsArgs): Promise<boolean>;
  /** Returns the number of versions deleted; first/last flags are recomputed. */
  deleteObject(args: DeleteObjectArgs): Promise<number>;
  /** Number of stored object versions in the collection (every version counts). */
  countObjects(collectionId: string): Promise<number>;
  /**
   * Delete up to `limit` versions of the collection, whatever their TLP or publisher (removing a
   * collection); returns how many. Call until it returns 0. Each call is complete in itself, so
   * an interrupted purge is finished by calling again.
   */
  purgeCollection(args: PurgeCollectionArgs): Promise<number>;
}
