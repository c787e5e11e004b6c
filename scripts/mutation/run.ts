/**
 * `npm run test:mutation`: StrykerJS over the security- and correctness-critical code, one group
 * at a time, each group running only the test files that exercise it (scripts/mutation/groups.ts).
 *
 *   npm run test:mutation                         every group, one after another
 *   npm run test:mutation -- pattern query        the named groups
 *   npm run test:mutation -- --mutate server/stix/pattern/parser.ts
 *                                                 one file (or file:line-range), with its group's tests
 *   npm run test:mutation -- --mutate <file> --tests test/access/secrets.test.ts
 *                                                 one file with only the given tests (comma-separated
 *                                                 globs): for code that fixtures run in before()
 *                                                 hooks, whose mutants are static and each run the
 *                                                 whole group (see mocha-hooks.ts)
 *   npm run test:mutation -- --list               the groups, their files and tests
 *   npm run test:mutation -- --help               usage
 *   npm run test:mutation -- --summary [dir…]     the per-file table of reports already written
 *
 * Any other `--option value` is passed to `stryker run` (e.g. `--concurrency 2`). Each run writes
 * reports/mutation/<name>/mutation.html and mutation.json and prints the per-file table.
 * The mongodb group needs TESSERA_MONGO_URL (scripts/ferretdb.sh start) and runs its suites on a
 * fresh database there, as `npm run test:mongodb` does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mongoTestStoreUrl } from '../mongodb-test-store';
import { GROUPS, globMatches, groupMutates, type MutationGroup } from './groups';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORTS = path.join(ROOT, 'reports', 'mutation');
const SOURCE_DIRS = ['server', 'feeds', 'scripts', 'collections'];
const TEST_DIR = 'test';

interface Run {
  name: string;
  mutate: string[];
  tests: string[];
  mongodb: boolean;
}

function sourceFiles(dirs: readonly string[] = SOURCE_DIRS): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const abs = path.join(ROOT, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs, { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts')) out.push(`${dir}/${f.split(path.sep).join('/')}`);
    }
  }
  return out.sort();
}

function filesOf(group: MutationGroup, files: readonly string[]): string[] {
  return files.filter((f) => groupMutates(group, f));
}

const HELP = `usage: npm run test:mutation -- [group… | --mutate <file>[:lines][,<file>…]] [--<stryker option> <value>…]
       npm run test:mutation -- --list | --summary [report dir or json…] | --help

  (no argument)        every group, one after another (long: prefer one group or one file)
  group…               the named groups: ${GROUPS.map((g) => g.name).join(', ')}
  --mutate <file>      one file (or file:line-range) with its group's tests
  --tests <glob,…>     with --mutate: run these test files instead of the group's
  --list               the groups, the files they mutate and their tests
  --summary [dir…]     the per-file table of reports already written (default: reports/mutation/*)
  --help, -h           this text
  --<option> <value>   passed to \`stryker run\` (e.g. --concurrency 1)

Reports: reports/mutation/<run>/mutation.{html,json}.
The mongodb group needs TESSERA_MONGO_URL (scripts/ferretdb.sh start).`;

function usage(message: string): never {
  console.error(`test:mutation: ${message}`);
  console.error(`groups: ${GROUPS.map((g) => g.name).join(', ')}  (see --list, --help)`);
  process.exit(2);
}

function parseArgs(argv: string[]): { runs: Run[]; passthrough: string[]; summary?: string[] } {
  const names: string[] = [];
  const mutates: string[] = [];
  const testsOverride: string[] = [];
  const passthrough: string[] = [];
  let summary: string[] | undefined;
  const files = sourceFiles();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (a === '--list') {
      const tests = sourceFiles([TEST_DIR]);
      for (const g of GROUPS) {
        console.log(`${g.name}: ${g.description}${g.mongodb ? ' (needs TESSERA_MONGO_URL)' : ''}`);
        console.log(`  mutates: ${filesOf(g, files).join(' ') || '(no file yet)'}`);
        // A test glob left behind by a move would silently shrink the group's tests.
        const stale = g.tests.filter((t) => !tests.some((f) => globMatches(t, f)));
        console.log(`  tests:   ${g.tests.join(' ')}`);
        if (stale.length > 0) console.log(`  MATCH NO TEST FILE: ${stale.join(' ')}`);
      }
      process.exit(0);
    } else if (a === '--summary') {
      summary = argv.slice(i + 1);
      break;
    } else if (a === '--mutate' || a.startsWith('--mutate=') || a === '--tests' || a.startsWith('--tests=')) {
      // A comma-separated list, as `--opt list` or `--opt=list`.
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined) usage(`${name} needs a comma-separated list of files`);
      (name === '--mutate' ? mutates : testsOverride).push(...v.split(','));
    } else if (a.startsWith('-')) {
      passthrough.push(a);
      const v = argv[i + 1];
      if (!a.includes('=') && v !== undefined && !v.startsWith('-')) passthrough.push(argv[++i] as string);
    } else {
      if (!GROUPS.some((g) => g.name === a)) usage(`unknown group ${a}`);
      names.push(a);
    }
  }
  if (summary) return { runs: [], passthrough, summary };
  if (testsOverride.length > 0 && mutates.length === 0) usage('--tests goes with --mutate');
  if (mutates.length > 0) {
    if (names.length > 0) usage('give either groups or --mutate, not both');
    const groups = new Set<MutationGroup>();
    for (const m of mutates) {
      const file = m.replace(/:[\d:-]+$/, '');
      const owners = GROUPS.filter((g) => groupMutates(g, file));
      if (owners.length === 0) usage(`${file} belongs to no group (see --list)`);
      if (!existsSync(path.join(ROOT, file))) usage(`${file} does not exist`);
      for (const g of owners) groups.add(g);
    }
    const label = mutates.map((m) => path.basename(m.replace(/:[\d:-]+$/, ''), '.ts')).join('+');
    return {
      runs: [
        {
          name: `file-${label}`,
          mutate: mutates,
          tests: testsOverride.length > 0 ? testsOverride : [...new Set([...groups].flatMap((g) => g.tests))],
          mongodb: [...groups].some((g) => g.mongodb === true),
        },
      ],
      passthrough,
    };
  }
  const chosen = names.length > 0 ? GROUPS.filter((g) => names.includes(g.name)) : GROUPS;
  const runs: Run[] = [];
  for (const g of chosen) {
    if (filesOf(g, files).length === 0) {
      console.log(`test:mutation: group ${g.name} has no file to mutate yet; skipped`);
      continue;
    }
    runs.push({ name: g.name, mutate: g.mutate, tests: g.tests, mongodb: g.mongodb === true });
  }
  return { runs, passthrough };
}

function strykerConfig(run: Run, dir: string): object {
  return {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    testRunner: 'mocha',
    plugins: ['@stryker-mutator/mocha-runner'],
    // perTest, with before()/after() hook coverage made static by mocha-hooks.ts (see there).
    coverageAnalysis: 'perTest',
    mutate: run.mutate,
    mochaOptions: {
      spec: run.tests,
      extension: ['ts'],
      require: ['tsx/cjs', 'scripts/mutation/mocha-hooks.ts'],
    },
    reporters: ['html', 'json', 'clear-text', 'progress-append-only'],
    htmlReporter: { fileName: path.relative(ROOT, path.join(dir, 'mutation.html')) },
    jsonReporter: { fileName: path.relative(ROOT, path.join(dir, 'mutation.json')) },
    clearTextReporter: { logTests: false, reportScoreTable: true },
    thresholds: { high: 95, low: 90, break: null },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    ignorePatterns: ['dist', 'data', '.venv', '.ci/work', 'reports', 'coverage'],
    timeoutMS: 10000,
  };
}

interface MutantJson {
  status: string;
}
interface ReportJson {
  files: Record<string, { mutants: MutantJson[] }>;
}

export interface FileScore {
  file: string;
  total: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  ignored: number;
  errors: number;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), in percent. */
  score: number;
}

export function scoreReport(report: ReportJson): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (s: string) => mutants.filter((m) => m.status === s).length;
      const killed = count('Killed');
      const survived = count('Survived');
      const timeout = count('Timeout');
      const noCoverage = count('NoCoverage');
      const ignored = count('Ignored');
      const valid = killed + timeout + survived + noCoverage;
      return {
        file,
        total: mutants.length,
        killed,
        survived,
        timeout,
        noCoverage,
        ignored,
        errors: count('CompileError') + count('RuntimeError'),
        score: valid === 0 ? 100 : (100 * (killed + timeout)) / valid,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

function printTable(rows: FileScore[]): void {
  const head = ['file', 'total', 'killed', 'survived', 'timeout', 'no cov', 'ignored', 'score'];
  const lines = rows.map((r) => [
    r.file,
    String(r.total),
    String(r.killed),
    String(r.survived),
    String(r.timeout),
    String(r.noCoverage),
    String(r.ignored),
    r.score.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

function summarize(dirs: string[]): void {
  const reports =
    dirs.length > 0
      ? dirs.map((d) => (d.endsWith('.json') ? d : path.join(d, 'mutation.json')))
      : existsSync(REPORTS)
        ? readdirSync(REPORTS).map((d) => path.join(REPORTS, d, 'mutation.json'))
        : [];
  const rows: FileScore[] = [];
  for (const r of reports) {
    if (!existsSync(r)) continue;
    rows.push(...scoreReport(JSON.parse(readFileSync(r, 'utf8')) as ReportJson));
  }
  if (rows.length === 0) {
    console.log('test:mutation: no report found');
    return;
  }
  printTable(rows);
}

function main(): void {
  const { runs, passthrough, summary } = parseArgs(process.argv.slice(2));
  if (summary) return summarize(summary);
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Stryker runs the tests in a sandbox copy; point them at the corpus beside the real checkout.
  env.TESSERA_CORPUS ??= path.resolve(ROOT, '..', 'shared', 'corpus');
  const written: string[] = [];
  const timings: string[] = [];
  let failed = false;
  for (const run of runs) {
    const runEnv = { ...env };
    if (run.mongodb) {
      const url = process.env.TESSERA_MONGO_URL;
      if (!url) usage(`${run.name} needs TESSERA_MONGO_URL (scripts/ferretdb.sh start prints it)`);
      runEnv.TESSERA_STORE = mongoTestStoreUrl(url);
    } else {
      delete runEnv.TESSERA_STORE;
    }
    const dir = path.join(REPORTS, run.name);
    mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'stryker.config.json');
    writeFileSync(config, JSON.stringify(strykerConfig(run, dir), null, 2) + '\n');
    console.log(`\n== mutation group ${run.name}: ${run.mutate.join(' ')}\n   tests: ${run.tests.join(' ')}`);
    const started = Date.now();
    const r = spawnSync('npx', ['stryker', 'run', path.relative(ROOT, config), ...passthrough], {
      cwd: ROOT,
      stdio: 'inherit',
      env: runEnv,
    });
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    timings.push(`${run.name}: ${minutes} min`);
    if (r.status !== 0) {
      console.error(`test:mutation: stryker failed for ${run.name} (exit ${r.status ?? r.signal})`);
      failed = true;
      continue;
    }
    written.push(dir);
  }
  if (written.length > 0) {
    console.log('\n== mutation scores');
    summarize(written);
  }
  if (timings.length > 0) console.log(`\n== wall time: ${timings.join(', ')}`);
  if (failed) process.exit(1);
}

if (require.main === module) main();
