/**
 * The admin CLI `tessera`, run for real as a child process (`node --import tsx scripts/cli.ts …`)
 * on a given store URL, with no other TESSERA_* setting of ours leaking in.
 */
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
