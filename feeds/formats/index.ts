/**
 * The converting feed kinds: each turns the fetched text into STIX indicators (and, for MISP, a
 * report per event) plus the entries it rejected with their line and reason. Pure functions: no
 * I/O, so the same code serves the runner, the tests and the benchmark.
 */
import { convertCsv, type CsvMapping } from './csv';
import { convertFeodo } from './feodo';
import { convertIocList } from './ioc-list';
import { convertSpamhaus } from './spamhaus';
import type { Conversion, FeedStamp, ValueType } from './stix';
import { convertThreatfox } from './threatfox';
import { convertUrlhaus } from './urlhaus';

/** The kinds whose URL is one text document converted as a whole. */
export type TextKind = 'ioc-list' | 'csv' | 'urlhaus-csv' | 'feodo-csv' | 'threatfox-csv' | 'spamhaus-drop';
export const TEXT_KINDS: readonly TextKind[] = [
  'ioc-list',
  'csv',
  'urlhaus-csv',
  'feodo-csv',
  'threatfox-csv',
  'spamhaus-drop',
];

export interface TextOptions {
  /** ioc-list: the type of every line (default auto). */
  valueType?: ValueType;
  /** csv: the column mapping. */
  csv?: CsvMapping;
}

export function convertText(
  kind: TextKind,
  text: string,
  stamp: FeedStamp,
  opts: TextOptions = {},
): Conversion {
  switch (kind) {
    case 'ioc-list':
      return convertIocList(text, stamp, opts.valueType);
    case 'csv':
      if (!opts.csv) throw new Error('a csv feed needs its column mapping');
      return convertCsv(text, stamp, opts.csv);
    case 'urlhaus-csv':
      return convertUrlhaus(text, stamp);
    case 'feodo-csv':
      return convertFeodo(text, stamp);
    case 'threatfox-csv':
      return convertThreatfox(text, stamp);
    case 'spamhaus-drop':
      return convertSpamhaus(text, stamp);
  }
}

export { convertMispEvent, parseManifest, MispFormatError, type ManifestEvent } from './misp';
export { TableError } from './table';
export * from './stix';
export type { CsvMapping } from './csv';
