import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validateStixObject, type ObjectVerdict, type ValidateOptions } from '../../server/stix/validate';

export type Obj = Record<string, unknown>;

export const IDENTITY_ID = 'identity--f431f809-377b-45e0-aa1c-6a4751cae5ff';
export const TLP_GREEN_1 = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';

export function indicator(extra: Obj = {}): Obj {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    created_by_ref: IDENTITY_ID,
    created: '2016-04-06T20:03:48.000Z',
    modified: '2016-04-06T20:03:48.000Z',
    name: 'Poison Ivy Malware',
    description: 'This file is part of Poison Ivy',
    indicator_types: ['malicious-activity'],
    pattern: "[file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877']",
    pattern_type: 'stix',
    valid_from: '2016-01-01T00:00:00Z',
    ...extra,
  };
}

export function sdo(type: string, extra: Obj = {}, uuid = '6b616fc1-1505-48e3-8b2c-0d19337bff38'): Obj {
  return {
    type,
    spec_version: '2.1',
    id: `${type}--${uuid}`,
    created: '2016-04-06T20:03:48.000Z',
    modified: '2016-04-06T20:03:48.000Z',
    ...extra,
  };
}

export function without(o: Obj, ...keys: string[]): Obj {
  const c = { ...o };
  for (const k of keys) delete c[k];
  return c;
}

export function expectOk(o: unknown, opts?: ValidateOptions): ObjectVerdict {
  const v = validateStixObject(o, opts);
  assert.equal(v.ok, true, `expected valid, got ${JSON.stringify(v.errors)}`);
  return v;
}

export function expectError(o: unknown, rule: string, path?: string, opts?: ValidateOptions): ObjectVerdict {
  const v = validateStixObject(o, opts);
  assert.equal(v.ok, false, `expected ${rule} error, object was valid`);
  const hit = v.errors.find((e) => e.rule === rule && (path === undefined || e.path === path));
  assert.ok(hit, `expected rule ${rule}${path ? ` at ${path}` : ''}, got ${JSON.stringify(v.errors)}`);
  return v;
}

/** A whole verdict, one line an issue: "E rule path: message" for errors, then "W …" for warnings. */
export function verdictLines(o: unknown, opts?: ValidateOptions): string[] {
  const v = validateStixObject(o, opts);
  assert.equal(v.ok, v.errors.length === 0);
  return [
    ...v.errors.map((e) => `E ${e.rule} ${e.path}: ${e.message}`),
    ...v.warnings.map((w) => `W ${w.rule} ${w.path}: ${w.message}`),
  ];
}

export function expectWarning(o: unknown, rule: string): ObjectVerdict {
  const v = validateStixObject(o);
  assert.equal(v.ok, true, `expected valid, got ${JSON.stringify(v.errors)}`);
  assert.ok(
    v.warnings.some((w) => w.rule === rule),
    `expected warning ${rule}, got ${JSON.stringify(v.warnings)}`,
  );
  return v;
}

/**
 * The shared STIX corpus beside the project (absent on a fresh machine); TESSERA_CORPUS overrides
 * it for runs from a copy of the project elsewhere (the mutation-testing sandbox).
 */
export const CORPUS = process.env.TESSERA_CORPUS || path.resolve(__dirname, '../../../shared/corpus');

export function corpusFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['oasis-examples', 'attack']) {
    const d = path.join(CORPUS, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith('.json')) out.push(path.join(d, f));
  }
  return out;
}
