/**
 * Start-up that never lies and a stop that leaves nothing behind: a hub that cannot take its
 * address exits non-zero saying why (also in cluster mode), and the documented start command
 * (`npm start`) stops with no hub process left and the port free when npm is signalled.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  freePort,
  isListening,
  killAllHubs,
  processStoreUrl,
  REPO_ROOT,
  reportOnFailure,
  runHubToExit,
  startHubProcess,
  type HubProcess,
} from '../helpers/process';
import { backendName, type TestStoreUrl } from '../helpers/store';

const EXIT_LISTEN = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A plain TCP listener holding `port` on 127.0.0.1 (as "any other process" would). */
async function holdPort(port: number): Promise<net.Server> {
  const srv = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve());
  });
  return srv;
}

/** Every live descendant of `pid` (Linux /proc), e.g. npm → sh → node. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe(`hub process [${backendName()}]: start-up and stop`, function () {
  this.timeout(120_000);
  let fresh: TestStoreUrl;
  const hubs: HubProcess[] = [];

  before(() => {
    fresh = processStoreUrl();
  });

  afterEach(function () {
    reportOnFailure(this, hubs);
  });

  after(async () => {
    await killAllHubs(hubs);
    await fresh?.dispose();
  });

  describe('a listen failure stops the hub with a clear message', () => {
    for (const processes of ['1', '2']) {
      it(`exits ${EXIT_LISTEN} when another process holds the port (TESSERA_PROCESSES=${processes})`, async () => {
        const port = await freePort();
        const holder = await holdPort(port);
        try {
          const run = await runHubToExit({
            TESSERA_STORE: fresh.url,
            TESSERA_HOST: '127.0.0.1',
            TESSERA_PORT: String(port),
            TESSERA_PROCESSES: processes,
          });
          assert.equal(run.timedOut, false, `the hub kept running; output:\n${run.output}`);
          assert.equal(run.code, EXIT_LISTEN, run.output);
          assert.match(run.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
          assert.match(run.stderr, /already in use/);
          assert.match(run.stderr, /TESSERA_PORT/);
          assert.doesNotMatch(run.output, /Tessera listening/);
        } finally {
          await new Promise((r) => holder.close(r));
        }
      });
    }

    it('exits when a second hub is started on the port of a running one, which keeps serving', async () => {
      const first = await startHubProcess({ storeUrl: fresh.url });
      hubs.push(first);
      const run = await runHubToExit({
        TESSERA_STORE: fresh.url,
        TESSERA_HOST: '127.0.0.1',
        TESSERA_PORT: String(first.port),
      });
      assert.equal(run.timedOut, false, `the second hub kept running; output:\n${run.output}`);
      assert.equal(run.code, EXIT_LISTEN, run.output);
      assert.match(run.stderr, new RegExp(`:${first.port}: the address is already in use`));
      const ready = await fetch(`${first.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await first.terminate(), { code: 0, signal: null });
    });

    it('exits on any other listen error (an address that is not this machine’s)', async () => {
      const run = await runHubToExit({
        TESSERA_STORE: fresh.url,
        // TEST-NET-1 (RFC 5737): never an address of this machine.
        TESSERA_HOST: '192.0.2.1',
        TESSERA_PORT: String(await freePort()),
      });
      assert.equal(run.timedOut, false, `the hub kept running; output:\n${run.output}`);
      assert.equal(run.code, EXIT_LISTEN, run.output);
      assert.match(run.stderr, /cannot listen on 192\.0\.2\.1:\d+: .*EADDRNOTAVAIL.*TESSERA_HOST/);
    });
  });

  describe('npm start stops cleanly', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };

    before(function () {
      if (process.platform !== 'linux') this.skip(); // reads /proc to find the hub process
      const main = path.join(REPO_ROOT, pkg.scripts.start?.match(/\S+\.js/)?.[0] ?? 'dist/server/main.js');
      // npm test builds dist first (pretest); a bare mocha run needs `npm run build`.
      if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    });

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal} to the npm process stops the hub: no process left, the port free`, async () => {
        const port = await freePort();
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
        Object.assign(env, {
          TESSERA_STORE: fresh.url,
          TESSERA_HOST: '127.0.0.1',
          TESSERA_PORT: String(port),
          TESSERA_LOG_LEVEL: 'warn',
        });
        // --ignore-scripts skips prestart (the build, done by pretest) but runs the start script itself.
        const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
          cwd: REPO_ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        npm.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
        npm.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
        const exited = new Promise<number | null>((r) => npm.once('exit', (code) => r(code)));
        let tree: number[] = [];
        try {
          const deadline = Date.now() + 60_000;
          for (;;) {
            if (Date.now() > deadline) throw new Error(`the hub did not start; output:\n${output}`);
            try {
              const res = await fetch(`http://127.0.0.1:${port}/readyz`);
              await res.arrayBuffer();
              if (res.status === 200) break;
            } catch {
              // not yet
            }
            await sleep(100);
          }
          tree = descendants(npm.pid as number);
          assert.ok(tree.length > 0, 'npm start has no child process');
          npm.kill(signal);
          const timeout = sleep(20_000).then(() => 'timeout' as const);
          const code = await Promise.race([exited, timeout]);
          assert.notEqual(code, 'timeout', `npm did not exit after ${signal}; output:\n${output}`);
          assert.equal(code, 0, `npm start exited ${code} after ${signal}; output:\n${output}`);
          // Give the kernel a moment to reap; then nothing of the tree may be left.
          for (let i = 0; i < 50 && tree.some(alive); i++) await sleep(100);
          const left = tree.filter(alive);
          assert.deepEqual(left, [], `processes left after ${signal} to npm: ${left.join(', ')}`);
          assert.equal(await isListening(port), false, `port ${port} still accepts connections`);
        } finally {
          for (const pid of [npm.pid as number, ...tree]) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // already gone
            }
          }
        }
      });
    }
  });
});
