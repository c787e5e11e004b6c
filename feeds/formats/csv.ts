/**
 * Any CSV with a column mapping from the feed definition: which column holds the value, which its
 * type (or one fixed type for every row, or `auto`), and optionally the first-seen time, tags and
 * confidence. Columns are named by the header line, or `1`, `2`, … when the file has none.
 */
import {
  convertEntries,
  rejectLine,
  valueTypeOf,
  type Conversion,
  type Entry,
  type FeedStamp,
  type ValueType,
} from './stix';
import { confidenceField, readTable, requiredField, splitTags, timeField } from './table';

export interface CsvMapping {
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Whether the first line names the columns (default true). */
  header?: boolean;
  /** Column holding the indicator value. */
  value: string;
  /** Column holding each row's type (ThreatFox, MISP, OTX or Tessera names). */
  typeColumn?: string;
  /** The type of every value when there is no type column (default `auto`). */
  type?: ValueType;
  firstSeen?: string;
  tags?: string;
  /** Separator of several tags in the tags column (default `,`; use `;` or `|` with `,` fields). */
  tagSeparator?: string;
  /** Column holding a confidence from 0 to 100. */
  confidence?: string;
  description?: string;
}

function lower(c: string | undefined): string | undefined {
  return c?.trim().toLowerCase();
}

export function convertCsv(text: string, stamp: FeedStamp, m: CsvMapping): Conversion {
  const header = m.header ?? true;
  const valueCol = lower(m.value) as string;
  const typeCol = lower(m.typeColumn);
  const seenCol = lower(m.firstSeen);
  const tagsCol = lower(m.tags);
  const confCol = lower(m.confidence);
  const descCol = lower(m.description);
  const named = [valueCol, typeCol, seenCol, tagsCol, confCol, descCol].filter((c): c is string => !!c);
  const table = readTable(text, {
    ...(m.delimiter ? { delimiter: m.delimiter } : {}),
    required: named,
    ...(header ? {} : { noHeader: true }),
  });
  const read = table.rows.length + table.rejected.length;
  const rejected = table.rejected;
  const entries: Entry[] = [];
  for (const row of table.rows) {
    const value = requiredField(row, valueCol, rejected);
    if (value === null) continue;
    let type: ValueType = m.type ?? 'auto';
    if (typeCol) {
      const name = row.get(typeCol);
      const t = valueTypeOf(name);
      if (!t) {
        rejectLine(rejected, row.line, `type ${JSON.stringify(name)} is not one Tessera converts`);
        continue;
      }
      type = t;
    }
    const firstSeen = seenCol ? timeField(row, seenCol, rejected, m.firstSeen) : undefined;
    const confidence =
      firstSeen === null || !confCol ? undefined : confidenceField(row, confCol, rejected, m.confidence);
    if (firstSeen === null || confidence === null) continue;
    const description = descCol ? row.get(descCol) : '';
    entries.push({
      line: row.line,
      type,
      value,
      firstSeen,
      labels: tagsCol ? splitTags(row.get(tagsCol), m.tagSeparator ?? ',') : undefined,
      confidence,
      ...(description ? { description } : {}),
    });
  }
  const objects = convertEntries(stamp, entries, rejected);
  return { read, objects, rejected, skipped: 0, complete: true };
}
