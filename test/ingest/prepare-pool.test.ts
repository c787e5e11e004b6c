/**
 * The worker pool that prepares POSTed envelopes gives exactly what inline preparation gives, maps
 * errors to the same TAXII statuses, and serves real POSTs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BadRequestError,
  PayloadTooLargeError,
  StoreError,
  TesseraError,
  UnprocessableError,
} from '../../server/errors';
import { DEFAULT_CONTENT_LIMITS, prepareEnvelopeText, PreparePool } from '../../server/ingest';
import { workerFile } from '../../server/ingest/pool';
import { stixValidator } from '../../server/stix/plug';
import { startHub, TAXII, type TestHub } from '../helpers/hub';
import { makeIndicator } from '../helpers/stix';
import { TEST_WORKER } from './test-worker';

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The error a pool request was refused with (fails if it was not refused). */
async function refusal(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TesseraError, String(e));
    return e;
  }
  return assert.fail('the request was not refused');
}

describe('ingest worker pool', function () {
  this.timeout(60_000);
  // Made by the first test that uses it, not in a before() hook: code run by hooks is static
  // coverage for mutation testing (scripts/mutation/mocha-hooks.ts), each of its mutants a full run.
  let shared: PreparePool | undefined;
  const pool = {
    prepare: (text: string) => (shared ??= new PreparePool(2, false)).prepare(text),
  };
  after(async () => {
    await shared?.close();
  });

  it('reports ready only once its workers have compiled and warmed up the validator', async () => {
    const fresh = new PreparePool(1, false);
    try {
      assert.equal(fresh.isReady(), false, 'not ready at construction');
      const deadline = Date.now() + 30_000;
      while (!fresh.isReady() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(fresh.isReady(), true);
    } finally {
      await fresh.close();
    }
  });

  it('prepares an envelope exactly as inline preparation does, valid and invalid objects alike', async () => {
    const objects = [
      makeIndicator(),
      makeIndicator({ pattern: "[ipv4-addr:value = '1.2.3.4'" }),
      { type: 'indicator', id: 'indicator--nope' },
      makeIndicator({ indicator_types: ['not-in-the-vocabulary'] }),
    ];
    const text = JSON.stringify({ objects });
    const fromPool = await pool.prepare(text);
    const inline = prepareEnvelopeText(text, stixValidator(false));
    assert.deepEqual(fromPool, inline);
    assert.equal(fromPool.accepted.length, 2);
    assert.equal(fromPool.failures.length, 2);
    assert.match(fromPool.failures[0]?.message ?? '', /pattern/);
    assert.match(fromPool.warnings[1] ?? '', /^warning: /);
  });

  it('keeps many concurrent requests apart', async () => {
    const texts = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ objects: Array.from({ length: i + 1 }, () => makeIndicator()) }),
    );
    const results = await Promise.all(texts.map((t) => pool.prepare(t)));
    results.forEach((r, i) => {
      assert.equal(r.total, i + 1);
      assert.equal(r.accepted.length, i + 1);
      const sent = (JSON.parse(texts[i] as string) as { objects: { id: string }[] }).objects.map((o) => o.id);
      assert.deepEqual(
        r.accepted.map((a) => a.id),
        sent,
      );
    });
  });

  it('maps a body that is not JSON to 400 and a non-envelope to 422', async () => {
    await assert.rejects(pool.prepare('{"objects": ['), BadRequestError);
    await assert.rejects(pool.prepare(JSON.stringify(makeIndicator())), UnprocessableError);
    await assert.rejects(pool.prepare('{"objects": []}'), UnprocessableError);
  });

  it('gives its workers its content limits and strictness: too many objects is a 413, its message intact', async () => {
    const small = new PreparePool(1, true, { ...DEFAULT_CONTENT_LIMITS, maxObjects: 2 });
    try {
      const e = await refusal(small.prepare(JSON.stringify({ objects: [1, 2, 3] })));
      assert.ok(e instanceof PayloadTooLargeError);
      assert.match(e.message, /^the envelope holds 3 objects; this hub accepts at most 2 per request/);
      // Strict: a custom property without the x_ prefix fails (in lax mode a warning).
      const custom = { ...makeIndicator(), my_note: 'hello' };
      const strict = await small.prepare(JSON.stringify({ objects: [custom] }));
      const lax = await pool.prepare(JSON.stringify({ objects: [custom] }));
      assert.deepEqual([strict.accepted.length, strict.failures.length], [0, 1]);
      assert.deepEqual([lax.accepted.length, lax.failures.length], [1, 0]);
    } finally {
      await small.close();
    }
  });

  it('finds its worker script: worker.js in a build, else worker.ts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-pool-'));
    try {
      assert.equal(workerFile(dir), path.join(dir, 'worker.ts'));
      await writeFile(path.join(dir, 'worker.js'), '');
      assert.equal(workerFile(dir), path.join(dir, 'worker.js'));
      assert.equal(workerFile(), path.join(__dirname, '..', '..', 'server', 'ingest', 'worker.ts'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts a compiled (.js) worker script without tsx, which a production install lacks', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-pool-'));
    const file = path.join(dir, 'worker.js');
    // Answers every request with an error reply saying whether TypeScript files can be loaded.
    await writeFile(
      file,
      `exports.serve = (port) => {
        port.postMessage({ ready: true });
        port.on('message', (req) =>
          port.postMessage({ id: req.id, ok: false, status: 500, message: 'ts loader: ' + ('.ts' in require.extensions) }));
      };`,
    );
    const js = new PreparePool(1, false, DEFAULT_CONTENT_LIMITS, file);
    try {
      const e = await refusal(js.prepare('{}'));
      assert.ok(e instanceof StoreError);
      assert.equal(e.message, 'ingest worker failed: ts loader: false');
      assert.equal(js.isReady(), true);
    } finally {
      await js.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('when a worker fails', () => {
    let p: PreparePool;
    beforeEach(async () => {
      p = new PreparePool(2, false, DEFAULT_CONTENT_LIMITS, TEST_WORKER);
      await until('the pool is ready', () => p.isReady());
    });
    afterEach(async () => {
      await p.close();
    });

    it('a worker that exits: what it was preparing is refused (500), a new worker takes its place', async () => {
      // Both to the first worker (the second is busy with the slow request meanwhile).
      const slow = p.prepare('thread after 1500 ms');
      const other = p.prepare('thread after 0 ms');
      const e = await refusal(other);
      const otherThread = e.message;
      const crash = p.prepare('exit 7');
      const c = await refusal(crash);
      assert.ok(c instanceof StoreError);
      assert.equal(c.httpStatus, 500);
      assert.equal(c.message, 'ingest worker failed: ingest worker exited with code 7');
      assert.equal(p.isReady(), false, 'the new worker is not warmed up yet');
      assert.equal(p.restarts(), 1);
      // The other worker was not disturbed.
      assert.notEqual((await refusal(slow)).message, otherThread);
      await until('the new worker is ready', () => p.isReady());
      const text = JSON.stringify({ objects: [makeIndicator()] });
      for (let i = 0; i < 2; i++) assert.equal((await p.prepare(text)).accepted.length, 1);
    });

    it('a worker that throws: its requests are refused with the error, and it is replaced', async () => {
      const e = await refusal(p.prepare('throw'));
      assert.ok(e instanceof StoreError);
      assert.equal(e.message, 'ingest worker failed: worker blew up');
      await until('a worker was restarted', () => p.restarts() === 1);
      await until('the new worker is ready', () => p.isReady());
      assert.equal((await p.prepare(JSON.stringify({ objects: [1] }))).failures.length, 1);
    });

    it('each request goes to the least busy worker, the first of equals', async () => {
      const first = p.prepare('thread after 800 ms');
      const second = p.prepare('thread after 0 ms');
      const [a, b] = await Promise.allSettled([first, second]).then((r) =>
        r.map((x) => (x.status === 'rejected' ? String((x.reason as Error).message) : '')),
      );
      const id = (m: string | undefined) => Number(/thread (\d+)$/.exec(m ?? '')?.[1]);
      assert.ok(id(a) > 0 && id(b) > 0, `${a} / ${b}`);
      assert.ok(
        id(a) < id(b),
        `the first request went to the first worker (${a}), the second to the other (${b})`,
      );
      // An idle pool again: the first worker.
      assert.equal(
        (await refusal(p.prepare('thread after 0 ms'))).message,
        `ingest worker failed: ${a?.replace(/^ingest worker failed: /, '')}`,
      );
    });

    it('a second reply to a request is ignored', async () => {
      const e = await refusal(p.prepare('reply twice'));
      assert.ok(e instanceof UnprocessableError);
      assert.equal(e.message, 'first');
      const e2 = await refusal(p.prepare('{'));
      assert.ok(e2 instanceof BadRequestError);
      assert.equal(p.restarts(), 0);
    });

    it('closing refuses what is pending and what comes after, and starts no new worker', async () => {
      const pending = p.prepare('thread after 5000 ms');
      await p.close();
      const e = await refusal(pending);
      assert.ok(e instanceof StoreError);
      assert.equal(e.message, 'ingest worker failed: the ingest worker pool is closed');
      const late = await refusal(p.prepare('{}'));
      assert.equal(late.message, 'ingest worker failed: the ingest worker pool is closed');
      assert.equal(p.restarts(), 0);
    });
  });

  describe('when a worker cannot start', () => {
    let dir: string;
    let failFile: string;
    let script: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-pool-start-'));
      failFile = path.join(dir, 'fail');
      script = path.join(dir, 'worker.js');
      // Dies at start while the fail file exists; else serves, answering with its thread id, and
      // exits on 'exit'.
      await writeFile(
        script,
        `const fs = require('node:fs');
        const { threadId } = require('node:worker_threads');
        exports.serve = (port) => {
          if (fs.existsSync(${JSON.stringify(failFile)})) throw new Error('cannot start');
          port.postMessage({ ready: true });
          port.on('message', (req) => {
            if (req.text === 'exit') process.exit(3);
            port.postMessage({ id: req.id, ok: false, status: 500, message: 'served by ' + threadId });
          });
        };`,
      );
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is started again after pauses that double (100, 200, 400 ms …), refusing requests at once meanwhile', async () => {
      await writeFile(failFile, '');
      const p = new PreparePool(1, false, DEFAULT_CONTENT_LIMITS, script);
      try {
        const at: number[] = [];
        while (at.length < 3) {
          if (p.restarts() > at.length) at.push(Date.now());
          await new Promise((r) => setTimeout(r, 2));
        }
        assert.equal(p.restarts(), 3);
        const [r1, r2, r3] = at as [number, number, number];
        // Each gap is the pause (200, then 400 ms) plus the time the thread took to die, give or
        // take how late the polling saw it (a loaded machine).
        assert.ok(r2 - r1 >= 150, `second pause ${r2 - r1} ms`);
        assert.ok(r3 - r2 >= 300, `third pause ${r3 - r2} ms`);
        assert.ok(r3 - r2 - (r2 - r1) >= 100, `pauses ${r2 - r1} ms, then ${r3 - r2} ms: doubling`);
        // A request to the starting thread is refused when it dies (with its error, or its exit if
        // sent between the two); then, for the 800 ms it waits, at once.
        const ask = () => refusal(p.prepare('{"objects": [1]}'));
        const dying = [
          'ingest worker failed: cannot start',
          'ingest worker failed: ingest worker exited with code 1',
        ];
        let e = await ask();
        for (let i = 0; i < 3 && dying.includes(e.message); i++) e = await ask();
        const t0 = Date.now();
        const again = await ask();
        assert.ok(Date.now() - t0 < 300, 'refused at once');
        for (const x of [e, again]) {
          assert.ok(x instanceof StoreError);
          assert.equal(x.message, 'ingest worker failed: it could not start (4 times in a row)');
        }
        assert.equal(p.restarts(), 3, 'still waiting');
      } finally {
        await p.close();
      }
      // Closed while waiting: no worker is started after.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(p.restarts(), 3);
    });

    it('its requests go to the workers that run; once it starts again it takes its share', async () => {
      const p = new PreparePool(2, false, DEFAULT_CONTENT_LIMITS, script);
      try {
        await until('the pool is ready', () => p.isReady());
        const thread = async () => (await refusal(p.prepare('hello'))).message;
        const first = await thread();
        // The first worker (the first of equals) dies, and cannot start again.
        await writeFile(failFile, '');
        await refusal(p.prepare('exit'));
        await until('the first worker failed to start again', () => p.restarts() >= 2);
        for (let i = 0; i < 5; i++) assert.notEqual(await thread(), first);
        const second = await thread();
        // Once it starts again, the first of equals is the first worker again.
        await rm(failFile);
        await until('the first worker is ready again', () => p.isReady(), 10_000);
        const again = await thread();
        assert.notEqual(again, second);
        assert.notEqual(again, first, 'a new thread');
      } finally {
        await p.close();
      }
    });
  });

  describe('behind the HTTP API', () => {
    let hub: TestHub;
    before(async () => {
      hub = await startHub({ prepare: (text) => pool.prepare(text) });
      await hub.addMember('poster', 'poster-password-1', ['g']);
    });
    after(async () => {
      await hub.close();
    });

    it('stores what the workers accepted and reports what they refused', async () => {
      const c = await hub.addCollection({ grants: [{ group: 'g', read: true, write: true }] });
      const good = makeIndicator();
      const res = await fetch(`${hub.url}/api1/collections/${c.id}/objects/`, {
        method: 'POST',
        headers: {
          Accept: TAXII,
          'Content-Type': TAXII,
          Authorization: hub.basic('poster', 'poster-password-1'),
        },
        body: JSON.stringify({ objects: [good, { type: 'indicator', id: 'indicator--bad' }] }),
      });
      assert.equal(res.status, 202);
      const status = (await res.json()) as { success_count: number; failure_count: number };
      assert.deepEqual([status.success_count, status.failure_count], [1, 1]);
      assert.ok(await hub.stores.objects.objectExists({ visibleTo: 'all', collectionId: c.id, id: good.id }));
      const bad = await fetch(`${hub.url}/api1/collections/${c.id}/objects/`, {
        method: 'POST',
        headers: {
          Accept: TAXII,
          'Content-Type': TAXII,
          Authorization: hub.basic('poster', 'poster-password-1'),
        },
        body: 'not json',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.headers.get('content-type'), TAXII);
    });
  });
});
