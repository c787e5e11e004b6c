/**
 * The access model, decided in one place.
 *
 * A member belongs to trust groups; a collection grants read and/or write to trust groups. A
 * requester's rights on a collection are the union of the grants to its groups. A collection the
 * requester can neither read nor write is invisible (404, left out of listings); an API root is
 * visible when at least one of its collections is. Visibility is handed to the store as a filter
 * (`GroupScope`), so listings, limits and paging are computed over what the requester may see.
 *
 * Within a collection it can read, a requester sees the versions whose TLP (their own marking, else
 * the collection's default TLP) is at or below its ceiling — the highest `maxTlp` among the grants
 * that give one of its groups read — and every version it published itself (`ObjectScope`, applied
 * by the store). Grants and defaults are read with the collection on every request, so a change
 * applies from the next request on, on every instance.
 */
import type { CollectionRecord, GroupScope, ObjectScope } from '../store/contract';
import { rankOf, TLP_LEVELS, type TlpRank } from './tlp';

export interface Principal {
  /** Member name (or feed identity). */
  member: string;
  groups: string[];
  /** How it authenticated, for the audit trail: `secret`, `key <id>`, `certificate <fingerprint>`. */
  credential?: string;
}

export interface CollectionRights {
  canRead: boolean;
  canWrite: boolean;
}

export function rightsOn(principal: Principal, collection: CollectionRecord): CollectionRights {
  let canRead = false;
  let canWrite = false;
  for (const g of collection.grants) {
    if (!principal.groups.includes(g.group)) continue;
    canRead ||= g.read;
    canWrite ||= g.write;
  }
  return { canRead, canWrite };
}

export function isVisible(rights: CollectionRights): boolean {
  return rights.canRead || rights.canWrite;
}

/** The store-level visibility filter for this requester. */
export function scopeOf(principal: Principal): GroupScope {
  return principal.groups;
}

/** The requester's TLP ceiling on a collection: the highest among its read grants (null: no read). */
export function ceilingOn(principal: Principal, collection: CollectionRecord): TlpRank | null {
  const ranks = collection.grants
    .filter((g) => g.read && principal.groups.includes(g.group))
    .map((g) => rankOf(g.maxTlp));
  return ranks.length === 0 ? null : (Math.max(...ranks) as TlpRank);
}

/** Which versions of a collection's objects the requester may see (or delete). */
export function objectScope(principal: Principal, collection: CollectionRecord): ObjectScope {
  const ceiling = ceilingOn(principal, collection);
  const ranks = ceiling === null ? [] : TLP_LEVELS.map(rankOf).filter((r) => r <= ceiling);
  const unmarked = ceiling !== null && rankOf(collection.defaultTlp) <= ceiling;
  return { ranks, unmarked, publisher: principal.member };
}

export type Action = 'read' | 'write' | 'delete';

/**
 * The outcome of asking for `action` on a collection: 'ok', or the HTTP status the TAXII spec
 * prescribes. DELETE's table is mandatory (§5.7): neither right → 404, one of them → 403.
 * Read and write answer 403 when the collection is visible but the right is missing.
 */
export function decide(rights: CollectionRights, action: Action): 'ok' | 403 | 404 {
  if (!isVisible(rights)) return 404;
  switch (action) {
    case 'read':
      return rights.canRead ? 'ok' : 403;
    case 'write':
      return rights.canWrite ? 'ok' : 403;
    case 'delete':
      return rights.canRead && rights.canWrite ? 'ok' : 403;
  }
}
