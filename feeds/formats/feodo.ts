/**
 * abuse.ch Feodo Tracker botnet C2 IP blocklist (CSV): a `#` banner, then a quoted header line
 * `"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"` and quoted rows. The
 * list is an IP blocklist, so each row becomes an `ipv4-addr`/`ipv6-addr` indicator (the port and
 * C2 status go into the description), first seen at `first_seen_utc`, labelled with the malware.
 */
import { convertEntries, rejectLine, type Conversion, type Entry, type FeedStamp } from './stix';
import { readTable, requiredField, timeField } from './table';

/** The columns of a copy without its header line. */
const COLUMNS = [
  'first_seen_utc',
  'dst_ip',
  'dst_port',
  'c2_status',
  // Stryker disable next-line StringLiteral: last_online only holds its place; nothing reads it
  'last_online',
  'malware',
];

export function convertFeodo(text: string, stamp: FeedStamp): Conversion {
  const table = readTable(text, { required: ['dst_ip'], fallback: COLUMNS });
  const read = table.rows.length + table.rejected.length;
  const rejected = table.rejected;
  const entries: Entry[] = [];
  for (const row of table.rows) {
    // A row is rejected once, for its first problem.
    const ip = requiredField(row, 'dst_ip', rejected);
    if (ip === null) continue;
    const firstSeen = timeField(row, 'first_seen_utc', rejected);
    if (firstSeen === null) continue;
    const port = row.get('dst_port');
    if (port !== '' && !(/^\d{1,5}$/.test(port) && Number(port) <= 65535)) {
      rejectLine(rejected, row.line, `dst_port ${JSON.stringify(port)} is not a port number`);
      continue;
    }
    const malware = row.get('malware');
    const status = row.get('c2_status');
    const words = [malware && `${malware} botnet C2`, port && `port ${port}`, status && `status ${status}`];
    entries.push({
      line: row.line,
      type: 'ip',
      value: ip,
      firstSeen,
      labels: malware ? [malware] : [],
      description: `Feodo Tracker: ${words.filter(Boolean).join(', ')}`,
    });
  }
  const objects = convertEntries(stamp, entries, rejected);
  return { read, objects, rejected, skipped: 0, complete: true };
}
