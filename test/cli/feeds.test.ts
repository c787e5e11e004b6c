/**
 * `tessera feed list | run | status`, run for real as a child process on a fresh store with a
 * feeds file of file:// fixtures.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/process';
import { freshTestStoreUrl, type TestStoreUrl } from '../helpers/store';

const CLI = path.join(REPO_ROOT, 'scripts', 'cli.ts');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'feeds');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('tessera feed', function () {
  this.timeout(120_000);
  let store: TestStoreUrl;
  let feedsFile: string;

  function tessera(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
    Object.assign(env, { TESSERA_STORE: store.url, TESSERA_FEEDS_FILE: feedsFile, ...extraEnv });
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  before(async () => {
    store = freshTestStoreUrl();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-feeds-'));
    feedsFile = path.join(dir, 'feeds.json');
    await writeFile(
      feedsFile,
      JSON.stringify([
        {
          name: 'feodo',
          kind: 'feodo-csv',
          schedule: '*/15 * * * *',
          url: pathToFileURL(path.join(FIXTURES, 'feodo.csv')).toString(),
          target: { apiRoot: 'api1', collection: 'abuse-ch' },
        },
        {
          name: 'off',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          enabled: false,
          url: pathToFileURL(path.join(FIXTURES, 'ioc-list.txt')).toString(),
          target: { apiRoot: 'api1', collection: 'abuse-ch' },
        },
      ]),
    );
    for (const args of [
      ['init'], // the CLI works only on an existing store
      ['group', 'add', 'soc'],
      [
        'collection',
        'add',
        'api1',
        '--title',
        'abuse.ch',
        '--alias',
        'abuse-ch',
        '--read',
        'soc',
        '--write',
        'soc',
      ],
    ]) {
      const r = await tessera(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => {
    await store.dispose();
  });

  it('feed list shows every definition', async () => {
    const r = await tessera(['feed', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^feodo {2}feodo-csv {2}\*\/15 \* \* \* \* {2}→ api1\/abuse-ch {2}file:\/\//m);
    assert.match(r.stdout, /^off {2}ioc-list {2}disabled/m);
  });

  it('feed run runs now and prints the summary; --json for scripts', async () => {
    const r = await tessera(['feed', 'run', 'feodo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^feed feodo: ok$/m);
    assert.match(r.stdout, /ok: fetched 5, added 3, duplicates 0, rejected 2/);
    assert.match(r.stdout, /rejected line 13: "198\.51\.100\.300" is not an IP address or CIDR/);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const disabled = await tessera(['feed', 'run', 'off', '--json']);
    assert.equal(disabled.code, 0, disabled.stderr);
    const j = JSON.parse(disabled.stdout) as {
      ok: boolean;
      added: number;
      rejected: number;
      trigger: string;
    };
    assert.deepEqual([j.ok, j.added, j.rejected, j.trigger], [true, 6, 2, 'manual']);
  });

  it('each feed run is in the audit trail: a write into the target collection, with what it stored', async () => {
    const r = await tessera(['audit', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const runs = (
      JSON.parse(r.stdout) as {
        records: {
          kind: string;
          endpoint: string;
          collection: string | null;
          count: number | null;
          detail: string;
        }[];
      }
    ).records.filter((x) => x.endpoint === 'tessera feed run');
    const col = JSON.parse((await tessera(['collection', 'list', 'api1', '--json'])).stdout) as {
      collections: { id: string; alias?: string }[];
    };
    const target = col.collections.find((c) => c.alias === 'abuse-ch')?.id;
    assert.ok(target);
    assert.deepEqual(
      runs.map((x) => [x.kind, x.collection, x.count]),
      [
        ['write', target, 3],
        ['write', target, 6],
      ],
    );
    assert.match(
      runs[0]?.detail ?? '',
      /manual run [0-9a-f-]{36}: fetched 5, added 3, duplicates 0, rejected 2, expired 0$/,
    );
  });

  it('feed status shows last runs and next run, as text or JSON; an unchanged source says so', async () => {
    // The file has not changed since the run above: a conditional read, recorded as unchanged.
    const again = await tessera(['feed', 'run', 'feodo']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /\(\d+\.\d s, manual\) ok: source unchanged since the last complete copy \(not modified\), nothing fetched$/m,
    );
    const r = await tessera(['feed', 'status', 'feodo', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      feeds: { name: string; nextRun: string; lastRuns: { added: number; unchanged: boolean }[] }[];
    };
    assert.deepEqual(
      s.feeds.map((f) => f.name),
      ['feodo'],
    );
    assert.deepEqual(
      s.feeds[0]?.lastRuns.map((x) => [x.unchanged, x.added]),
      [
        [true, 0],
        [false, 3],
      ],
    );
    assert.match(s.feeds[0]?.nextRun ?? '', /^\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00\.000Z$/);
    const text = await tessera(['feed', 'status']);
    assert.match(text.stdout, /^feodo {2}\(feodo-csv, \*\/15 \* \* \* \*\) → api1\/abuse-ch$/m);
    assert.match(text.stdout, /^off {2}\(ioc-list, disabled\)/m);
    assert.match(text.stdout, /next run: -/);
    assert.match(
      text.stdout,
      /^ {2}\S+ → \S+ \(\d+\.\d s, manual\) ok: source unchanged since the last complete copy/m,
    );
    assert.match(
      text.stdout,
      /^ {2}\S+ → \S+ \(\d+\.\d s, manual\) ok: fetched 5, added 3, duplicates 0, rejected 2$/m,
    );
  });

  it('two feed runs started at once (two processes on one store): one runs, the other names who does', async () => {
    // The source holds its answer until one process has given up, so the runs overlap; without a
    // lease both would fetch, and the second request lets both finish.
    let requests = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const source = createServer((_req, res) => {
      if (++requests === 2) release();
      void held.then(() => res.end('192.0.2.81\n192.0.2.82\n192.0.2.83\n'));
    });
    await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-lease-'));
    const file = path.join(dir, 'feeds.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          name: 'held',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: `http://127.0.0.1:${(source.address() as AddressInfo).port}/list.txt`,
          target: { apiRoot: 'api1', collection: 'abuse-ch' },
        },
      ]),
    );
    try {
      const runs = [1, 2].map(() => tessera(['feed', 'run', 'held', '--json'], { TESSERA_FEEDS_FILE: file }));
      await Promise.race(runs);
      release();
      const done = await Promise.all(runs);
      assert.equal(requests, 1, 'the source was fetched once');
      const ran = done.filter((r) => r.code === 0);
      const skipped = done.filter((r) => r.code !== 0);
      assert.equal(ran.length, 1, done.map((r) => r.stderr).join('\n'));
      const result = JSON.parse(ran[0]?.stdout ?? '') as { ran: boolean; added: number; instance: string };
      assert.deepEqual([result.ran, result.added], [true, 3]);
      assert.match(result.instance, /^cli:.+:\d+$/);
      assert.deepEqual(
        skipped.map((r) => [r.code, r.stdout, r.stderr.trim()]),
        [[1, '', `tessera: feed held is being run by ${result.instance} right now; try again later`]],
      );
      const status = await tessera(['feed', 'status', 'held', '--json'], { TESSERA_FEEDS_FILE: file });
      const s = JSON.parse(status.stdout) as { feeds: { runningOn: string | null; lastRuns: unknown[] }[] };
      assert.deepEqual([s.feeds[0]?.runningOn, s.feeds[0]?.lastRuns.length], [null, 1], 'one run recorded');
    } finally {
      source.closeAllConnections();
      await new Promise((r) => source.close(r));
    }
  });

  it('a failed feed run exits 1 and is in the audit trail with status 502; runs that worked have 200', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-failed-'));
    const file = path.join(dir, 'feeds.json');
    await writeFile(
      file,
      JSON.stringify([
        {
          name: 'gone',
          kind: 'ioc-list',
          schedule: '0 * * * *',
          url: pathToFileURL(path.join(dir, 'no-such-list.txt')).toString(),
          target: { apiRoot: 'api1', collection: 'abuse-ch' },
        },
      ]),
    );
    const r = await tessera(['feed', 'run', 'gone'], { TESSERA_FEEDS_FILE: file });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^feed gone: FAILED$/m);
    const trail = await tessera(['audit', '--json']);
    assert.equal(trail.code, 0, trail.stderr);
    const runs = (
      JSON.parse(trail.stdout) as { records: { endpoint: string; status: number; detail: string }[] }
    ).records.filter((x) => x.endpoint === 'tessera feed run');
    const failed = runs.filter((x) => x.detail.startsWith('"gone"'));
    assert.deepEqual(
      failed.map((x) => x.status),
      [502],
    );
    assert.match(failed[0]?.detail ?? '', /manual run [0-9a-f-]{36}: .*; failed: /);
    const feodo = runs.filter((x) => x.detail.startsWith('"feodo"'));
    assert.ok(feodo.length >= 2);
    assert.deepEqual(new Set(feodo.map((x) => x.status)), new Set([200]));
  });

  it('unknown feed, missing feeds file, bad --runs: clear errors', async () => {
    const unknown = await tessera(['feed', 'run', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^tessera: no feed named "nope" in feodo, off/);
    const none = await tessera(['feed', 'list'], { TESSERA_FEEDS_FILE: '' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /TESSERA_FEEDS_FILE is not set/);
    const runs = await tessera(['feed', 'status', '--runs', '0']);
    assert.equal(runs.code, 1);
    assert.match(runs.stderr, /--runs must be a whole number from 1 to 20/);
    const extra = await tessera(['feed', 'status', 'a', 'b']);
    assert.equal(extra.code, 2);
  });
});
