/**
 * Pull a plain list of indicators of compromise (one per line: IPv4/IPv6 address or CIDR, domain
 * name, URL, MD5/SHA-1/SHA-256 hash; `#` comments) and turn each into a STIX 2.1 indicator.
 * Ids are UUIDv5 of the feed name and value, and `created`/`modified` are the feed's first run,
 * so re-reading an unchanged list adds nothing.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { expectOk, type FeedAdapter } from '../adapter';

const BATCH = 500;
/** UUIDv5 namespace for Tessera IOC-list indicators (a random UUID fixed here). */
const NAMESPACE = '2f8e3b1c-6d4a-4c1e-9b7a-5e0d8c3f1a26';

export function uuidv5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** The STIX pattern for one IOC line, or null when the line is not a recognised IOC. */
export function patternFor(value: string): string | null {
  const [addr, prefix] = value.split('/');
  if (addr && isIP(addr) === 4 && (prefix === undefined || /^\d{1,2}$/.test(prefix))) {
    return `[ipv4-addr:value = ${quote(value)}]`;
  }
  if (addr && isIP(addr) === 6 && (prefix === undefined || /^\d{1,3}$/.test(prefix))) {
    return `[ipv6-addr:value = ${quote(value)}]`;
  }
  if (/^https?:\/\//i.test(value)) return `[url:value = ${quote(value)}]`;
  if (/^[a-f0-9]{32}$/i.test(value)) return `[file:hashes.MD5 = ${quote(value.toLowerCase())}]`;
  if (/^[a-f0-9]{40}$/i.test(value)) return `[file:hashes.'SHA-1' = ${quote(value.toLowerCase())}]`;
  if (/^[a-f0-9]{64}$/i.test(value)) return `[file:hashes.'SHA-256' = ${quote(value.toLowerCase())}]`;
  if (DOMAIN.test(value)) return `[domain-name:value = ${quote(value.toLowerCase())}]`;
  return null;
}

export const iocList: FeedAdapter = async (ctx) => {
  const res = await ctx.fetch(ctx.def.url, { headers: { Accept: 'text/plain, */*;q=0.5' } });
  await expectOk(res, `GET ${ctx.def.url}`);
  const text = await res.text();
  const epoch = typeof ctx.checkpoint.epoch === 'string' ? ctx.checkpoint.epoch : new Date().toISOString();
  let batch: unknown[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const pattern = patternFor(line);
    if (pattern === null) continue;
    batch.push({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuidv5(`${ctx.def.name}\n${line}`)}`,
      created: epoch,
      modified: epoch,
      name: line,
      description: `Listed by feed ${ctx.def.name}`,
      indicator_types: ['malicious-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: epoch,
    });
    if (batch.length >= BATCH) {
      await ctx.deliver(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await ctx.deliver(batch);
  await ctx.saveCheckpoint({ epoch });
};
