/**
 * Columns by name for the CSV formats: the header is found where the source puts it (a data line,
 * or a `#` comment line as in the abuse.ch dumps), so formats whose column set changes over time
 * (ThreatFox) are read by name, never by position.
 */
import { headerColumns, readCsv, type CsvOptions, type CsvRecord } from './csv-reader';
import { parseSourceTime, type Rejection } from './stix';

export interface Row {
  line: number;
  /** The value of a column ('' when the column is absent or the field empty). */
  get(column: string): string;
  has(column: string): boolean;
}

export interface Table {
  columns: string[];
  rows: Row[];
  rejected: Rejection[];
}

export interface TableOptions extends CsvOptions {
  /** Column names (lower-case) that identify the header line. */
  required: string[];
  /** Columns to assume when no header is found (undefined: no header is a rejection of the file). */
  fallback?: string[];
  /** Whether the file has no header line: every line is data and columns are named `1`, `2`, … */
  noHeader?: boolean;
  /** Field values that mean "empty" (ThreatFox writes None). */
  empty?: string[];
}

export class TableError extends Error {}

function isHeader(cols: string[] | undefined, required: string[]): cols is string[] {
  return cols !== undefined && required.every((r) => cols.includes(r));
}

export function readTable(text: string, opts: TableOptions): Table {
  const read = readCsv(text, opts);
  const rejected: Rejection[] = read.problems.map((p) => ({
    line: p.line,
    where: `line ${p.line}`,
    reason: p.reason,
  }));
  let columns: string[] | undefined;
  let records: CsvRecord[] = read.records;
  if (opts.noHeader) {
    const widest = Math.max(0, ...read.records.map((r) => r.fields.length));
    columns = Array.from({ length: widest }, (_, i) => String(i + 1));
  } else {
    const first = read.records[0];
    const firstCols = first?.fields.map((f) => f.trim().toLowerCase());
    if (first && isHeader(firstCols, opts.required)) {
      columns = firstCols;
      records = read.records.slice(1);
    } else {
      // The last comment line before the first data line that names the required columns.
      const before = first?.line ?? Number.POSITIVE_INFINITY;
      for (const c of read.comments) {
        // Stryker disable next-line EqualityOperator: a comment line is never the first data line
        if (c.line > before) break;
        const cols = headerColumns(c.text, opts.delimiter);
        if (isHeader(cols, opts.required)) columns = cols;
      }
      columns ??= opts.fallback;
    }
  }
  if (!columns)
    throw new TableError(`no header line naming the columns ${opts.required.join(', ')} was found`);
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });
  const empty = new Set(opts.empty); // (none without opts.empty)
  const width = columns.length;
  const rows: Row[] = [];
  for (const r of records) {
    if (r.fields.length !== width && !opts.noHeader) {
      rejected.push({
        line: r.line,
        where: `line ${r.line}`,
        reason: `expected ${width} columns (${columns.join(', ')}), found ${r.fields.length}`,
      });
      continue;
    }
    const fields = r.fields;
    rows.push({
      line: r.line,
      get: (c) => {
        const i = index.get(c);
        // Stryker disable next-line ConditionalExpression: fields[undefined] would be undefined too
        const v = i === undefined ? '' : (fields[i] ?? '').trim();
        return empty.has(v) ? '' : v;
      },
      has: (c) => index.has(c),
    });
  }
  return { columns, rows, rejected };
}

/** Splits a tag field ("a,b, c") into tags. */
export function splitTags(field: string, separator = ','): string[] {
  return field
    .split(separator)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function reject(rejected: Rejection[], line: number, reason: string): null {
  rejected.push({ line, where: `line ${line}`, reason });
  return null;
}

/** A column that must hold a value: the value, or null once the rejection is recorded. */
export function requiredField(row: Row, column: string, rejected: Rejection[]): string | null {
  const v = row.get(column);
  return v === '' ? reject(rejected, row.line, `the ${column} field is empty`) : v;
}

/** A time column: undefined when empty, null once recorded as rejected when it is not a time. */
export function timeField(
  row: Row,
  column: string,
  rejected: Rejection[],
  label = column,
): string | undefined | null {
  const v = row.get(column);
  if (v === '') return undefined;
  return (
    parseSourceTime(v) ?? reject(rejected, row.line, `${label} ${JSON.stringify(v)} is not a date and time`)
  );
}

/** A confidence column (0-100): undefined when empty, null once recorded as rejected. */
export function confidenceField(
  row: Row,
  column: string,
  rejected: Rejection[],
  label = column,
): number | undefined | null {
  const v = row.get(column);
  if (v === '') return undefined;
  if (!/^\d{1,3}$/.test(v) || Number(v) > 100)
    return reject(rejected, row.line, `${label} ${JSON.stringify(v)} is not a number from 0 to 100`);
  return Number(v);
}
