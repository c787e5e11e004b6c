/**
 * The container image, checked without a container engine: the runtime stage of the Dockerfile is
 * read, and its start command is run as the image would run it (its ENV, the store under a
 * temporary directory standing for the /data volume, /app being the repository with dist built).
 * - CMD is exec form and starts node itself (no shell or npm between `docker stop` and the hub);
 *   run that way, SIGTERM stops the hub with exit 0 and the port free;
 * - `tessera` is on the image's PATH, a link to the built CLI, which (with the image's ENV) works
 *   on the same store as the hub while it runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, isListening, REPO_ROOT } from '../helpers/process';
import { backendName } from '../helpers/store';

interface RuntimeStage {
  env: Record<string, string>;
  cmd: string[];
  runs: string[];
  volumes: string[];
}

/** The last stage of the Dockerfile: its ENV, CMD (exec form), RUN and VOLUME instructions. */
function runtimeStage(): RuntimeStage {
  const text = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim());
  const last =
    lines
      .map((l, i) => (/^FROM\s/i.test(l) ? i : -1))
      .filter((i) => i >= 0)
      .pop() ?? 0;
  const stage: RuntimeStage = { env: {}, cmd: [], runs: [], volumes: [] };
  for (const line of lines.slice(last)) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, instr, rest] = m as unknown as [string, string, string];
    if (instr === 'ENV') {
      for (const kv of rest.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) {
        stage.env[kv[1] as string] = (kv[2] as string).replace(/^"|"$/g, '');
      }
    } else if (instr === 'CMD') {
      stage.cmd = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : ['/bin/sh', '-c', rest];
    } else if (instr === 'RUN') {
      stage.runs.push(rest);
    } else if (instr === 'VOLUME') {
      stage.volumes.push(...(rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/)));
    }
  }
  return stage;
}

function run(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { done: Promise<{ code: number | null; out: string }>; kill: (s: NodeJS.Signals) => void } {
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, out })),
  );
  return { done, kill: (s) => child.kill(s) };
}

describe('container image (Dockerfile runtime stage, run without an engine)', function () {
  this.timeout(90_000);
  const stage = runtimeStage();
  let dataDir: string;

  before(async function () {
    if (backendName() !== 'sqlite') this.skip(); // the image's default store is the embedded one
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-volume-'));
  });

  after(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** The image's environment, with the volume mapped to a temporary directory. */
  function imageEnv(port: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
    for (const [k, v] of Object.entries(stage.env)) {
      let value = v;
      for (const vol of stage.volumes) value = value.split(vol).join(dataDir);
      env[k] = value;
    }
    env.TESSERA_HOST = '127.0.0.1'; // the image binds 0.0.0.0; loopback is enough here
    env.TESSERA_PORT = String(port);
    env.TESSERA_LOG_LEVEL = 'warn';
    return env;
  }

  it('keeps the store on the declared volume', () => {
    assert.ok(stage.volumes.length > 0, 'the runtime stage declares no VOLUME');
    const store = stage.env.TESSERA_STORE ?? '';
    assert.ok(
      stage.volumes.some((v) => store.startsWith(`sqlite:${v}/`)),
      `TESSERA_STORE=${store} is not on a volume (${stage.volumes.join(', ')})`,
    );
  });

  it('starts node itself in exec form, and SIGTERM stops it: exit 0, the port free', async () => {
    assert.equal(stage.cmd[0], 'node', `CMD must start node directly, got ${JSON.stringify(stage.cmd)}`);
    const script = stage.cmd.find((a) => a.endsWith('.js'));
    assert.ok(script && existsSync(path.join(REPO_ROOT, script)), `${script} is not built (npm run build)`);
    const port = await freePort();
    const hub = run([process.execPath, ...stage.cmd.slice(1)], imageEnv(port));
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        up = res.status === 200;
        await res.arrayBuffer();
      } catch {
        // not listening yet
      }
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    try {
      assert.ok(up, 'the hub did not become ready');
      // The admin CLI on PATH: a link to the built CLI, run with the image's environment.
      const link = stage.runs
        .map((r) => /ln -s\S*\s+(\/app\/)?(\S+\.js)\s+(\S+)/.exec(r))
        .find((m) => m && /\/bin\/tessera$/.test(m[3] as string));
      assert.ok(link, 'the runtime stage does not put `tessera` on PATH (ln -s …/cli.js …/bin/tessera)');
      const cli = path.join(REPO_ROOT, link[2] as string);
      assert.match(readFileSync(cli, 'utf8').split('\n')[0] ?? '', /^#!\/usr\/bin\/env node/);
      const list = await run([process.execPath, cli, 'root', 'list', '--json'], imageEnv(port)).done;
      assert.equal(list.code, 0, list.out);
      assert.match(list.out, /"api1"/, 'the CLI does not see the store the hub created on the volume');
    } finally {
      hub.kill('SIGTERM');
    }
    const stopped = await Promise.race([
      hub.done,
      new Promise<null>((r) => setTimeout(() => r(null), 20_000)),
    ]);
    if (stopped === null) hub.kill('SIGKILL');
    assert.ok(stopped, 'the hub did not stop within 20 s of SIGTERM');
    assert.equal(stopped.code, 0, stopped.out);
    assert.equal(await isListening(port), false);
    assert.ok(existsSync(path.join(dataDir, 'tessera.db')), 'the store is not on the volume');
  });
});
