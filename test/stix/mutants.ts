/**
 * The shared STIX corpus (oasis-examples, ATT&CK) and its mutants, each breaking one MUST rule:
 * the cases of the differential test against stix2-validator and of the one-verdict test that runs
 * them through every way into the hub.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { corpusFiles, type Obj } from './helpers';

export interface Case {
  label: string;
  mutation: string | null;
  obj: Obj;
}

const clone = (o: Obj): Obj => structuredClone(o);

/** Each mutation breaks one MUST rule, or returns undefined when it does not apply to the object. */
export const MUTATIONS: Record<string, (o: Obj) => Obj | undefined> = {
  'modified-before-created': (o) => {
    if (typeof o.created !== 'string' || typeof o.modified !== 'string') return undefined;
    const c = clone(o);
    c.modified = '1999' + o.created.slice(4);
    return c;
  },
  'missing-created': (o) => (o.created === undefined ? undefined : { ...o, created: undefined }),
  'missing-id': (o) => {
    const c = clone(o);
    delete c.id;
    return c;
  },
  'id-type-mismatch': (o) => {
    if (typeof o.id !== 'string' || o.type === 'relationship') return undefined;
    return { ...o, id: 'relationship--' + o.id.split('--')[1] };
  },
  'id-not-uuid': (o) => (typeof o.id === 'string' ? { ...o, id: `${String(o.type)}--1234` } : undefined),
  'timestamp-offset': (o) =>
    typeof o.modified === 'string' ? { ...o, modified: o.modified.replace(/Z$/, '+00:00') } : undefined,
  'timestamp-not-millis': (o) =>
    typeof o.modified === 'string' && o.modified.includes('.')
      ? {
          ...o,
          modified: o.modified.replace(/\.[0-9]+Z$/, 'Z'),
          created: String(o.created).replace(/\.[0-9]+Z$/, 'Z'),
        }
      : undefined,
  'timestamp-impossible-date': (o) =>
    typeof o.modified === 'string' ? { ...o, modified: '2021-02-30' + o.modified.slice(10) } : undefined,
  'confidence-out-of-range': (o) =>
    o.type === 'marking-definition' || o.created === undefined ? undefined : { ...o, confidence: 101 },
  'missing-required-name': (o) => {
    const needs = [
      'attack-pattern',
      'campaign',
      'course-of-action',
      'identity',
      'intrusion-set',
      'threat-actor',
      'tool',
      'vulnerability',
    ];
    if (!needs.includes(String(o.type))) return undefined;
    const c = clone(o);
    delete c.name;
    return c;
  },
  'valid-until-before-valid-from': (o) =>
    o.type === 'indicator' && typeof o.valid_from === 'string'
      ? { ...o, valid_until: '1990-01-01T00:00:00Z' }
      : undefined,
  'pattern-syntax': (o) =>
    o.type === 'indicator' && typeof o.pattern === 'string'
      ? { ...o, pattern: o.pattern.replace(/\]\s*$/, '') }
      : undefined,
  'relationship-stop-before-start': (o) =>
    o.type === 'relationship'
      ? { ...o, start_time: '2020-01-02T00:00:00.000Z', stop_time: '2020-01-01T00:00:00.000Z' }
      : undefined,
  'last-seen-before-first-seen': (o) =>
    ['campaign', 'intrusion-set', 'threat-actor', 'malware'].includes(String(o.type))
      ? { ...o, first_seen: '2020-01-02T00:00:00.000Z', last_seen: '2020-01-01T00:00:00.000Z' }
      : undefined,
  'invalid-property-name': (o) => ({ ...o, 'Bad-Property': 'x' }),
  'short-property-name': (o) => ({ ...o, xy: 'x' }),
  'empty-list': (o) => (o.created !== undefined ? { ...o, labels: [] } : undefined),
  'external-reference-md5': (o) =>
    Array.isArray(o.external_references) && o.external_references.length > 0
      ? {
          ...o,
          external_references: [{ source_name: 'x', url: 'https://example.com', hashes: { MD5: 'abc' } }],
        }
      : undefined,
  'number-observed-zero': (o) => (o.type === 'observed-data' ? { ...o, number_observed: 0 } : undefined),
  'malware-family-without-name': (o) => {
    if (o.type !== 'malware') return undefined;
    const c = clone(o);
    c.is_family = true;
    delete c.name;
    return c;
  },
  'spec-version-missing': (o) => {
    if (o.spec_version === undefined || o.created === undefined) return undefined; // optional on SCOs
    const c = clone(o);
    delete c.spec_version;
    return c;
  },
  'tlp1-altered': (o) =>
    o.type === 'marking-definition' && o.definition_type === 'tlp'
      ? { ...o, definition: { tlp: 'purple' } }
      : undefined,
};

function stripUndefined(o: Obj): Obj {
  return JSON.parse(JSON.stringify(o)) as Obj;
}

export function buildCases(perMutation: number, maxPerFile = Infinity): Case[] {
  const cases: Case[] = [];
  const seen = new Set<string>();
  const originals: Obj[] = [];
  for (const f of corpusFiles()) {
    const objects = (JSON.parse(readFileSync(f, 'utf8')) as { objects: Obj[] }).objects;
    for (const o of objects.slice(0, maxPerFile)) {
      const key = `${String(o.id)}@${String(o.modified ?? o.created)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      originals.push(o);
      cases.push({ label: `${path.basename(f)}:${String(o.id)}`, mutation: null, obj: o });
    }
  }
  // spread mutants over object types: round-robin by type
  const byType = new Map<string, Obj[]>();
  for (const o of originals) {
    const t = String(o.type);
    if (!byType.has(t)) byType.set(t, []);
    byType.get(t)?.push(o);
  }
  for (const [name, mutate] of Object.entries(MUTATIONS)) {
    let n = 0;
    for (let round = 0; n < perMutation && round < 50; round++) {
      let any = false;
      for (const list of byType.values()) {
        const o = list[round];
        if (!o || n >= perMutation) continue;
        any = true;
        const m = mutate(o);
        if (!m) continue;
        cases.push({ label: `${name}:${String(o.id)}`, mutation: name, obj: stripUndefined(m) });
        n++;
      }
      if (!any) break;
    }
  }
  return cases;
}
