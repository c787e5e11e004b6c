/**
 * The object version documents of the MongoDB backend (collection `objects`, see ../indexes.ts for
 * their indexes and query plans), the handles the objects concern works with, and the translation
 * of a TAXII object filter into a MongoDB filter.
 */
import type { Collection, Filter } from 'mongodb';
import type { ObjectFilter, ObjectScope, VersionSelector } from '../../contract';
import type { Micros } from '../../../time';
import type { StoreClock } from './clock';

// Stryker disable next-line StringLiteral: any kind but 'all' selects by first/last/exact the same
const DEFAULT_VERSIONS: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };

export interface ObjectDoc {
  _id: string;
  c: string;
  oid: string;
  type: string;
  sv: string;
  ver: string;
  vk: string;
  da: Micros;
  first: boolean;
  last: boolean;
  by: string;
  body: string;
  /** TLP rank 0 (clear) … 4 (red), UNMARKED without TLP marking (see ../../../access/tlp.ts). */
  tlp: number;
}

/** The tlp of a version without TLP marking. */
export const UNMARKED = -1;
const TLP_VALUES: readonly number[] = [UNMARKED, 0, 1, 2, 3, 4];

/**
 * The branches of a scope: visible tlp values, and the publisher's own versions of the others.
 * `[{}]` for operators; `[]` when nothing is visible.
 */
export function visibilityBranches(scope: ObjectScope): Filter<ObjectDoc>[] {
  if (scope === 'all') return [{}];
  const visible = TLP_VALUES.filter((t) =>
    t === UNMARKED ? scope.unmarked : (scope.ranks as number[]).includes(t),
  );
  const hidden = TLP_VALUES.filter((t) => !visible.includes(t));
  const out: Filter<ObjectDoc>[] = [];
  if (visible.length > 0) out.push({ tlp: { $in: visible } });
  if (hidden.length > 0 && scope.publisher !== null) out.push({ by: scope.publisher, tlp: { $in: hidden } });
  return out;
}

/**
 * `filter` restricted to a scope, null when nothing is visible. Each branch repeats the whole
 * filter (a rooted $or), so the planner serves each branch from its own index in `da` order and
 * merges them (SORT_MERGE); a filter that is already an $or (version mixes) is combined by $and.
 */
export function withScope(filter: Filter<ObjectDoc>, scope: ObjectScope): Filter<ObjectDoc> | null {
  const branches = visibilityBranches(scope);
  if (branches.length === 0) return null;
  if (branches.length === 1) {
    const b = branches[0] as Filter<ObjectDoc>;
    return '$or' in filter ? { $and: [filter, b] } : { ...filter, ...b };
  }
  if ('$or' in filter) return { $and: [filter, { $or: branches }] };
  return { $or: branches.map((b) => ({ ...filter, ...b })) };
}

/** What the jobs of the objects concern work on: the version documents and the store clock. */
export interface ObjectHandles {
  objects: Collection<ObjectDoc>;
  clock: StoreClock;
}

export function objectDocId(c: string, oid: string, vk: string | null): string {
  // Collection ids are UUIDs and version keys contain no '|', so the parts are unambiguous.
  return `${c}|${oid}|${vk ?? 'sco'}`;
}

/** The version-selector part of an object filter; null when it can match nothing. */
function versionClause(v: VersionSelector): Filter<ObjectDoc> | null {
  if (v.kind === 'all') return {};
  const ors: Filter<ObjectDoc>[] = [];
  if (v.last) ors.push({ last: true });
  if (v.first) ors.push({ first: true });
  if (v.exact.length > 0) ors.push({ vk: { $in: v.exact } });
  if (ors.length === 0) return null;
  if (ors.length === 1) return ors[0] as Filter<ObjectDoc>;
  return { $or: ors };
}

/**
 * The filter for `filter` within one collection (without dateAdded bounds); null when it can match
 * nothing (an empty id/type/spec list, or a version selector that selects nothing).
 */
export function objectFilter(
  c: string,
  filter: Pick<ObjectFilter, 'ids' | 'types' | 'specVersions' | 'versions'>,
) {
  const f: Filter<ObjectDoc> = { c };
  if (filter.ids) {
    if (filter.ids.length === 0) return null;
    f.oid = { $in: filter.ids };
  }
  if (filter.types) {
    if (filter.types.length === 0) return null;
    f.type = { $in: filter.types };
  }
  if (filter.specVersions) {
    if (filter.specVersions.length === 0) return null;
    f.sv = { $in: filter.specVersions };
  }
  const v = versionClause(filter.versions ?? DEFAULT_VERSIONS);
  if (v === null) return null;
  return { ...f, ...v } as Filter<ObjectDoc>;
}
