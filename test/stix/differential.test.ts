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
import { CORPUS } from './helpers';
import { buildCases } from './mutants';

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
    const cases = buildCases(PER_MUTATION);
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
