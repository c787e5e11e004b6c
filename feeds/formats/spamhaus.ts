/**
 * Spamhaus DROP / EDROP, in either layout:
 * - the legacy text (`drop.txt`, `edrop.txt`, `dropv6.txt`): `;` comment lines, then one
 *   `CIDR ; SBL-id` per line;
 * - JSON lines (`drop_v4.json`, `drop_v6.json`): one `{"cidr":…,"sblid":…,"rir":…}` per line and a
 *   closing `{"type":"metadata",…,"records":N}` line. A copy without that line, or with another
 *   number of records, is incomplete: its valid entries are kept, nothing is expired on its
 *   strength, and the run reports why.
 * Each network becomes an `ipv4-addr`/`ipv6-addr` indicator carrying its SBL id.
 */
import {
  convertEntries,
  rejectLine,
  type Conversion,
  type Entry,
  type FeedStamp,
  type Rejection,
} from './stix';

function entry(line: number, cidr: string, sblid: string, rir?: string): Entry {
  return {
    line,
    type: 'ip',
    value: cidr,
    description: `Spamhaus DROP${sblid ? `: ${sblid}` : ''}${rir ? ` (${rir})` : ''}`,
    ...(sblid ? { externalReferences: [{ source_name: 'spamhaus', external_id: sblid }] } : {}),
  };
}

export function convertSpamhaus(text: string, stamp: FeedStamp): Conversion {
  const lines = text.split('\n');
  const firstData = lines.find((l) => l.trim() !== '' && !l.trim().startsWith(';'));
  const json = firstData?.trim().startsWith('{') ?? false;
  const rejected: Rejection[] = [];
  const entries: Entry[] = [];
  let read = 0;
  let metadata: Record<string, unknown> | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '' || s.startsWith(';')) return;
    if (json) {
      let o: unknown;
      try {
        o = JSON.parse(s);
      } catch {
        read++;
        rejectLine(rejected, line, 'the line is not a JSON object (the file may be cut short)');
        return;
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        read++;
        rejectLine(rejected, line, 'the line is not a JSON object');
        return;
      }
      const rec = o as Record<string, unknown>;
      if (rec.type === 'metadata') {
        metadata = rec;
        return;
      }
      read++;
      if (typeof rec.cidr !== 'string') {
        rejectLine(rejected, line, 'the record has no "cidr"');
        return;
      }
      entries.push(
        entry(
          line,
          rec.cidr,
          typeof rec.sblid === 'string' ? rec.sblid : '',
          typeof rec.rir === 'string' ? rec.rir : undefined,
        ),
      );
      return;
    }
    read++;
    const [cidr, comment] = s.split(';', 2) as [string, string | undefined];
    entries.push(entry(line, cidr, comment?.trim() ?? '')); // values are trimmed when converted
  });
  const objects = convertEntries(stamp, entries, rejected);
  let complete = true;
  let incompleteReason: string | undefined;
  if (json) {
    const announced = metadata?.records;
    if (!metadata) {
      complete = false;
      incompleteReason = 'the JSON-lines file has no metadata line (it may be cut short)';
    } else if (typeof announced === 'number' && announced !== read) {
      complete = false;
      incompleteReason = `the metadata line announces ${announced} records but the file holds ${read}`;
    }
  }
  return { read, objects, rejected, skipped: 0, complete, ...(incompleteReason ? { incompleteReason } : {}) };
}
