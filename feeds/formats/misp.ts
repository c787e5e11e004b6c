/**
 * MISP feeds (the layout MISP and PyMISP publish: `manifest.json` mapping each event UUID to its
 * metadata — info, Orgc, Tag, date, timestamp — and one `<uuid>.json` per event holding
 * `{"Event": {…, "Attribute": […], "Object": [{…, "Attribute": […]}], "Tag": […]}}`).
 *
 * Attributes with `to_ids` set (top-level or inside objects) become indicators; other attributes
 * are counted as skipped. Each event with at least one indicator becomes a `report` referring to
 * them. MISP tags become labels; `tlp:` tags become TLP 2.0 markings (an attribute's own TLP tag
 * wins over its event's; the feed's `tlp` applies to untagged events). Ids come from the MISP
 * UUIDs (`indicator--<attribute uuid>`, `report--<event uuid>`), so re-reading an event that has
 * not changed adds nothing, and an attribute MISP updated (new timestamp) becomes a new version.
 */
import {
  buildIndicator,
  normalizeHash,
  normalizeIp,
  parseSourceTime,
  patternFor,
  quote,
  stricterTlp,
  tlpMarkingId,
  stableUuid,
  ValueError,
  type Conversion,
  type FeedStamp,
  type Rejection,
  type StixObject,
  type Tlp,
} from './stix';

export class MispFormatError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export interface ManifestEvent {
  uuid: string;
  /** MISP `timestamp`: last change of the event, Unix seconds. */
  timestamp: number;
  info: string;
}

/** The events a manifest lists, oldest change first; malformed entries are rejections. */
export function parseManifest(text: string): { events: ManifestEvent[]; rejected: Rejection[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MispFormatError('manifest.json is not JSON (it may be cut short)');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new MispFormatError('manifest.json is not an object mapping event UUIDs to event metadata');
  const events: ManifestEvent[] = [];
  const rejected: Rejection[] = [];
  for (const [uuid, meta] of Object.entries(data as Record<string, unknown>)) {
    const where = `manifest entry ${uuid}`;
    if (!UUID.test(uuid)) {
      rejected.push({ where, reason: 'the key is not an event UUID' });
      continue;
    }
    const m = (typeof meta === 'object' && meta !== null ? meta : {}) as Record<string, unknown>;
    const ts = Number(m.timestamp);
    if (!Number.isInteger(ts) || ts <= 0) {
      rejected.push({ where, reason: 'the event has no Unix timestamp' });
      continue;
    }
    events.push({ uuid: uuid.toLowerCase(), timestamp: ts, info: typeof m.info === 'string' ? m.info : '' });
  }
  events.sort((a, b) => a.timestamp - b.timestamp || a.uuid.localeCompare(b.uuid));
  return { events, rejected };
}

type Json = Record<string, unknown>;

/** The entries of `v` that are JSON objects; none when `v` is not an array. */
function objectsIn(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : [];
}

function tagNames(o: Json): string[] {
  return objectsIn(o.Tag)
    .map((t) => t.name)
    .filter((n): n is string => typeof n === 'string' && n.trim() !== '');
}

const TLP_TAG = /^tlp:(white|clear|green|amber\+strict|amber|red)$/i;

/** The strictest TLP among the tags (tlp:white is TLP 2.0 clear), and the other tags. */
function splitTags(names: string[]): { tlp?: Tlp; labels: string[] } {
  let tlp: Tlp | undefined;
  const labels: string[] = [];
  for (const n of names) {
    const m = TLP_TAG.exec(n.trim());
    if (!m) {
      labels.push(n.trim());
      continue;
    }
    const level = (m[1] as string).toLowerCase();
    const t: Tlp = level === 'white' ? 'clear' : (level as Tlp);
    tlp = tlp ? stricterTlp(tlp, t) : t;
  }
  return { ...(tlp ? { tlp } : {}), labels };
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 'true';
}

/** The STIX pattern for a MISP attribute, or a ValueError saying why there is none. */
export function mispPattern(type: string, raw: string): { pattern: string; name: string } {
  const value = raw.trim();
  const pair = (): [string, string] => {
    const i = value.indexOf('|');
    if (i < 0) throw new ValueError(`a ${type} value must be two parts joined by |`);
    return [value.slice(0, i), value.slice(i + 1)];
  };
  const simple = (t: Parameters<typeof patternFor>[0]) => {
    const p = patternFor(t, value);
    return { pattern: p.pattern, name: p.value };
  };
  switch (type) {
    case 'ip-src':
    case 'ip-dst':
      return simple('ip');
    case 'ip-src|port':
    case 'ip-dst|port': {
      const [ip, port] = pair();
      const p = patternFor('ip:port', `${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
      return { pattern: p.pattern, name: p.value };
    }
    case 'domain':
    case 'hostname':
      return simple('domain');
    case 'url':
    case 'link':
      return simple('url');
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return simple(type);
    case 'email':
    case 'email-src':
    case 'email-dst':
      return simple('email');
    case 'filename|md5':
    case 'filename|sha1':
    case 'filename|sha256':
    case 'filename|sha512': {
      const [file, h] = pair();
      const algo = type.slice('filename|'.length) as 'md5' | 'sha1' | 'sha256' | 'sha512';
      const hash = patternFor(algo, h);
      const name = file.trim();
      if (name === '') throw new ValueError('the file name is empty');
      return {
        pattern: `[file:name = ${quote(name)} AND ${hash.pattern.slice(1, -1)}]`,
        name: `${name}|${normalizeHash(algo, h)}`,
      };
    }
    case 'domain|ip': {
      const [d, ip] = pair();
      const dom = patternFor('domain', d);
      const addr = normalizeIp(ip);
      return {
        pattern: `[domain-name:value = ${quote(dom.value)} AND domain-name:resolves_to_refs[*].value = ${quote(addr.value)}]`,
        name: `${dom.value}|${addr.value}`,
      };
    }
    case 'filename':
      if (value === '') throw new ValueError('the file name is empty');
      return { pattern: `[file:name = ${quote(value)}]`, name: value };
    case 'mutex':
      if (value === '') throw new ValueError('the mutex name is empty');
      return { pattern: `[mutex:name = ${quote(value)}]`, name: value };
    case 'regkey':
      if (value === '') throw new ValueError('the registry key is empty');
      return { pattern: `[windows-registry-key:key = ${quote(value)}]`, name: value };
    case 'AS': {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(value);
      if (!m || Number(m[1]) > 4294967295)
        throw new ValueError(`${JSON.stringify(value)} is not an AS number`);
      return { pattern: `[autonomous-system:number = ${Number(m[1])}]`, name: `AS${Number(m[1])}` };
    }
    default:
      throw new ValueError(`MISP attribute type ${JSON.stringify(type)} has no STIX pattern in Tessera`);
  }
}

/** An attribute's MISP uuid; without one (MISP always gives one), an id of its event and pattern. */
function indicatorId(uuid: unknown, feed: string, evUuid: string, pattern: string): string {
  if (typeof uuid === 'string' && UUID.test(uuid)) return `indicator--${uuid.toLowerCase()}`;
  return `indicator--${stableUuid(`${feed}\n${evUuid}\n${pattern}`)}`;
}

/** Converts one event file. Throws MispFormatError when the text is not a MISP event. */
export function convertMispEvent(text: string, stamp: FeedStamp): Conversion {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new MispFormatError('the event file is not JSON (it may be cut short)');
  }
  const ev = (data as Json | null)?.Event as Json | undefined;
  if (typeof ev !== 'object' || ev === null)
    throw new MispFormatError('the event file has no "Event" object');
  if (typeof ev.uuid !== 'string' || !UUID.test(ev.uuid))
    throw new MispFormatError('the event has no valid uuid');
  const evUuid = ev.uuid;
  const evTs = parseSourceTime(String(ev.timestamp));
  if (!evTs) throw new MispFormatError(`event ${evUuid} has no Unix timestamp`);
  const evTags = splitTags(tagNames(ev));
  const evTlp = evTags.tlp ?? stamp.tlp;
  const info = typeof ev.info === 'string' ? ev.info : '';

  const attrs: { a: Json; object?: string }[] = [];
  for (const a of objectsIn(ev.Attribute)) attrs.push({ a });
  for (const obj of objectsIn(ev.Object)) {
    if (truthy(obj.deleted)) continue;
    for (const a of objectsIn(obj.Attribute))
      attrs.push({ a, object: typeof obj.name === 'string' ? obj.name : 'object' });
  }

  const objects: StixObject[] = [];
  const rejected: Rejection[] = [];
  let skipped = 0;
  for (const { a, object } of attrs) {
    const where = `event ${evUuid}, attribute ${typeof a.uuid === 'string' ? a.uuid : '(no uuid)'}`;
    if (!truthy(a.to_ids) || truthy(a.deleted)) {
      skipped++;
      continue;
    }
    const type = typeof a.type === 'string' ? a.type : '';
    const value = typeof a.value === 'string' ? a.value : '';
    const ts = parseSourceTime(String(a.timestamp)) ?? evTs;
    const firstSeen = typeof a.first_seen === 'string' ? parseSourceTime(a.first_seen) : undefined;
    let p: { pattern: string; name: string };
    try {
      p = mispPattern(type, value);
    } catch (e) {
      // Stryker disable next-line ConditionalExpression: mispPattern throws nothing but ValueError; anything else would be a bug to surface
      if (!(e instanceof ValueError)) throw e;
      rejected.push({ where, reason: e.message });
      continue;
    }
    const tags = splitTags(tagNames(a));
    const category = typeof a.category === 'string' ? a.category : '';
    const comment = typeof a.comment === 'string' ? a.comment.trim() : '';
    const desc = [`MISP event "${info}"`, category, object && `object ${object}`, comment].filter(Boolean);
    // Stryker disable next-line EqualityOperator: first_seen equal to the timestamp gives the same valid_from either way
    const validFrom = firstSeen && firstSeen <= ts ? firstSeen : ts;
    objects.push(
      buildIndicator(stamp, {
        id: indicatorId(a.uuid, stamp.feed, evUuid.toLowerCase(), p.pattern),
        pattern: p.pattern,
        name: p.name,
        created: ts,
        validFrom,
        description: desc.join(' — '),
        labels: [...evTags.labels, ...tags.labels],
        tlp: tags.tlp ?? evTlp,
      }),
    );
  }
  if (objects.length > 0) {
    const date = parseSourceTime(typeof ev.date === 'string' ? ev.date : undefined);
    // Stryker disable next-line EqualityOperator: a date equal to the timestamp gives the same created either way
    const created = date && date < evTs ? date : evTs;
    const published = parseSourceTime(String(ev.publish_timestamp)) ?? evTs;
    const orgc = (ev.Orgc as Json | undefined)?.name;
    const report: StixObject = {
      type: 'report',
      spec_version: '2.1',
      id: `report--${evUuid.toLowerCase()}`,
      created_by_ref: stamp.identityId,
      created,
      modified: evTs,
      name: info || `MISP event ${evUuid}`,
      description: `MISP event${typeof orgc === 'string' ? ` published by ${orgc}` : ''}`,
      report_types: ['threat-report'],
      published,
      object_refs: objects.map((o) => o.id),
      object_marking_refs: [tlpMarkingId(evTlp)],
    };
    const labels = [...new Set([...stamp.labels, ...evTags.labels])];
    if (labels.length > 0) report.labels = labels;
    if (stamp.confidence !== undefined) report.confidence = stamp.confidence;
    objects.push(report);
  }
  return { read: attrs.length, objects, rejected, skipped, complete: true };
}
