/**
 * ThreatFox CSV export: a `#` banner and the header as a comment
 * (`# "first_seen_utc","ioc_id","ioc_value","ioc_type",...`), every field quoted and separated by
 * `", "`, `None` for an empty field. The column set has changed over time (is_compromised was
 * added), so columns are read by header name only. IOC types: `ip:port` (a network-traffic
 * pattern on the destination address and port), `domain`, `url`, `md5_hash`, `sha1_hash`,
 * `sha256_hash`; the confidence level becomes the indicator's confidence.
 */
import {
  convertEntries,
  rejectLine,
  type Conversion,
  type Entry,
  type ExternalReference,
  type FeedStamp,
  type ValueType,
} from './stix';
import { confidenceField, readTable, requiredField, splitTags, timeField } from './table';

const TYPES: Record<string, ValueType> = {
  'ip:port': 'ip:port',
  domain: 'domain',
  url: 'url',
  md5_hash: 'md5',
  sha1_hash: 'sha1',
  sha256_hash: 'sha256',
};

export function convertThreatfox(text: string, stamp: FeedStamp): Conversion {
  const table = readTable(text, { required: ['ioc_value', 'ioc_type'], empty: ['None'] });
  const read = table.rows.length + table.rejected.length;
  const rejected = table.rejected;
  const entries: Entry[] = [];
  for (const row of table.rows) {
    const value = requiredField(row, 'ioc_value', rejected);
    if (value === null) continue;
    const kind = row.get('ioc_type');
    const type = TYPES[kind.toLowerCase()];
    if (!type) {
      rejectLine(rejected, row.line, `ioc_type ${JSON.stringify(kind)} is not one Tessera converts`);
      continue;
    }
    const firstSeen = timeField(row, 'first_seen_utc', rejected);
    if (firstSeen === null) continue;
    const confidence = confidenceField(row, 'confidence_level', rejected);
    if (confidence === null) continue;
    const malware = row.get('malware_printable');
    const threat = row.get('threat_type');
    const id = row.get('ioc_id');
    const reference = row.get('reference');
    const refs: ExternalReference[] = [];
    if (id)
      refs.push({ source_name: 'threatfox', external_id: id, url: `https://threatfox.abuse.ch/ioc/${id}/` });
    if (/^https?:\/\//i.test(reference)) refs.push({ source_name: 'reference', url: reference });
    const compromised = /^(true|1)$/i.test(row.get('is_compromised'));
    const words = [threat, malware && `malware ${malware}`, compromised && 'compromised legitimate resource'];
    entries.push({
      line: row.line,
      type,
      value,
      firstSeen,
      labels: [...(malware ? [malware] : []), ...splitTags(row.get('tags'))],
      confidence,
      description: `ThreatFox: ${words.filter(Boolean).join(', ')}`,
      indicatorTypes: compromised ? ['malicious-activity', 'compromised'] : undefined,
      externalReferences: refs.length > 0 ? refs : undefined,
    });
  }
  const objects = convertEntries(stamp, entries, rejected);
  return { read, objects, rejected, skipped: 0, complete: true };
}
