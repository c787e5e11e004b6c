/**
 * Feed definitions: which feed to pull, how often, how to convert it and into which collection.
 * Read from the JSON file named by TESSERA_FEEDS_FILE (a list of definitions) and checked field by
 * field, every problem listed in words with the feed's name and the field ("feed urlhaus: tlp must
 * be one of …"), never as a raw schema path. Secrets are never in the file: `passwordEnv` names
 * the environment variable holding the peer password. README "Feeds" documents every field.
 */
import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { VOCABS } from '../server/stix/vocab';
import { TLP_LEVELS } from '../server/access/tlp';
import { TEXT_KINDS, VALUE_TYPES, type CsvMapping, type Tlp, type ValueType } from './formats';

export const FEED_KINDS = ['taxii21', 'stix-bundle', 'misp-feed', ...TEXT_KINDS] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** Kinds whose entries Tessera converts to indicators (identity, TLP, labels… apply). */
export const CONVERTING_KINDS: ReadonlySet<FeedKind> = new Set<FeedKind>(['misp-feed', ...TEXT_KINDS]);

export interface FeedDefinition {
  /** Unique name; objects are recorded as added by `feed:<name>`; part of every converted id. */
  name: string;
  kind: FeedKind;
  /** Cron expression (node-cron: five fields, or six with seconds first). */
  schedule: string;
  /** http(s):// or file:// — taxii21: the peer collection's objects URL; misp-feed: the feed's directory. */
  url: string;
  username?: string;
  /** Name of the environment variable that holds the peer password (Basic auth). */
  passwordEnv?: string;
  target: { apiRoot: string; collection: string };
  enabled?: boolean;
  /** Time allowed for one request, connection to last byte (default 60000). */
  timeoutMs?: number;
  /** Time allowed for a whole run (default 1800000); the run stops, keeping what it stored. */
  runTimeoutMs?: number;
  /** Largest response accepted, in bytes (default 256 MiB). */
  maxBytes?: number;
  /** taxii21: page size asked of the peer (default 1000). */
  pageSize?: number;
  /** Converting kinds: TLP 2.0 level of what the feed produces (default per kind, see README). */
  tlp?: Tlp;
  /** Converting kinds: name of the identity that created what the feed produces (default: the feed's name). */
  identity?: string;
  labels?: string[];
  /** 0-100, for entries whose source gives none. */
  confidence?: number;
  /** indicator_types (indicator-type-ov; default malicious-activity). */
  indicatorTypes?: string[];
  /** Indicators get valid_until; entries gone from the list are expired (see README). */
  validForDays?: number;
  /** ioc-list: the type of every line (default auto). */
  valueType?: ValueType;
  /** csv: the column mapping. */
  csv?: CsvMapping;
}

/** The TLP a converting kind uses when the definition gives none: public sources are clear. */
export const DEFAULT_TLP: Record<string, Tlp> = {
  'urlhaus-csv': 'clear',
  'feodo-csv': 'clear',
  'threatfox-csv': 'clear',
  'spamhaus-drop': 'clear',
  'ioc-list': 'green',
  csv: 'green',
  'misp-feed': 'green',
};

export class FeedConfigError extends Error {
  /** `feeds`: the definitions without problems, so that their target collections can be checked too. */
  constructor(
    readonly problems: string[],
    readonly feeds: FeedDefinition[] = [],
  ) {
    super(`invalid feed definitions:\n  - ${problems.join('\n  - ')}`);
  }
}

type Obj = Record<string, unknown>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FIELDS = new Set([
  'name',
  'kind',
  'schedule',
  'url',
  'username',
  'passwordEnv',
  'target',
  'enabled',
  'timeoutMs',
  'runTimeoutMs',
  'maxBytes',
  'pageSize',
  'tlp',
  'identity',
  'labels',
  'confidence',
  'indicatorTypes',
  'validForDays',
  'valueType',
  'csv',
]);
const CONVERTING_FIELDS = ['tlp', 'identity', 'labels', 'confidence', 'indicatorTypes', 'validForDays'];
const CSV_FIELDS = new Set([
  'delimiter',
  'header',
  'value',
  'typeColumn',
  'type',
  'firstSeen',
  'tags',
  'tagSeparator',
  'confidence',
  'description',
]);

const list = (xs: readonly string[]): string => xs.join(', ');

/** Checks one definition; pushes every problem (in words) and returns it typed when it has none. */
function checkOne(d: unknown, say: (field: string | null, text: string) => void): FeedDefinition | null {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) {
    say(null, 'is not a JSON object');
    return null;
  }
  const o = d as Obj;
  let ok = true;
  const bad = (field: string | null, text: string): void => {
    ok = false;
    say(field, text);
  };
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(k, 'is not a feed field (see README, Feeds)');

  const str = (field: string, required: boolean): string | undefined => {
    const v = o[field];
    if (v === undefined) {
      if (required) bad(field, 'is missing');
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      bad(field, 'must be a non-empty string');
      return undefined;
    }
    return v;
  };
  const int = (field: string, min: number, max: number): void => {
    const v = o[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      bad(field, `must be a whole number from ${min} to ${max}`);
  };

  const name = str('name', true);
  if (name !== undefined && !NAME.test(name))
    bad('name', 'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit');
  const kind = str('kind', true);
  if (kind !== undefined && !(FEED_KINDS as readonly string[]).includes(kind))
    bad('kind', `must be one of ${list(FEED_KINDS)}`);
  const schedule = str('schedule', true);
  if (schedule !== undefined && !cron.validate(schedule))
    bad('schedule', `${JSON.stringify(schedule)} is not a cron expression (e.g. "*/30 * * * *")`);
  const url = str('url', true);
  if (url !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      /* reported below */
    }
    if (!u || !['http:', 'https:', 'file:'].includes(u.protocol))
      bad('url', 'must be an absolute http://, https:// or file:// URL');
    else if (u.protocol === 'file:' && (o.username !== undefined || o.passwordEnv !== undefined))
      bad(
        o.username !== undefined ? 'username' : 'passwordEnv',
        'does not apply to a file:// URL (a file takes no credentials)',
      );
  }
  str('username', false);
  const passwordEnv = str('passwordEnv', false);
  if (passwordEnv !== undefined && !ENV_NAME.test(passwordEnv))
    bad('passwordEnv', 'must be the name of an environment variable (letters, digits, underscores)');
  if (passwordEnv !== undefined && o.username === undefined) bad('passwordEnv', 'needs a username');

  const target = o.target;
  if (target === undefined) bad('target', 'is missing (give {"apiRoot": …, "collection": …})');
  else if (typeof target !== 'object' || target === null || Array.isArray(target))
    bad('target', 'must be an object {"apiRoot": …, "collection": …}');
  else {
    const t = target as Obj;
    for (const k of Object.keys(t))
      if (k !== 'apiRoot' && k !== 'collection') bad(`target.${k}`, 'is not a target field');
    for (const k of ['apiRoot', 'collection'])
      if (typeof t[k] !== 'string' || (t[k] as string).trim() === '')
        bad(`target.${k}`, t[k] === undefined ? 'is missing' : 'must be a non-empty string');
  }
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') bad('enabled', 'must be true or false');
  int('timeoutMs', 100, 3_600_000);
  int('runTimeoutMs', 1000, 86_400_000);
  int('maxBytes', 1024, 16 * 1024 ** 3);
  int('pageSize', 1, 10_000);
  int('confidence', 0, 100);
  int('validForDays', 1, 3650);

  const converting = kind !== undefined && CONVERTING_KINDS.has(kind as FeedKind);
  if (kind !== undefined && !converting)
    for (const f of CONVERTING_FIELDS)
      if (o[f] !== undefined)
        bad(f, `does not apply to kind ${kind} (its objects are stored as the peer publishes them)`);
  if (o.pageSize !== undefined && kind !== 'taxii21') bad('pageSize', 'applies to kind taxii21 only');
  if (o.tlp !== undefined && !(TLP_LEVELS as readonly unknown[]).includes(o.tlp))
    bad('tlp', `must be one of ${list(TLP_LEVELS)}`);
  str('identity', false);
  const strings = (field: string, check?: (s: string) => string | undefined): void => {
    const v = o[field];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.trim() !== '')) {
      bad(field, 'must be a non-empty list of non-empty strings');
      return;
    }
    for (const x of v as string[]) {
      const why = check?.(x);
      if (why) bad(field, why);
    }
  };
  strings('labels');
  const vocab = VOCABS['indicator-type-ov'];
  strings('indicatorTypes', (x) =>
    vocab.has(x)
      ? undefined
      : `${JSON.stringify(x)} is not in the indicator-type vocabulary (${list([...vocab])})`,
  );
  if (o.valueType !== undefined) {
    if (kind !== 'ioc-list') bad('valueType', 'applies to kind ioc-list only');
    else if (!(VALUE_TYPES as readonly unknown[]).includes(o.valueType))
      bad('valueType', `must be one of ${list(VALUE_TYPES)}`);
  }
  if (kind === 'csv' && o.csv === undefined)
    bad('csv', 'is missing: a csv feed needs its column mapping (at least {"value": "<column>"})');
  if (o.csv !== undefined) {
    if (kind !== 'csv') bad('csv', 'applies to kind csv only');
    else if (typeof o.csv !== 'object' || o.csv === null || Array.isArray(o.csv))
      bad('csv', 'must be an object (the column mapping)');
    else {
      const m = o.csv as Obj;
      for (const k of Object.keys(m))
        if (!CSV_FIELDS.has(k)) bad(`csv.${k}`, 'is not a column-mapping field');
      for (const k of [
        'value',
        'typeColumn',
        'firstSeen',
        'tags',
        'confidence',
        'description',
        'tagSeparator',
      ])
        if (m[k] !== undefined && (typeof m[k] !== 'string' || (m[k] as string).trim() === ''))
          bad(`csv.${k}`, 'must be a non-empty string');
      if (m.value === undefined) bad('csv.value', 'is missing: name the column holding the indicator value');
      if (
        m.delimiter !== undefined &&
        (typeof m.delimiter !== 'string' || m.delimiter.length !== 1 || m.delimiter === '"')
      )
        bad('csv.delimiter', 'must be one character other than a double quote');
      if (m.header !== undefined && typeof m.header !== 'boolean') bad('csv.header', 'must be true or false');
      if (m.type !== undefined && !(VALUE_TYPES as readonly unknown[]).includes(m.type))
        bad('csv.type', `must be one of ${list(VALUE_TYPES)}`);
      if (m.type !== undefined && m.typeColumn !== undefined)
        bad(
          'csv.type',
          'and csv.typeColumn exclude each other: give type (one type for every row) or typeColumn',
        );
      if (m.header === false)
        for (const k of ['value', 'typeColumn', 'firstSeen', 'tags', 'confidence', 'description'])
          if (typeof m[k] === 'string' && !/^[1-9]\d*$/.test(m[k] as string))
            bad(`csv.${k}`, 'must be a column number (1, 2, …) when the file has no header');
    }
  }
  return ok ? (o as unknown as FeedDefinition) : null;
}

/** Check a parsed list of definitions; throws FeedConfigError listing every problem. */
export function checkFeedDefinitions(
  data: unknown,
  env: Record<string, string | undefined> = process.env,
): FeedDefinition[] {
  if (!Array.isArray(data))
    throw new FeedConfigError(['the feeds file must hold a JSON list of feed definitions']);
  const problems: string[] = [];
  const names = new Set<string>();
  const feeds: FeedDefinition[] = [];
  data.forEach((d: unknown, i) => {
    const n = typeof d === 'object' && d !== null ? (d as Obj).name : undefined;
    const who = typeof n === 'string' && n !== '' ? `feed ${n}` : `feed #${i + 1}`;
    const say = (field: string | null, text: string): void => {
      problems.push(field ? `${who}: ${field} ${text}` : `${who}: ${text}`);
    };
    const def = checkOne(d, say);
    if (typeof n === 'string') {
      if (names.has(n)) say('name', `${JSON.stringify(n)} is used by another feed`);
      names.add(n);
    }
    if (!def) return;
    if (def.passwordEnv && env[def.passwordEnv] === undefined)
      say('passwordEnv', `names the environment variable ${def.passwordEnv}, which is not set`);
    feeds.push(def);
  });
  if (problems.length > 0) throw new FeedConfigError(problems, feeds);
  return feeds;
}

export function loadFeedFile(
  path: string,
  env: Record<string, string | undefined> = process.env,
): FeedDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FeedConfigError([
      `cannot read the feeds file ${path}: ${e instanceof Error ? e.message : String(e)}`,
    ]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FeedConfigError([
      `the feeds file ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`,
    ]);
  }
  return checkFeedDefinitions(data, env);
}

/**
 * The problems of definitions whose target collection does not exist (checked at start, once the
 * store is open). `exists` answers for an API root and a collection id or alias.
 */
export async function missingTargets(
  feeds: FeedDefinition[],
  exists: (apiRoot: string, collection: string) => Promise<boolean>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const f of feeds) {
    if (!(await exists(f.target.apiRoot, f.target.collection)))
      problems.push(
        `feed ${f.name}: target collection ${JSON.stringify(f.target.collection)} does not exist in API root ${JSON.stringify(f.target.apiRoot)} (create it with tessera collection add, or tessera apply)`,
      );
  }
  return problems;
}
