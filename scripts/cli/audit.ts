/** `tessera audit`: the audit trail (audit), newest records last. */
import { BadRequestError } from '../../server/errors';
import type { AuditRecord } from '../../server/store/contract';
import { formatTaxiiTimestamp, parseOperatorInstant } from '../../server/time';
import { out, type Handlers } from './command';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 1_000_000;

function presentAudit(r: AuditRecord): Record<string, unknown> {
  return {
    time: formatTaxiiTimestamp(r.at),
    kind: r.kind,
    member: r.member,
    address: r.address,
    endpoint: r.endpoint,
    api_root: r.apiRoot,
    collection: r.collection,
    count: r.count,
    status: r.status,
    detail: r.detail,
  };
}

function auditLine(r: AuditRecord): string {
  return [
    formatTaxiiTimestamp(r.at),
    r.kind,
    r.member ?? '-',
    r.address ?? '-',
    r.endpoint,
    r.collection ? `${r.apiRoot ?? '?'}/${r.collection}` : '-',
    r.count === null ? '-' : String(r.count),
    String(r.status),
    r.detail ?? '',
  ].join('\t');
}

export const auditCommands: Handlers<'audit'> = {
  audit: async ({ options, json, stores: { audit } }) => {
    const since = parseOperatorInstant(options.since ?? '24h', 'ago');
    if (since === null) {
      throw new BadRequestError(
        `--since: ${JSON.stringify(options.since)} is not an RFC 3339 timestamp, a date (2026-01-31) or a span (24h, 7d)`,
      );
    }
    let limit = DEFAULT_LIMIT;
    if (options.limit !== undefined) {
      if (!/^\d+$/.test(options.limit) || Number(options.limit) < 1 || Number(options.limit) > MAX_LIMIT) {
        throw new BadRequestError(`--limit must be an integer between 1 and ${MAX_LIMIT}`);
      }
      limit = Number(options.limit);
    }
    const args: Parameters<typeof audit.queryAudit>[0] = { since, limit: limit + 1 };
    if (options.member !== undefined) args.member = options.member;
    if (options.collection !== undefined) args.collection = options.collection;
    const found = await audit.queryAudit(args);
    const more = found.length > limit;
    const records = found.slice(0, limit);
    const header = `audit records since ${formatTaxiiTimestamp(since)}${more ? ` (the first ${limit}; more follow: use a later --since or a larger --limit)` : ''}`;
    await out(
      json,
      { since: formatTaxiiTimestamp(since), more, records: records.map(presentAudit) },
      records.length === 0
        ? `no ${header}`
        : [
            `${header}:`,
            'time\tkind\tmember\taddress\tendpoint\tcollection\tcount\tstatus\tdetail',
            ...records.map(auditLine),
          ].join('\n'),
    );
    return 0;
  },
};
