/**
 * Differential test against the OASIS Python stix2-validator (MUST level): the shared corpus plus mutants,
 * each breaking one MUST rule. Remaining disagreements are listed, with reasons, in
 * test/fixtures/stix/differential-exceptions.json.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateStixObject } from '../../server/stix/validate';
import { corpusFiles, CORPUS } from './helpers';

type Obj = Record<string, unknown>;

interface Exceptions {
  mutations: Record<string, { ours: 'valid' | 'invalid'; theirs: 'valid' | 'invalid'; reason: string }>;
  objects: Record<string, { ours: 'valid' | 'invalid'; theirs: 'valid' | 'invalid'; reason: string }>;
}

const ROOT = path.resolve(__dirname, '../..');
const PYTHON = path.resolve(ROOT, process.env.TESSERA_PYTHON ?? '.venv/bin/python');
const DRIVER = path.join(ROOT, 'scripts/stix-differential.py');
const EXCEPTIONS = JSON.parse(
  readFileSync(path.join(ROOT, 'test/fixtures/stix/differential-exceptions.json'), 'utf8'),
) as Exceptions;
const PER_MUTATION = 25;

interface Case {
  label: string;
  mutation: string | null;
  obj: Obj;
}

const clone = (o: Obj): Obj => structuredClone(o);

/** Each mutation breaks one MUST rule, or returns undefined when it does not apply to the object. */
const MUTATIONS: Record<string, (o: Obj) => Obj | undefined> = {
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

function buildCases(): Case[] {
  const cases: Case[] = [];
  const seen = new Set<string>();
  const originals: Obj[] = [];
  for (const f of corpusFiles()) {
    for (const o of (JSON.parse(readFileSync(f, 'utf8')) as { objects: Obj[] }).objects) {
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
    for (let round = 0; n < PER_MUTATION && round < 50; round++) {
      let any = false;
      for (const list of byType.values()) {
        const o = list[round];
        if (!o || n >= PER_MUTATION) continue;
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

function pythonMissingReason(): string | undefined {
  if (!existsSync(PYTHON))
    return `no Python at ${PYTHON} (set TESSERA_PYTHON or create .venv with stix2-validator)`;
  const r = spawnSync(PYTHON, ['-c', 'import stix2validator'], { encoding: 'utf8' });
  if (r.status !== 0)
    return `stix2-validator is not installed for ${PYTHON}: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return undefined;
}

describe('STIX validation: differential test against the OASIS stix2-validator', function () {
  this.timeout(600000);
  it('agrees at the MUST level on the corpus and its mutants', function () {
    const missing = pythonMissingReason();
    if (missing) {
      if (process.env.CI === 'true') assert.fail(`differential test cannot run in CI: ${missing}`);
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const cases = buildCases();
    if (cases.length === 0) {
      if (process.env.CI === 'true') assert.fail(`differential test needs the corpus at ${CORPUS}`);
      console.log(`      skipped: no STIX corpus at ${CORPUS}`);
      this.skip();
    }
    const r = spawnSync(PYTHON, [DRIVER], {
      input: JSON.stringify(cases.map((c) => c.obj)),
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as { ok: boolean; errors: string[] }[];
    assert.equal(theirs.length, cases.length);
    let agree = 0;
    let excused = 0;
    const unexplained: string[] = [];
    const usedExceptions = new Set<string>();
    const mutantsCaught = { ours: 0, total: 0 };
    cases.forEach((c, i) => {
      const ours = validateStixObject(c.obj);
      const their = theirs[i] as { ok: boolean; errors: string[] };
      if (c.mutation) {
        mutantsCaught.total++;
        if (!ours.ok) mutantsCaught.ours++;
        else if (process.env.STIX_DIFF_VERBOSE) console.log(`      mutant not caught: ${c.label}`);
      }
      if (ours.ok === their.ok) {
        agree++;
        return;
      }
      const key = c.mutation ?? String(c.obj.id);
      const exc = c.mutation ? EXCEPTIONS.mutations[c.mutation] : EXCEPTIONS.objects[String(c.obj.id)];
      const oursS = ours.ok ? 'valid' : 'invalid';
      const theirS = their.ok ? 'valid' : 'invalid';
      if (exc && exc.ours === oursS && exc.theirs === theirS) {
        excused++;
        usedExceptions.add(key);
        return;
      }
      unexplained.push(
        `${c.label}: ours ${oursS} (${ours.errors.map((e) => e.rule).join(', ')}), theirs ${theirS} (${their.errors.join(' | ').slice(0, 300)})`,
      );
    });
    const pct = ((agree / cases.length) * 100).toFixed(2);
    console.log(
      `      differential: ${cases.length} objects (${mutantsCaught.total} mutants); agreement ${agree}/${cases.length} = ${pct}%;` +
        ` ${excused} disagreements explained by ${usedExceptions.size} fixture entries; mutants caught by us ${mutantsCaught.ours}/${mutantsCaught.total}`,
    );
    assert.deepEqual(unexplained.slice(0, 40), [], `${unexplained.length} unexplained disagreements`);
  });
});
