/**
 * Realistic STIX 2.1 indicators for the benchmark, generated on demand: a stream of TAXII envelopes
 * (serialised JSON text), so that a 1M-object load never holds more than one envelope per poster.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** The STIX 2.1 TLP:GREEN marking definition (a predefined object; not sent). */
const TLP_GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';
const PRODUCER = 'identity--b3d5c2a4-6f1e-4c8a-9d2b-7a1e5f3c9b80';
const BASE_MS = Date.UTC(2025, 0, 1);
const TLDS = ['com', 'net', 'org', 'info', 'biz', 'ru', 'top'];
const WORDS = ['update', 'cdn', 'mail', 'secure', 'login', 'static', 'api', 'files', 'sync', 'portal'];

function word(n: number): string {
  return WORDS[n % WORDS.length] as string;
}

function pattern(i: number): { pattern: string; name: string; types: string[] } {
  const a = (i >>> 16) & 255;
  const b = (i >>> 8) & 255;
  const c = i & 255;
  switch (i % 5) {
    case 0:
      return {
        pattern: `[ipv4-addr:value = '198.${(a % 64) + 18}.${b}.${c}']`,
        name: `C2 server 198.${(a % 64) + 18}.${b}.${c}`,
        types: ['malicious-activity'],
      };
    case 1: {
      const d = `${word(i)}-${i.toString(36)}.${word(i >>> 3)}.${TLDS[i % TLDS.length] as string}`;
      return {
        pattern: `[domain-name:value = '${d}']`,
        name: `Phishing domain ${d}`,
        types: ['malicious-activity'],
      };
    }
    case 2: {
      const h = randomBytes(32).toString('hex');
      return {
        pattern: `[file:hashes.'SHA-256' = '${h}']`,
        name: `Dropper sample ${h.slice(0, 12)}`,
        types: ['malicious-activity', 'attribution'],
      };
    }
    case 3: {
      const u = `https://${word(i)}${i % 97}.example.${TLDS[i % TLDS.length] as string}/${word(i >>> 2)}/${i.toString(16)}.php`;
      return { pattern: `[url:value = '${u}']`, name: `Malicious URL ${i}`, types: ['compromised'] };
    }
    default: {
      const ip = `203.0.${b}.${c}`;
      return {
        pattern: `[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '${ip}' AND network-traffic:dst_port = ${1024 + (i % 60000)}]`,
        name: `Beacon to ${ip}`,
        types: ['anomalous-activity'],
      };
    }
  }
}

/** One indicator, number `i` of the run (i only shapes the content; the id is random). */
export function indicator(i: number): Record<string, unknown> {
  const ts = new Date(BASE_MS + i * 7).toISOString();
  const p = pattern(i);
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created_by_ref: PRODUCER,
    created: ts,
    modified: ts,
    name: p.name,
    description: `Observed in campaign ${i % 211}; shared by the benchmark producer.`,
    indicator_types: p.types,
    pattern: p.pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: ts,
    confidence: 60 + (i % 40),
    labels: [`campaign-${i % 211}`],
    object_marking_refs: [TLP_GREEN],
  };
}

/** Yields TAXII envelopes of `size` indicators (the last may be shorter) until `total` are produced. */
export function* envelopes(total: number, size: number): Generator<{ body: Buffer; count: number }> {
  for (let start = 0; start < total; start += size) {
    const count = Math.min(size, total - start);
    const objs = new Array<Record<string, unknown>>(count);
    for (let k = 0; k < count; k++) objs[k] = indicator(start + k);
    yield { body: Buffer.from(JSON.stringify({ objects: objs })), count };
  }
}
