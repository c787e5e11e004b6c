/**
 * The project's Python virtualenv (scripts/setup-python.sh) for interop tests: where its python
 * is, whether it has a module, and running a driver script with a JSON scenario on stdin.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** TESSERA_PYTHON, else the venv's python (relative paths are taken from the repository root). */
export function venvPython(): string {
  return path.resolve(REPO_ROOT, process.env.TESSERA_PYTHON ?? '.venv/bin/python');
}

/** null when `python` can import every module, else why not. */
export function pythonProblem(python: string, modules: string[]): string | null {
  if (!existsSync(python)) return `${python} does not exist (run scripts/setup-python.sh)`;
  const r = spawnSync(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) return `${python} could not be run: ${r.error.message}`;
  if (r.status !== 0) return `${python} cannot import ${modules.join(', ')}: ${r.stderr.trim()}`;
  return null;
}

/**
 * In a mocha before(): skip the suite with a printed reason when the tool is missing, but fail
 * under CI, where nothing may skip for a missing tool.
 */
export function requireTool(ctx: Mocha.Context, problem: string | null): void {
  if (problem === null) return;
  if (process.env.CI === 'true') throw new Error(`required under CI: ${problem}`);
  console.log(`      skipped: ${problem}`);
  ctx.skip();
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `python script` with `input` as JSON on stdin. */
export function runPython(
  python: string,
  script: string,
  input: unknown,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(JSON.stringify(input));
  });
}
