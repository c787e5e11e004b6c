/**
 * The registry: what exists and who may use it — API roots, their collections, and each
 * collection's grants to trust groups.
 */
import type { TlpLevel } from '../../access/tlp';
import type { Micros } from './shared';

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
  /** TLP ceiling of what this grant lets its group read (versions above it stay hidden). */
  maxTlp: TlpLevel;
}

/** A grant as an operator gives it: without a ceiling it gets the default (server/access/tlp.ts). */
export type GrantInput = Omit<Grant, 'maxTlp'> & { maxTlp?: TlpLevel };

export interface CollectionRecord {
  /** UUIDv4. */
  id: string;
  apiRoot: string;
  title: string;
  description?: string;
  /** Unique within its API root; may be used in URLs in place of the id. */
  alias?: string;
  mediaTypes: string[];
  /** Which trust groups may read / write, sorted by group. */
  grants: Grant[];
  /** TLP of the versions that carry no TLP marking, decided when they are read. */
  defaultTlp: TlpLevel;
  createdAt: Micros;
}

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
  grants: GrantInput[];
  /** Default: DEFAULT_TLP. */
  defaultTlp?: TlpLevel;
}

/** Replace every grant of the collection. */
export interface SetGrantsArgs {
  collectionId: string;
  grants: GrantInput[];
}

/** Create or replace the grant of one group, leaving the others as they are. */
export interface PutGrantArgs {
  collectionId: string;
  grant: GrantInput;
}

export interface RemoveGrantArgs {
  collectionId: string;
  group: string;
}

export interface SetDefaultTlpArgs {
  collectionId: string;
  defaultTlp: TlpLevel;
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

export interface RemoveCollectionArgs {
  collectionId: string;
}

export interface RegistryStore {
  // API roots
  createApiRoot(args: CreateApiRootArgs): Promise<ApiRootRecord>;
  getApiRoot(name: string): Promise<ApiRootRecord | null>;
  listApiRoots(): Promise<ApiRootRecord[]>;
  /**
   * Remove an API root that holds no collection: true when it was removed, false when there was
   * none of that name; ConflictError while it holds a collection (remove those first).
   */
  removeApiRoot(name: string): Promise<boolean>;

  // Collections (listings ordered by id)
  createCollection(args: CreateCollectionArgs): Promise<CollectionRecord>;
  setGrants(args: SetGrantsArgs): Promise<CollectionRecord>;
  putGrant(args: PutGrantArgs): Promise<CollectionRecord>;
  /** Resolves the collection as it is afterwards (unchanged when the group had no grant). */
  removeGrant(args: RemoveGrantArgs): Promise<CollectionRecord>;
  setDefaultTlp(args: SetDefaultTlpArgs): Promise<CollectionRecord>;
  findCollection(args: FindCollectionArgs): Promise<CollectionRecord | null>;
  listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]>;
  /**
   * Remove the collection's record and its grants (its alias becomes free): true when removed,
   * false when there was none. Its objects and statuses are other concerns' (purgeCollection,
   * purgeCollectionStatuses); the caller removes those first (scripts/cli/collections.ts).
   */
  removeCollection(args: RemoveCollectionArgs): Promise<boolean>;
}
