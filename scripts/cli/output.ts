/**
 * Output helpers of the CLI: records presented without secrets, timestamps as TAXII timestamps,
 * and stdout writes that respect back-pressure.
 */
import type { ApiRootRecord, CollectionRecord, GroupRecord, MemberRecord } from '../../server/store/contract';
import { formatTaxiiTimestamp } from '../../server/time';

export function presentRoot(r: ApiRootRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name, title: r.title };
  if (r.description !== undefined) out.description = r.description;
  out.created = formatTaxiiTimestamp(r.createdAt);
  return out;
}

export function presentGroup(g: GroupRecord): Record<string, unknown> {
  return { name: g.name, members: g.members, created: formatTaxiiTimestamp(g.createdAt) };
}

/** A member without its secret hash (the hash is never printed). */
export function presentMember(m: MemberRecord): Record<string, unknown> {
  return {
    name: m.name,
    disabled: m.disabled,
    groups: m.groups,
    created: formatTaxiiTimestamp(m.createdAt),
  };
}

export function presentCollection(c: CollectionRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { id: c.id, api_root: c.apiRoot, title: c.title };
  if (c.description !== undefined) out.description = c.description;
  if (c.alias !== undefined) out.alias = c.alias;
  out.media_types = c.mediaTypes;
  out.grants = c.grants.map((g) => ({ group: g.group, read: g.read, write: g.write, max_tlp: g.maxTlp }));
  out.default_tlp = c.defaultTlp;
  out.created = formatTaxiiTimestamp(c.createdAt);
  return out;
}

export function grantsText(c: CollectionRecord): string {
  const read = c.grants.filter((g) => g.read).map((g) => `${g.group}(≤${g.maxTlp})`);
  const write = c.grants.filter((g) => g.write).map((g) => g.group);
  return `read: ${read.length ? read.join(',') : '-'}  write: ${write.length ? write.join(',') : '-'}  default TLP: ${c.defaultTlp}`;
}

export function collectionText(c: CollectionRecord): string {
  const lines = [`${c.id}  ${c.title}`];
  lines.push(`  api root:   ${c.apiRoot}`);
  if (c.alias !== undefined) lines.push(`  alias:      ${c.alias}`);
  if (c.description !== undefined) lines.push(`  description: ${c.description}`);
  lines.push(`  grants:     ${grantsText(c)}`);
  lines.push(`  URL path:   /${c.apiRoot}/collections/${c.id}/`);
  return lines.join('\n');
}

/** Write to stdout, resolving once the chunk is handed to the OS (back-pressure respected). */
export function writeStdout(chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}

export function printJson(value: unknown): Promise<void> {
  return writeStdout(`${JSON.stringify(value, null, 2)}\n`);
}
