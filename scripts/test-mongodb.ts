/**
 * Runs the backend-independent suites (store contract, HTTP, process, interop, feeds over real
 * peers, feed jobs, hostile input) and the MongoDB-specific tests against the MongoDB server at TESSERA_MONGO_URL.
 */
import { spawnSync } from 'node:child_process';
import { mongoTestStoreUrl } from './mongodb-test-store';

const url = process.env.TESSERA_MONGO_URL;
if (!url) {
  console.error('test:mongodb: set TESSERA_MONGO_URL (scripts/ferretdb.sh start prints it)');
  process.exit(2);
}
const env = { ...process.env, TESSERA_STORE: mongoTestStoreUrl(url) };
const suites = [
  'test/contract/**/*.test.ts',
  'test/http/**/*.test.ts',
  'test/process/**/*.test.ts',
  'test/interop/**/*.test.ts',
  'test/mongodb/**/*.test.ts',
  'test/feeds/feeds.test.ts',
  'test/jobs/**/*.test.ts',
  'test/hostile/**/*.test.ts',
];
const r = spawnSync('npx', ['mocha', ...suites], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
