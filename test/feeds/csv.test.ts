/**
 * The CSV layer under the feed formats (feeds/formats/csv-reader.ts, feeds/formats/table.ts):
 * records with the line they start on, one problem per bad record, comments kept apart, columns
 * by header name (a data line or a `#` comment), and the typed fields with their exact rejections.
 */
import assert from 'node:assert/strict';
import { headerColumns, readCsv, type CsvRead } from '../../feeds/formats/csv-reader';
import {
  confidenceField,
  readTable,
  requiredField,
  splitTags,
  TableError,
  timeField,
  type Row,
} from '../../feeds/formats/table';
import type { Rejection } from '../../feeds/formats';

const records = (r: CsvRead): [number, string[]][] => r.records.map((x) => [x.line, x.fields]);

describe('feed CSV reader', () => {
  it('LF and CRLF line ends, with or without a final line end', () => {
    for (const text of ['a,b\nc,d\n', 'a,b\r\nc,d\r\n', 'a,b\nc,d', 'a,b\r\nc,d']) {
      const r = readCsv(text);
      assert.deepEqual(
        records(r),
        [
          [1, ['a', 'b']],
          [2, ['c', 'd']],
        ],
        JSON.stringify(text),
      );
      assert.deepEqual([r.problems, r.comments], [[], []]);
    }
    // A quoted last field before CRLF, and a CR that does not end a line.
    assert.deepEqual(records(readCsv('"a","b"\r\n"c"\r\n')), [
      [1, ['a', 'b']],
      [2, ['c']],
    ]);
    assert.deepEqual(records(readCsv('a\rb,c\n')), [[1, ['a\rb', 'c']]]);
  });

  it('blank lines (spaces, tabs, CRLF) are skipped and still counted', () => {
    const r = readCsv('a\n   \t\nb\r\n \t \r\n\r\n"c"\n\n');
    assert.deepEqual(records(r), [
      [1, ['a']],
      [3, ['b']],
      [6, ['c']],
    ]);
    assert.deepEqual(r.problems, []);
    // Blanks at the very end, without a line end, are a blank line too; a CR alone ends no line.
    assert.deepEqual(records(readCsv('a\n  \t')), [[1, ['a']]]);
    assert.deepEqual(records(readCsv(' \rx\n')), [[1, ['x']]]);
  });

  it('comment lines, after blanks too, are kept apart with their line and text', () => {
    const r = readCsv('# banner #\n  #  id,url  \t\nx,y\n\t# late\n');
    assert.deepEqual(r.comments, [
      { line: 1, text: 'banner #' },
      { line: 2, text: 'id,url' },
      { line: 4, text: 'late' },
    ]);
    assert.deepEqual(records(r), [[3, ['x', 'y']]]);
    // Another comment marker, or none at all.
    assert.deepEqual(readCsv('; c\nx\n', { comment: ';' }).comments, [{ line: 1, text: 'c' }]);
    const none = readCsv('#a,b\n', { comment: '' });
    assert.deepEqual([records(none), none.comments], [[[1, ['#a', 'b']]], []]);
  });

  it('quoted fields: "" escapes, delimiters and line breaks inside, blanks around the quotes', () => {
    const r = readCsv('"say ""hi""",x\n "a" ,\t"b"\t, c \n"two\nlines","z"\nnext\n');
    assert.deepEqual(records(r), [
      [1, ['say "hi"', 'x']],
      [2, ['a', 'b', 'c']],
      [3, ['two\nlines', 'z']],
      [5, ['next']],
    ]);
    assert.deepEqual(records(readCsv('"",""\n')), [[1, ['', '']]]);
    assert.deepEqual(records(readCsv('a,,b,\n')), [[1, ['a', '', 'b', '']]]);
  });

  it('a blank that is the delimiter is a field separator, not padding', () => {
    assert.deepEqual(records(readCsv('a\t\t"b"\n', { delimiter: '\t' })), [[1, ['a', '', 'b']]]);
    assert.deepEqual(records(readCsv('"a"\t\t"b"\n', { delimiter: '\t' })), [[1, ['a', '', 'b']]]);
    assert.deepEqual(records(readCsv('a;b;"c;d"\n', { delimiter: ';' })), [[1, ['a', 'b', 'c;d']]]);
  });

  it('one problem per bad record, on the line where the record starts; reading goes on', () => {
    const r = readCsv('ok,1\nx"y,2\n"a"b,3\n"c"\rd\n"fine",4\n"open,5\nnever closed\n');
    assert.deepEqual(records(r), [
      [1, ['ok', '1']],
      [5, ['fine', '4']],
    ]);
    assert.deepEqual(r.problems, [
      { line: 2, reason: 'a quote inside an unquoted field' },
      { line: 3, reason: 'unexpected "b" after a closing quote' },
      { line: 4, reason: 'unexpected "\\r" after a closing quote' },
      { line: 6, reason: 'a quoted field is not closed (the file may be cut short)' },
    ]);
    // A character after the closing quote is a problem even when the line ends right after it.
    const late = readCsv('"a"b\nz\n');
    assert.deepEqual(
      [records(late), late.problems],
      [[[2, ['z']]], [{ line: 1, reason: 'unexpected "b" after a closing quote' }]],
    );
  });

  it('header columns: trimmed, lower-cased, split on the delimiter; undefined when not one clean record', () => {
    assert.deepEqual(headerColumns(' ID , Url," Date Added " '), ['id', 'url', 'date added']);
    assert.deepEqual(headerColumns('a;B', ';'), ['a', 'b']);
    assert.deepEqual(headerColumns('#,x'), ['#', 'x'], 'no comment marker inside a comment');
    assert.equal(headerColumns(''), undefined);
    assert.equal(headerColumns('"open'), undefined);
    assert.equal(headerColumns('a"b,c'), undefined);
  });
});

describe('feed CSV tables', () => {
  it('header on the first data line, matched in any case and with blanks; rows read by name', () => {
    const t = readTable(' Value , TYPE ,extra\n 192.0.2.1 , ip ,\n', { required: ['value', 'type'] });
    assert.deepEqual(t.columns, ['value', 'type', 'extra']);
    assert.deepEqual(t.rejected, []);
    const [row] = t.rows;
    assert.ok(row);
    assert.deepEqual(
      [row.line, row.get('value'), row.get('type'), row.get('extra'), row.get('absent')],
      [2, '192.0.2.1', 'ip', '', ''],
    );
    assert.deepEqual([row.has('type'), row.has('extra'), row.has('absent')], [true, true, false]);
    // Quoted names and values keep their blanks in the CSV; the table trims them.
    const quoted = readTable('" Value ","TYPE"\n" 192.0.2.1 "," ip"\n', { required: ['value', 'type'] });
    assert.deepEqual(quoted.columns, ['value', 'type']);
    assert.deepEqual(
      quoted.rows.map((r) => [r.get('value'), r.get('type')]),
      [['192.0.2.1', 'ip']],
    );
  });

  it('every required column must be named for a line to be the header', () => {
    // "value" alone is not the header: the comment naming both is, and the data line stays data.
    const t = readTable('# value,type\nvalue,x\n', { required: ['value', 'type'] });
    assert.deepEqual(t.columns, ['value', 'type']);
    assert.deepEqual(
      t.rows.map((r) => [r.line, r.get('value'), r.get('type')]),
      [[2, 'value', 'x']],
    );
    assert.throws(
      () => readTable('value\n1\n', { required: ['value', 'type'] }),
      (e: unknown) =>
        e instanceof TableError && e.message === 'no header line naming the columns value, type was found',
    );
  });

  it('a header comment: the last one naming the columns before the first data line', () => {
    const text = '# old: a,b\n# a,b\n# a,b,c\n# generated today\n1,2,3\n# a,b,z\n4,5,6\n';
    const t = readTable(text, { required: ['a', 'b'] });
    assert.deepEqual(t.columns, ['a', 'b', 'c'], 'not the comment after the data, nor the first one');
    assert.deepEqual(
      t.rows.map((r) => [r.line, r.get('c'), r.get('z')]),
      [
        [5, '3', ''],
        [7, '6', ''],
      ],
    );
    assert.deepEqual(readTable('# a,b\n1,2\n', { required: ['a'] }).columns, ['a', 'b']);
    // Only comments: the header comment applies, and there are no rows.
    const empty = readTable('# a,b\n', { required: ['a'] });
    assert.deepEqual([empty.columns, empty.rows], [['a', 'b'], []]);
  });

  it('no header found: the fallback columns, else the file is refused', () => {
    const t = readTable('1,2\n', { required: ['a'], fallback: ['a', 'b'] });
    assert.deepEqual(
      t.rows.map((r) => [r.get('a'), r.get('b')]),
      [['1', '2']],
    );
    assert.throws(() => readTable('', { required: ['a'] }), TableError);
  });

  it('a repeated column name reads the first of them', () => {
    const t = readTable('a,a,b\n1,2,3\n', { required: ['a'] });
    assert.equal(t.rows[0]?.get('a'), '1');
    assert.equal(t.rows[0]?.get('b'), '3');
  });

  it('rows of the wrong width are rejected with the columns expected; bad records keep their line', () => {
    const t = readTable('a,b\n1\n1,2,3\n"x"y,2\n5,6\n', { required: ['a', 'b'] });
    assert.deepEqual(t.rejected, [
      { line: 4, where: 'line 4', reason: 'unexpected "y" after a closing quote' },
      { line: 2, where: 'line 2', reason: 'expected 2 columns (a, b), found 1' },
      { line: 3, where: 'line 3', reason: 'expected 2 columns (a, b), found 3' },
    ]);
    assert.deepEqual(
      t.rows.map((r) => [r.line, r.get('a')]),
      [[5, '5']],
    );
  });

  it('no header: columns numbered from 1, rows of any width', () => {
    const t = readTable('x;y\nz\n', { required: [], delimiter: ';', noHeader: true });
    assert.deepEqual(t.columns, ['1', '2']);
    assert.deepEqual(
      t.rows.map((r) => [r.line, r.get('1'), r.get('2'), r.has('2'), r.has('3')]),
      [
        [1, 'x', 'y', true, false],
        [2, 'z', '', true, false],
      ],
    );
    assert.deepEqual(readTable('', { required: [], noHeader: true }).columns, []);
  });

  it('values that mean empty (ThreatFox None) read as empty, only when the whole field is one', () => {
    const t = readTable('a,b,c\nNone, None ,Nones\n', { required: ['a'], empty: ['None'] });
    assert.deepEqual(
      ['a', 'b', 'c'].map((c) => t.rows[0]?.get(c)),
      ['', '', 'Nones'],
    );
    const plain = readTable('a\nNone\n', { required: ['a'] });
    assert.equal(plain.rows[0]?.get('a'), 'None', 'nothing means empty unless the format says so');
  });

  it('tags: split, trimmed, empty ones dropped; another separator', () => {
    assert.deepEqual(splitTags(' elf, mips ,,Mozi ,'), ['elf', 'mips', 'Mozi']);
    assert.deepEqual(splitTags('a, b;c', ';'), ['a, b', 'c']);
    assert.deepEqual(splitTags(''), []);
  });

  function oneRow(header: string, line: string): Row {
    const row = readTable(`${header}\n${line}\n`, { required: header.split(',') }).rows[0];
    assert.ok(row);
    return row;
  }

  it('required, time and confidence fields: the value, or null with the rejection recorded', () => {
    const rejected: Rejection[] = [];
    const row = oneRow('v,seen,conf', ',2025-03-01 09:58:12,101');
    assert.equal(requiredField(row, 'v', rejected), null);
    assert.equal(requiredField(row, 'seen', rejected), '2025-03-01 09:58:12');
    assert.equal(timeField(row, 'seen', rejected), '2025-03-01T09:58:12.000Z');
    assert.equal(confidenceField(row, 'conf', rejected, 'score'), null);
    const empty = oneRow('seen,conf', ',');
    assert.equal(timeField(empty, 'seen', rejected), undefined, 'empty: no time, no rejection');
    assert.equal(confidenceField(empty, 'conf', rejected), undefined);
    const bad = oneRow('seen,conf', 'soon,7x');
    assert.equal(timeField(bad, 'seen', rejected, 'First seen'), null);
    assert.equal(confidenceField(bad, 'conf', rejected), null);
    assert.deepEqual(rejected, [
      { line: 2, where: 'line 2', reason: 'the v field is empty' },
      { line: 2, where: 'line 2', reason: 'score "101" is not a number from 0 to 100' },
      { line: 2, where: 'line 2', reason: 'First seen "soon" is not a date and time' },
      { line: 2, where: 'line 2', reason: 'conf "7x" is not a number from 0 to 100' },
    ]);
    const conf = (v: string): number | null | undefined => confidenceField(oneRow('c', v), 'c', []);
    assert.deepEqual(['0', '100', '007', '1000', 'x1', '1x', '-1', '1.5'].map(conf), [
      0,
      100,
      7,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});
