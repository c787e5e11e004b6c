/**
 * The CLI's progress bar (cli-progress) on a terminal, and silence when stderr is not one.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressBar } from '../../scripts/cli/progress';

/** A writable that says it is a terminal, keeping what is written. */
function fakeTerminal(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  Object.assign(w, { isTTY, columns: 120, rows: 40 });
  // The stream is used as a terminal only through write(), isTTY and columns.
  return { stream: w as unknown as NodeJS.WriteStream, text: () => out };
}

describe('CLI progress bar', () => {
  it('draws a bar with percentage and counts on a terminal, and ends the line', () => {
    const t = fakeTerminal(true);
    const bar = progressBar(t.stream, 'objects');
    bar.update(0, 10);
    bar.update(5, 10, 'batch 1');
    bar.update(10, 10);
    bar.end();
    const text = t.text();
    // Redraws are throttled (cli-progress): the first and the last frame are always drawn.
    assert.match(text, /\[\.{30}\] 0% 0\/10 objects/);
    assert.match(text, /\[#{30}\] 100% 10\/10 objects/);
    assert.ok(text.endsWith('\n'), 'the last line is ended');
  });

  it('shows the counts alone when the total is unknown', () => {
    const t = fakeTerminal(true);
    const bar = progressBar(t.stream, 'entries');
    bar.update(3, undefined, 'added 3');
    bar.update(7, undefined, 'added 7');
    bar.end();
    assert.match(t.text(), /7 entries \| added 7/);
    assert.doesNotMatch(t.text(), /%/);
  });

  it('writes nothing when the stream is not a terminal (pipes, logs)', () => {
    const t = fakeTerminal(false);
    const bar = progressBar(t.stream, 'objects');
    bar.update(1, 2);
    bar.end();
    assert.equal(t.text(), '');
  });
});
