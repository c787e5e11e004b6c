/**
 * abuse.ch URLhaus database dump (CSV): a `#` banner, the header as a comment
 * (`# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter`), every field
 * quoted, the tags of an entry comma-separated inside one field. Each URL becomes a `url:value`
 * indicator first seen at `dateadded`, labelled with its threat and tags, referring to its
 * URLhaus page.
 */
import { convertEntries, type Conversion, type Entry, type FeedStamp } from './stix';
import { readTable, requiredField, splitTags, timeField } from './table';

/** The columns of a copy without its header comment. */
const COLUMNS = [
  'id',
  'dateadded',
  'url',
  'url_status',
  // Stryker disable next-line StringLiteral: last_online only holds its place; nothing reads it
  'last_online',
  'threat',
  'tags',
  'urlhaus_link',
  'reporter',
];

export function convertUrlhaus(text: string, stamp: FeedStamp): Conversion {
  const table = readTable(text, { required: ['url', 'dateadded'], fallback: COLUMNS });
  const read = table.rows.length + table.rejected.length;
  const rejected = table.rejected;
  const entries: Entry[] = [];
  for (const row of table.rows) {
    // A row is rejected once, for its first problem.
    const url = requiredField(row, 'url', rejected);
    if (url === null) continue;
    const firstSeen = timeField(row, 'dateadded', rejected);
    if (firstSeen === null) continue;
    const threat = row.get('threat');
    const status = row.get('url_status');
    const link = row.get('urlhaus_link');
    const id = row.get('id');
    const reporter = row.get('reporter');
    const words = [
      threat && `threat ${threat}`,
      status && `status ${status}`,
      reporter && `reported by ${reporter}`,
    ];
    entries.push({
      line: row.line,
      type: 'url',
      value: url,
      firstSeen,
      labels: [...(threat ? [threat] : []), ...splitTags(row.get('tags'))],
      description: `URLhaus: ${words.filter(Boolean).join(', ')}`,
      ...(link || id
        ? {
            externalReferences: [
              { source_name: 'urlhaus', ...(link ? { url: link } : {}), ...(id ? { external_id: id } : {}) },
            ],
          }
        : {}),
    });
  }
  const objects = convertEntries(stamp, entries, rejected);
  return { read, objects, rejected, skipped: 0, complete: true };
}
