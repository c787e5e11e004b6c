/**
 * TAXII filter and paging parameters (§3.4, §3.5), parsed strictly: a malformed value or a
 * parameter given twice is a 400 that names the parameter. Unknown `match[...]` fields and other
 * parameters are ignored (§3.4 allows it).
 */
import { BadRequestError } from '../errors';
import type { Micros, VersionSelector } from '../store/contract';
import { parseTaxiiTimestamp, versionKey } from '../time';

export interface TaxiiQuery {
  addedAfter?: Micros;
  limit?: number;
  next?: string;
  ids?: string[];
  types?: string[];
  versions?: VersionSelector;
  specVersions?: string[];
}

/** Every filter and paging parameter Tessera reads (an endpoint allows a subset). */
export const QUERY_PARAMS = [
  'added_after',
  'limit',
  'next',
  'match[id]',
  'match[type]',
  'match[version]',
  'match[spec_version]',
] as const;

export type QueryParam = (typeof QUERY_PARAMS)[number];

const STIX_ID =
  /^[a-z0-9][a-z0-9-]*[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const STIX_TYPE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const SPEC_VERSION = /^\d+\.\d+$/;

/** A comma-separated list; `check` refuses the empty item too. */
function list(param: string, raw: string, check: (v: string) => boolean, what: string): string[] {
  const values = raw.split(',');
  const seen = new Set<string>();
  for (const v of values) {
    if (!check(v)) throw new BadRequestError(`${param}: ${JSON.stringify(v)} is not ${what}`);
    if (seen.has(v)) throw new BadRequestError(`${param}: ${JSON.stringify(v)} is given twice`);
    seen.add(v);
  }
  return values;
}

export function parseVersionParam(raw: string): VersionSelector {
  const values = list(
    'match[version]',
    raw,
    (v) => v === 'all' || v === 'first' || v === 'last' || versionKey(v) !== null,
    'all, first, last or a STIX timestamp',
  );
  if (values.includes('all')) {
    if (values.length > 1)
      throw new BadRequestError('match[version]: "all" cannot be combined with other values');
    return { kind: 'all' };
  }
  const exact = new Set<string>();
  for (const v of values) {
    if (v === 'first' || v === 'last') continue;
    const k = versionKey(v) as string;
    if (exact.has(k)) throw new BadRequestError(`match[version]: the version ${v} is given twice`);
    exact.add(k);
  }
  return { kind: 'some', first: values.includes('first'), last: values.includes('last'), exact: [...exact] };
}

/** Parse the query string of a request, accepting only `allowed` parameters (others are ignored). */
export function parseTaxiiQuery(search: string, allowed: readonly QueryParam[]): TaxiiQuery {
  const params = new URLSearchParams(search);
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (seen.has(key)) throw new BadRequestError(`the parameter ${key} must not be given more than once`);
    seen.add(key);
  }
  const q: TaxiiQuery = {};
  const get = (k: QueryParam): string | null => (allowed.includes(k) ? params.get(k) : null);

  const addedAfter = get('added_after');
  if (addedAfter !== null) {
    const t = parseTaxiiTimestamp(addedAfter);
    if (t === null)
      throw new BadRequestError(`added_after: ${JSON.stringify(addedAfter)} is not a timestamp`);
    q.addedAfter = t;
  }
  const limit = get('limit');
  if (limit !== null) {
    if (!/^\d{1,9}$/.test(limit) || Number(limit) < 1) {
      throw new BadRequestError(`limit: ${JSON.stringify(limit)} is not a positive integer`);
    }
    q.limit = Number(limit);
  }
  const next = get('next');
  if (next !== null) {
    if (next === '') throw new BadRequestError('next: empty value');
    q.next = next;
  }
  const ids = get('match[id]');
  if (ids !== null) q.ids = list('match[id]', ids, (v) => STIX_ID.test(v), 'a STIX identifier');
  const types = get('match[type]');
  if (types !== null) q.types = list('match[type]', types, (v) => STIX_TYPE.test(v), 'a STIX type name');
  const version = get('match[version]');
  if (version !== null) q.versions = parseVersionParam(version);
  const spec = get('match[spec_version]');
  if (spec !== null)
    q.specVersions = list('match[spec_version]', spec, (v) => SPEC_VERSION.test(v), 'a spec version');
  return q;
}

export function isStixId(s: string): boolean {
  return STIX_ID.test(s);
}
