/**
 * The admin CLI `tessera`, run for real as a child process (`node --import tsx scripts/cli.ts …`)
 * on a given store URL, with no other TESSERA_* setting of ours leaking in; `ok`, `okJson` and
 * `fails` run it and assert the outcome.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './process';

export const CLI = path.join(REPO_ROOT, 'scripts', 'cli.ts');
/** tsx by absolute URL, so that the CLI also starts from another working directory. */
const TSX = pathToFileURL(require.resolve('tsx')).href;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `tessera <args>` on `storeUrl`; `stdin` is piped in (closed at once when absent). */
export function tessera(
  storeUrl: string,
  args: string[],
  stdin = '',
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TESSERA_')) env[k] = v;
  env.TESSERA_STORE = storeUrl;
  Object.assign(env, opts.env);
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function describeRun(r: CliRun): string {
  return `exit ${r.code}\n--- stdout ---\n${r.stdout.slice(0, 3000)}\n--- stderr ---\n${r.stderr.slice(0, 3000)}`;
}

export async function ok(storeUrl: string, args: string[], stdin = ''): Promise<CliRun> {
  const r = await tessera(storeUrl, args, stdin);
  assert.equal(r.code, 0, `tessera ${args.join(' ')}: ${describeRun(r)}`);
  return r;
}

export async function okJson<T = Record<string, unknown>>(
  storeUrl: string,
  args: string[],
  stdin = '',
): Promise<T> {
  const r = await ok(storeUrl, [...args, '--json'], stdin);
  return JSON.parse(r.stdout) as T;
}

/** An expected failure: the exit code, `tessera: …` on stderr, and never a stack trace. */
export async function fails(
  storeUrl: string,
  args: string[],
  code: 1 | 2,
  message: RegExp,
  stdin = '',
): Promise<CliRun> {
  const r = await tessera(storeUrl, args, stdin);
  assert.equal(r.code, code, `tessera ${args.join(' ')}: ${describeRun(r)}`);
  assert.match(r.stderr, /^tessera: /, describeRun(r));
  assert.match(r.stderr, message, describeRun(r));
  assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace printed:\n${r.stderr}`);
  if (code === 2) assert.match(r.stderr, /usage: tessera/, describeRun(r));
  return r;
}

/** `tessera collection add <root> --alias <alias>` shared with `group` for read and write; its --json output. */
export async function addSharedCollection<T = { id: string }>(
  storeUrl: string,
  opts: { root: string; alias: string; group: string; title?: string },
): Promise<T> {
  const { root, alias, group } = opts;
  const title = opts.title ?? alias;
  return okJson<T>(storeUrl, [
    'collection',
    'add',
    root,
    '--title',
    title,
    '--alias',
    alias,
    '--read',
    group,
    '--write',
    group,
  ]);
}
