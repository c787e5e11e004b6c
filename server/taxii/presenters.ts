/**
 * Presenters: stored records → TAXII resources on the wire. Lists are never empty (TAXII §2:
 * an empty list is omitted).
 */
import type { CollectionRights } from '../access/policy';
import type { CollectionRecord, StatusDetail, StatusRecord } from '../store/contract';
import { formatTaxiiTimestamp } from '../time';

export function presentCollection(c: CollectionRecord, rights: CollectionRights): Record<string, unknown> {
  // Absent (undefined) properties are left out when the resource is serialised.
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    alias: c.alias,
    can_read: rights.canRead,
    can_write: rights.canWrite,
    media_types: c.mediaTypes.length > 0 ? c.mediaTypes : undefined,
  };
}

function details(list: StatusDetail[]): Record<string, string>[] {
  return list.map((d) => {
    const o: Record<string, string> = { id: d.id, version: d.version };
    if (d.message) o.message = d.message;
    return o;
  });
}

export function presentStatus(s: StatusRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    status: s.status,
    request_timestamp: formatTaxiiTimestamp(s.requestTimestamp),
    total_count: s.totalCount,
    success_count: s.successCount,
    failure_count: s.failureCount,
    pending_count: s.pendingCount,
  };
  if (s.successes.length > 0) out.successes = details(s.successes);
  if (s.failures.length > 0) out.failures = details(s.failures);
  if (s.pendings.length > 0) out.pendings = details(s.pendings);
  // Lists left out to bound the status (TAXII makes them optional; the counts stay exact).
  const omitted: string[] = [];
  if (s.successCount > 0 && s.successes.length === 0) omitted.push('successes');
  if (s.failureCount > 0 && s.failures.length === 0) omitted.push('failures');
  if (s.pendingCount > 0 && s.pendings.length === 0) omitted.push('pendings');
  if (omitted.length > 0) out.x_tessera_omitted_lists = omitted;
  return out;
}
