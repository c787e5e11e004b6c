/**
 * `npm run test:mutation` (scripts/mutation): its usage text, and groups that still match the tree.
 * Nothing here starts Stryker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GROUPS, globMatches } from '../../scripts/mutation/groups';
import { REPO_ROOT } from '../helpers/process';

const RUN = path.join(REPO_ROOT, 'scripts', 'mutation', 'run.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;

function files(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`);
}

describe('npm run test:mutation', function () {
  this.timeout(30_000);

  for (const flag of ['--help', '-h']) {
    it(`${flag} prints the usage and exits 0 without running a group`, () => {
      // The --mutate of a missing file makes a run that ignored the flag stop with exit 2
      // instead of starting Stryker.
      const r = spawnSync(process.execPath, ['--import', TSX, RUN, flag, '--mutate', 'server/none.ts'], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: npm run test:mutation -- /);
      for (const g of GROUPS) assert.ok(r.stdout.includes(g.name), `group ${g.name} in the usage`);
      assert.doesNotMatch(r.stdout, /== mutation group/);
    });
  }

  it('--tests without --mutate is refused (exit 2) before anything runs', () => {
    // The mongodb group without TESSERA_MONGO_URL: a run that ignored the check stops there (exit 2,
    // another message) instead of starting Stryker.
    const env = { ...process.env };
    delete env.TESSERA_MONGO_URL;
    const r = spawnSync(
      process.execPath,
      ['--import', TSX, RUN, 'mongodb', '--tests', 'test/access/secrets.test.ts'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env,
        timeout: 20_000,
      },
    );
    assert.equal(r.status, 2, r.stdout);
    assert.match(r.stderr, /--tests goes with --mutate/);
  });

  it('every group mutates files that exist and names test files that exist', () => {
    const sources = ['server', 'feeds', 'scripts', 'collections'].flatMap(files);
    const tests = files('test');
    for (const g of GROUPS) {
      for (const glob of g.mutate.filter((m) => !m.startsWith('!'))) {
        assert.ok(
          sources.some((f) => globMatches(glob, f)),
          `${g.name}: mutate glob ${glob} matches no file`,
        );
      }
      for (const glob of g.tests) {
        assert.ok(
          tests.some((f) => f.endsWith('.test.ts') && globMatches(glob, f)),
          `${g.name}: test glob ${glob} matches no test file`,
        );
      }
    }
  });
});
