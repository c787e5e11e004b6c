/**
 * The CLI's progress bar (cli-progress) on a terminal, and silence when stderr is not one; import
 * and export drawing it on a real pseudo-terminal.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { progressBar } from '../../scripts/cli/progress';
import { addSharedCollection, CLI, ok } from '../helpers/cli';
import { processStoreUrl, REPO_ROOT } from '../helpers/process';
import { makeIndicator } from '../helpers/stix';
import type { TestStoreUrl } from '../helpers/store';

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

/**
 * `tessera import` and `tessera export` run for real on a pseudo-terminal (util-linux `script`),
 * as an operator at a terminal runs them: the bar is drawn on stderr; export's bundle on stdout
 * (redirected to a file) stays clean.
 */
describe('CLI progress bar: import and export on a terminal', function () {
  this.timeout(120_000);
  let fresh: TestStoreUrl;
  let dir: string;
  before(function () {
    if (spawnSync('script', ['--version']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('util-linux script is needed for this test');
      this.skip();
    }
  });
  beforeEach(async () => {
    fresh = processStoreUrl();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-tty-'));
    await ok(fresh.url, ['init']);
    await ok(fresh.url, ['group', 'add', 'csirts']);
    await addSharedCollection(fresh.url, { root: 'api1', alias: 'shared', group: 'csirts' });
  });
  afterEach(async () => {
    await fresh?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** `tessera <args>` on a pseudo-terminal; returns what the terminal showed. */
  function onTerminal(args: string): { code: number | null; screen: string } {
    const tsx = pathToFileURL(require.resolve('tsx')).href;
    const env: NodeJS.ProcessEnv = { TERM: 'xterm', PATH: process.env.PATH ?? '' };
    env.TESSERA_STORE = fresh.url;
    const r = spawnSync(
      'script',
      [
        '-qefc',
        `${JSON.stringify(process.execPath)} --import ${tsx} ${JSON.stringify(CLI)} ${args}`,
        '/dev/null',
      ],
      { cwd: REPO_ROOT, env, encoding: 'utf8', input: '' },
    );
    return { code: r.status, screen: r.stdout };
  }

  it('import draws the bar up to 100% of the objects, then prints the totals', async () => {
    const objects = Array.from({ length: 1200 }, () => makeIndicator());
    const file = path.join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects }));
    const r = onTerminal(`import api1 shared ${JSON.stringify(file)}`);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /\[#{30}\] 100% 1200\/1200 objects/);
    assert.doesNotMatch(r.screen, /^imported \d+\/\d+ objects/m, 'plain lines are for non-terminals');
    assert.match(r.screen, /1200 objects read .*: 1200 added, 0 duplicates, 0 failed/);
  });

  it('export --all-versions draws the bar on stderr; the bundle on stdout holds every version', async () => {
    const objects = Array.from({ length: 1500 }, () => makeIndicator());
    const file = path.join(dir, 'in.json');
    await writeFile(file, JSON.stringify({ type: 'bundle', id: `bundle--${randomUUID()}`, objects }));
    await ok(fresh.url, ['import', 'api1', 'shared', file]);
    const target = path.join(dir, 'out.json');
    const r = onTerminal(`export api1 shared --all-versions > ${JSON.stringify(target)}`);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /\[#{30}\] 100% 1500\/1500 objects exported/);
    const bundle = JSON.parse(await readFile(target, 'utf8')) as { type: string; objects: { id: string }[] };
    assert.equal(bundle.type, 'bundle');
    assert.deepEqual(bundle.objects.map((o) => o.id).sort(), objects.map((o) => o.id).sort());
  });
});
