/**
 * The object version documents of the MongoDB backend (collection `objects`, see ../indexes.ts for
 * their indexes and query plans), the handles the objects concern works with, and the translation
 * of a TAXII object filter into a MongoDB filter.
 */
import type { Collection, Filter } from 'mongodb';
import type { ObjectFilter, VersionSelector } from '../../contract';
import type { Micros } from '../../../time';
import type { StoreClock } from './clock';

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
  if (v.exact.length > 0) ors.push({ vk: v.exact.length === 1 ? (v.exact[0] as string) : { $in: v.exact } });
  if (ors.length === 0) return null;
  if (ors.length === 1) return ors[0] as Filter<ObjectDoc>;
  return { $or: ors };
}

function inClause(values: string[]): string | { $in: string[] } {
  return values.length === 1 ? (values[0] as string) : { $in: values };
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
    f.oid = inClause(filter.ids);
  }
  if (filter.types) {
    if (filter.types.length === 0) return null;
    f.type = inClause(filter.types);
  }
  if (filter.specVersions) {
    if (filter.specVersions.length === 0) return null;
    f.sv = inClause(filter.specVersions);
  }
  const v = versionClause(filter.versions ?? DEFAULT_VERSIONS);
  if (v === null) return null;
  return { ...f, ...v } as Filter<ObjectDoc>;
}
