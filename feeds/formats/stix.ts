/**
 * The one place where feed entries become STIX 2.1: value normalisation (IPv4/IPv6 addresses and
 * CIDRs, domains, URLs, hashes, e-mail addresses, address:port pairs), escaped patterns, the
 * deterministic indicator, the feed's identity and its TLP marking. Every format module
 * (feeds/formats/*.ts) parses its own layout into `Entry` values and calls `indicatorFor`.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { rankOf, type TlpLevel } from '../../server/access/tlp';
import { tlp2Marking } from '../../server/stix/markings';

export type StixObject = Record<string, unknown> & { type: string; id: string };

/** Namespace of Tessera feed ids (a random UUID fixed here). */
const NAMESPACE = '2f8e3b1c-6d4a-4c1e-9b7a-5e0d8c3f1a26';

/**
 * A deterministic UUID for a name: SHA-256 of the namespace and the name, shaped as a UUIDv4
 * (version and variant bits set). STIX 2.1 says SDO ids SHOULD be UUIDv4, and a hub running with
 * strict validation turns that into a MUST; 122 bits of a SHA-256 are as unique as random ones,
 * and the same name always gives the same id, so a re-run adds nothing.
 */
export function stableUuid(name: string): string {
  const ns = Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex');
  const h = createHash('sha256').update(ns).update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x40;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A STIX pattern string literal: backslash and quote escaped (STIX 2.1 §9.2). */
export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** The kinds of value a feed entry can carry. `auto` recognises the form of the value. */
export type ValueType =
  'ip' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'sha512' | 'email' | 'ip:port' | 'auto';

export const VALUE_TYPES: readonly ValueType[] = [
  'ip',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'email',
  'ip:port',
  'auto',
];

/**
 * Names sources use for these types (case-insensitive), normalised to ours: ThreatFox
 * (`sha256_hash`, `ip:port`), MISP (`ip-dst`, `hostname`), OTX (`FileHash-SHA256`, `IPv4`), and
 * common spellings (`SHA-256`, `ipv6`, `cidr`, `fqdn`).
 */
const TYPE_ALIASES: Record<string, ValueType> = {
  ip: 'ip',
  ipv4: 'ip',
  ipv6: 'ip',
  'ip-src': 'ip',
  'ip-dst': 'ip',
  'ipv4-addr': 'ip',
  'ipv6-addr': 'ip',
  cidr: 'ip',
  netblock: 'ip',
  domain: 'domain',
  hostname: 'domain',
  fqdn: 'domain',
  'domain-name': 'domain',
  url: 'url',
  uri: 'url',
  link: 'url',
  md5: 'md5',
  md5_hash: 'md5',
  'filehash-md5': 'md5',
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha1_hash: 'sha1',
  'filehash-sha1': 'sha1',
  sha256: 'sha256',
  'sha-256': 'sha256',
  sha256_hash: 'sha256',
  'filehash-sha256': 'sha256',
  sha512: 'sha512',
  'sha-512': 'sha512',
  sha512_hash: 'sha512',
  email: 'email',
  'email-addr': 'email',
  'email-src': 'email',
  'email-dst': 'email',
  'ip:port': 'ip:port',
  'ip-port': 'ip:port',
  'ip-dst|port': 'ip:port',
  auto: 'auto',
};

/** Our type for a source's type name, or undefined when we have no pattern for it. */
export function valueTypeOf(name: string): ValueType | undefined {
  return TYPE_ALIASES[name.trim().toLowerCase()];
}

/** STIX hash-algorithm-ov names for the hash types. */
export const HASH_NAMES = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' } as const;
type HashType = keyof typeof HASH_NAMES;
const HASH_LENGTH: Record<HashType, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/** `file:hashes.MD5` / `file:hashes.'SHA-256'`: names with a hyphen are quoted path components. */
function hashPath(h: HashType): string {
  const name = HASH_NAMES[h];
  return /^[A-Za-z0-9_]+$/.test(name) ? `file:hashes.${name}` : `file:hashes.${quote(name)}`;
}

export class ValueError extends Error {}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The eight 16-bit groups of an IPv6 address as one bigint. */
function ipv6ToBig(a: string): bigint {
  let s = a;
  // Stryker disable next-line Regex: isIP() accepted the address, so a dotted quad can only end it
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipv4ToInt(v4[1] as string);
    s = `${s.slice(0, -(v4[1] as string).length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  // Without `::` the address has its 8 groups and nothing is inserted.
  const [head, tail] = s.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text of an IPv6 address (WHATWG URL serialisation does exactly this). */
function canonicalIpv6(big: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((big >> BigInt(i * 16)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

export interface IpValue {
  version: 4 | 6;
  /** Canonical text: the address, or network/prefix for a CIDR shorter than the full length. */
  value: string;
}

/**
 * An IPv4/IPv6 address or CIDR in canonical form: IPv6 compressed and lower-case, an
 * IPv4-mapped IPv6 address as IPv4, a CIDR's host bits cleared, a full-length prefix dropped.
 */
export function normalizeIp(raw: string): IpValue {
  const s = raw.trim();
  const slash = s.indexOf('/');
  // Stryker disable next-line EqualityOperator: at 0 both forms give an empty address
  const addr = slash < 0 ? s : s.slice(0, slash);
  const prefixText = slash < 0 ? undefined : s.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))
    throw new ValueError(`${JSON.stringify(s)} has an invalid prefix length`);
  if (addr.includes('%'))
    throw new ValueError(`${JSON.stringify(s)} has a zone index, which means nothing outside its host`);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  const kind = isIP(addr);
  if (kind === 4 || (mapped && isIP(mapped[1] as string) === 4)) {
    const v4 = mapped ? (mapped[1] as string) : addr;
    let prefix = prefixText === undefined ? 32 : Number(prefixText);
    if (mapped && prefixText !== undefined) prefix -= 96;
    if (prefix < 0 || prefix > 32)
      throw new ValueError(`${JSON.stringify(s)}: the prefix length is out of range`);
    if (prefix === 32) return { version: 4, value: v4 };
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { version: 4, value: `${intToIpv4((ipv4ToInt(v4) & mask) >>> 0)}/${prefix}` };
  }
  if (kind === 6) {
    const prefix = prefixText === undefined ? 128 : Number(prefixText);
    if (prefix > 128) throw new ValueError(`${JSON.stringify(s)}: the prefix length is out of range`);
    let big = ipv6ToBig(addr);
    if (prefix === 128) return { version: 6, value: canonicalIpv6(big) };
    const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
    big &= mask;
    return { version: 6, value: `${canonicalIpv6(big)}/${prefix}` };
  }
  throw new ValueError(`${JSON.stringify(s)} is not an IP address or CIDR`);
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain name in lower-case ASCII (IDNs as punycode), without a trailing dot. */
export function normalizeDomain(raw: string): string {
  const s = raw.trim().replace(/\.$/, '');
  if (/[\s/:@]/.test(s)) throw new ValueError(`${JSON.stringify(raw)} is not a domain name`);
  // Lower-cased by the WHATWG host parser; '' (one empty label) when it is not a host name.
  const ascii = domainToASCII(s);
  const labels = ascii.split('.');
  if (
    ascii.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => LABEL.test(l)) ||
    /^\d+$/.test(labels[labels.length - 1] as string)
  )
    throw new ValueError(`${JSON.stringify(raw)} is not a domain name`);
  return ascii;
}

/** An absolute URL with a scheme and a host, as published (only trimmed). */
export function normalizeUrl(raw: string): string {
  const s = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(s))
    throw new ValueError(`the URL ${JSON.stringify(s)} contains spaces or control characters`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ValueError(`${JSON.stringify(s)} is not an absolute URL`);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || u.host === '')
    throw new ValueError(`${JSON.stringify(s)} is not an absolute URL with a host`);
  return s;
}

export function normalizeHash(type: HashType, raw: string): string {
  const s = raw.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(s) || s.length !== HASH_LENGTH[type])
    throw new ValueError(
      `${JSON.stringify(raw.trim())} is not a ${HASH_NAMES[type]} hash (${HASH_LENGTH[type]} hex digits)`,
    );
  return s;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** What `auto` makes of a value: the first form it has. */
export function detectType(raw: string): Exclude<ValueType, 'auto'> | undefined {
  const s = raw.trim();
  const addr = s.split('/')[0] as string;
  if (isIP(addr) !== 0) return 'ip';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return 'url';
  if (/^[0-9a-f]+$/i.test(s)) {
    for (const t of ['md5', 'sha1', 'sha256', 'sha512'] as const) if (s.length === HASH_LENGTH[t]) return t;
  }
  // An IPv4 address or a bracketed IPv6 address, a colon, a port.
  const hostPort = /^(?:\[([^\]]+)\]|([^:]+)):\d+$/.exec(s);
  if (hostPort && isIP(hostPort[1] ?? (hostPort[2] as string)) !== 0) return 'ip:port';
  if (EMAIL.test(s)) return 'email';
  try {
    normalizeDomain(s);
  } catch {
    return undefined;
  }
  return 'domain';
}

export interface Pattern {
  /** The STIX pattern. */
  pattern: string;
  /** The normalised value (indicator name, part of the deterministic id). */
  value: string;
}

/** The pattern for a value of a type; throws ValueError (with the reason) when the value does not fit. */
export function patternFor(type: ValueType, raw: string): Pattern {
  const t = type === 'auto' ? detectType(raw) : type;
  switch (t) {
    case undefined:
      throw new ValueError(
        `${JSON.stringify(raw.trim())} is not an IP address, CIDR, domain, URL, hash or e-mail address`,
      );
    case 'ip': {
      const ip = normalizeIp(raw);
      return { pattern: `[ipv${ip.version}-addr:value = ${quote(ip.value)}]`, value: ip.value };
    }
    case 'domain': {
      const d = normalizeDomain(raw);
      return { pattern: `[domain-name:value = ${quote(d)}]`, value: d };
    }
    case 'url': {
      const u = normalizeUrl(raw);
      return { pattern: `[url:value = ${quote(u)}]`, value: u };
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512': {
      const h = normalizeHash(t, raw);
      return { pattern: `[${hashPath(t)} = ${quote(h)}]`, value: h };
    }
    case 'email': {
      const s = raw.trim();
      if (!EMAIL.test(s)) throw new ValueError(`${JSON.stringify(s)} is not an e-mail address`);
      const at = s.lastIndexOf('@');
      const v = `${s.slice(0, at)}@${normalizeDomain(s.slice(at + 1))}`;
      return { pattern: `[email-addr:value = ${quote(v)}]`, value: v };
    }
    case 'ip:port': {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(raw.trim());
      if (!m) throw new ValueError(`${JSON.stringify(raw.trim())} is not an address:port pair`);
      const port = Number(m[2]);
      if (port > 65535) throw new ValueError(`${JSON.stringify(raw.trim())}: port ${port} is out of range`);
      const ip = normalizeIp(m[1] as string);
      if (ip.value.includes('/'))
        throw new ValueError(`${JSON.stringify(raw.trim())}: a CIDR cannot have a port`);
      const shown = ip.version === 6 ? `[${ip.value}]:${port}` : `${ip.value}:${port}`;
      return {
        pattern: `[network-traffic:dst_ref.type = 'ipv${ip.version}-addr' AND network-traffic:dst_ref.value = ${quote(ip.value)} AND network-traffic:dst_port = ${port}]`,
        value: shown,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------

/** A STIX timestamp (UTC, milliseconds) for a Date. */
export function stixTime(d: Date): string {
  return d.toISOString();
}

/**
 * A source timestamp as a STIX timestamp: `2024-01-01 11:59:05` (abuse.ch, UTC), with an optional
 * ` UTC`, ISO 8601 with a zone, a bare date, or Unix seconds (MISP). Undefined when not a time.
 */
export function parseSourceTime(raw: string | number | undefined | null): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' || /^\d{9,11}$/.test(raw.trim())) {
    const n = Number(raw);
    return Number.isFinite(n) ? stixTime(new Date(n * 1000)) : undefined;
  }
  const s = raw.trim().replace(/\s+UTC$/i, '');
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (!m) return undefined;
  const iso = `${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : stixTime(d);
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

export type Tlp = TlpLevel;

/** The TLP 2.0 marking-definition id of a level. */
export function tlpMarkingId(level: Tlp): string {
  return markingObject(level).id;
}

/** The stricter of two TLP levels. */
export function stricterTlp(a: Tlp, b: Tlp): Tlp {
  // Stryker disable next-line EqualityOperator: levels of equal rank are the same level
  return rankOf(a) >= rankOf(b) ? a : b;
}

/** What every indicator of a feed carries. */
export interface FeedStamp {
  /** Feed name: part of every deterministic id, so two feeds never share an indicator. */
  feed: string;
  identityId: string;
  tlp: Tlp;
  labels: string[];
  confidence?: number;
  indicatorTypes: string[];
  /** Timestamp used when the source gives none (the feed's first run, kept in its checkpoint). */
  epoch: string;
  /** valid_until = valid_from + this many days (see feeds/expiry.ts for renewal and expiry). */
  validForDays?: number;
}

/** Fixed created/modified of feed identities: the same name always yields the same object. */
const IDENTITY_TIME = '2020-01-01T00:00:00.000Z';

export function identityId(name: string): string {
  return `identity--${stableUuid(`identity\n${name}`)}`;
}

/** The feed's identity object (created_by_ref of everything it produces). */
export function identityObject(name: string): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: identityId(name),
    created: IDENTITY_TIME,
    modified: IDENTITY_TIME,
    name,
    identity_class: 'organization',
  };
}

/** The published TLP 2.0 marking-definition object. */
export function markingObject(level: Tlp): StixObject {
  return tlp2Marking(level) as StixObject;
}

export interface ExternalReference {
  source_name: string;
  url?: string;
  external_id?: string;
  description?: string;
}

/** One entry of a feed, as its format module understood it. */
export interface Entry {
  /** 1-based line (record start) in the fetched text. */
  line: number;
  type: ValueType;
  value: string;
  /** When the source first listed it (STIX timestamp). */
  firstSeen?: string;
  labels?: string[];
  confidence?: number;
  description?: string;
  indicatorTypes?: string[];
  externalReferences?: ExternalReference[];
}

export interface Rejection {
  /** 1-based line, when the source is line-based. */
  line?: number;
  /** Where, in words: "line 12", "event <uuid>, attribute <uuid>". */
  where: string;
  reason: string;
}

const DAY_MS = 86_400_000;

function uniq(xs: string[]): string[] {
  return [...new Set(xs.map((x) => x.trim()).filter((x) => x !== ''))];
}

export interface IndicatorParts {
  id: string;
  pattern: string;
  name: string;
  created: string;
  modified?: string;
  validFrom: string;
  description: string;
  labels?: string[] | undefined;
  confidence?: number | undefined;
  indicatorTypes?: string[] | undefined;
  /** Absent or not empty. */
  externalReferences?: ExternalReference[] | undefined;
  tlp?: Tlp;
}

/** An indicator with the feed's stamp (identity, TLP, labels, confidence, validity). */
export function buildIndicator(stamp: FeedStamp, p: IndicatorParts): StixObject {
  const labels = uniq([...stamp.labels, ...(p.labels ?? [])]);
  const confidence = p.confidence ?? stamp.confidence;
  const o: StixObject = {
    type: 'indicator',
    spec_version: '2.1',
    id: p.id,
    created_by_ref: stamp.identityId,
    created: p.created,
    modified: p.modified ?? p.created,
    name: p.name,
    indicator_types: p.indicatorTypes ?? stamp.indicatorTypes,
    pattern: p.pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: p.validFrom,
  };
  if (stamp.validForDays !== undefined)
    o.valid_until = stixTime(new Date(Date.parse(p.validFrom) + stamp.validForDays * DAY_MS));
  o.description = p.description;
  if (labels.length > 0) o.labels = labels;
  if (confidence !== undefined) o.confidence = confidence;
  if (p.externalReferences) o.external_references = p.externalReferences;
  o.object_marking_refs = [tlpMarkingId(p.tlp ?? stamp.tlp)];
  return o;
}

/**
 * The indicator for a list entry: id = UUIDv5(feed, pattern), so the same value in the same feed
 * is always the same indicator; created = modified = valid_from = the source's first-seen time,
 * else the feed's epoch. Throws ValueError when the value does not fit its type.
 */
export function indicatorFor(stamp: FeedStamp, e: Entry): StixObject {
  const p = patternFor(e.type, e.value);
  const t = e.firstSeen ?? stamp.epoch;
  return buildIndicator(stamp, {
    id: `indicator--${stableUuid(`${stamp.feed}\n${p.pattern}`)}`,
    pattern: p.pattern,
    name: p.value,
    created: t,
    validFrom: t,
    description: e.description ?? `Listed by feed ${stamp.feed}`,
    labels: e.labels,
    confidence: e.confidence,
    indicatorTypes: e.indicatorTypes,
    externalReferences: e.externalReferences,
  });
}

/** What a format module returns for one fetched text. */
export interface Conversion {
  /** Entries read (data lines / records / attributes), whether converted or rejected. */
  read: number;
  objects: StixObject[];
  rejected: Rejection[];
  /** Entries deliberately not converted (e.g. MISP attributes without to_ids), not errors. */
  skipped: number;
  /**
   * False when the text itself says it is incomplete (e.g. a Spamhaus JSON-lines file without its
   * metadata line or with fewer records than it announces): what was valid is kept, but nothing
   * may be expired on the strength of this copy.
   */
  complete: boolean;
  /** Why the text is incomplete. */
  incompleteReason?: string;
}

/** Converts each entry, turning value errors into rejections with the entry's line. */
export function convertEntries(stamp: FeedStamp, entries: Entry[], rejected: Rejection[]): StixObject[] {
  const out: StixObject[] = [];
  for (const e of entries) {
    try {
      out.push(indicatorFor(stamp, e));
    } catch (err) {
      if (!(err instanceof ValueError)) throw err;
      rejected.push({ line: e.line, where: `line ${e.line}`, reason: err.message });
    }
  }
  rejected.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return out;
}

export function rejectLine(rejected: Rejection[], line: number, reason: string): void {
  rejected.push({ line, where: `line ${line}`, reason });
}
