/**
 * A CSV reader for feed files (RFC 4180 plus what the abuse.ch dumps do): quoted fields with `""`
 * escapes and embedded delimiters or line breaks, blanks before an opening quote (ThreatFox writes
 * `"a", "b"`), `#` comment lines kept apart (the abuse.ch headers live in them), CRLF or LF.
 *
 * Written here rather than taken from csv-parse because feeds need, for every bad record, one
 * rejection carrying the line where the record starts; csv-parse reports the line where it gave up
 * and may report one broken record twice.
 */

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  reason: string;
}

export interface CsvComment {
  line: number;
  /** The line after the comment character, trimmed. */
  text: string;
}

export interface CsvRead {
  records: CsvRecord[];
  problems: CsvProblem[];
  comments: CsvComment[];
}

export interface CsvOptions {
  delimiter?: string;
  /** Lines starting with this (after blanks) are comments; '' for none. Default '#'. */
  comment?: string;
}

export function readCsv(text: string, opts: CsvOptions = {}): CsvRead {
  const delim = opts.delimiter ?? ',';
  const comment = opts.comment ?? '#';
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const comments: CsvComment[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;

  /** The index of the LF that ends the line holding `from`, or the text's length. */
  const lineEnd = (from: number): number => {
    const lf = text.indexOf('\n', from);
    return lf === -1 ? n : lf;
  };
  /** Skip to just after the end of the current line (to the text's end on its last line). */
  const skipLine = (): void => {
    i = Math.min(lineEnd(i) + 1, n);
    line++;
  };

  while (i < n) {
    // Start of a line: blank line or comment?
    let j = i;
    // Past the end text[j] is undefined, which is no blank: the loop needs no bound.
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (j >= n || text[j] === '\n' || (text[j] === '\r' && text[j + 1] === '\n')) {
      i = j;
      skipLine();
      continue;
    }
    if (comment !== '' && text.startsWith(comment, j)) {
      const start = line;
      const from = j + comment.length;
      const end = lineEnd(from);
      comments.push({ line: start, text: text.slice(from, end).trim() });
      i = end;
      skipLine();
      continue;
    }

    const startLine = line;
    const fields: string[] = [];
    let problem: string | undefined;
    let endOfRecord = false;
    while (!endOfRecord) {
      // One field.
      let k = i;
      while ((text[k] === ' ' || text[k] === '\t') && text[k] !== delim) k++;
      if (text[k] === '"') {
        k++;
        let value = '';
        let closed = false;
        // Stryker disable next-line EqualityOperator: at the end the field is unclosed either way
        while (k < n) {
          const c = text[k] as string;
          if (c === '"') {
            if (text[k + 1] === '"') {
              value += '"';
              k += 2;
              continue;
            }
            closed = true;
            k++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          k++;
        }
        if (!closed) {
          problem = 'a quoted field is not closed (the file may be cut short)';
          i = n;
          break;
        }
        while ((text[k] === ' ' || text[k] === '\t') && text[k] !== delim) k++;
        if (k < n && text[k] !== delim && text[k] !== '\n' && !(text[k] === '\r' && text[k + 1] === '\n')) {
          problem = `unexpected ${JSON.stringify(text[k])} after a closing quote`;
          i = k;
          skipLine();
          break;
        }
        fields.push(value);
        i = k;
      } else {
        let end = i;
        // Past the end text[end] is undefined: the loop stops there.
        while (text[end] !== undefined && text[end] !== delim && text[end] !== '\n') end++;
        // A CR before the LF goes with the blanks trimmed below.
        const value = text.slice(i, end);
        if (value.includes('"')) {
          problem = 'a quote inside an unquoted field';
          i = end;
          skipLine();
          break;
        }
        fields.push(value.trim());
        i = end;
      }
      // Stryker disable next-line ConditionalExpression,EqualityOperator: at the end the line-end branch ends the record too
      if (i >= n) endOfRecord = true;
      else if (text[i] === delim) i++;
      else {
        // \r\n or \n
        if (text[i] === '\r') i++;
        i++;
        line++;
        endOfRecord = true;
      }
    }
    if (problem !== undefined) problems.push({ line: startLine, reason: problem });
    else records.push({ line: startLine, fields });
  }
  return { records, problems, comments };
}

/** Splits a CSV header line (e.g. from a comment) into its column names, lower-cased. */
export function headerColumns(text: string, delimiter = ','): string[] | undefined {
  // Stryker disable next-line StringLiteral: a header line (read out of a comment) is not itself commented out
  const r = readCsv(text, { delimiter, comment: '' });
  // One line holds one record or one problem.
  const rec = r.records[0];
  if (!rec) return undefined;
  return rec.fields.map((f) => f.trim().toLowerCase());
}
