/**
 * Run by ./clock.test.ts in a child process of another user: opens the MongoDB store at argv[2]
 * and prints, as JSON, the ids an operator sees in collection argv[3] (not a test file itself).
 */
import { createMongoStores } from '../../server/store/mongodb';
import { visible } from './fixture';

async function main(): Promise<void> {
  const [url, c] = process.argv.slice(2) as [string, string];
  const s = createMongoStores(url);
  await s.init();
  try {
    process.stdout.write(JSON.stringify(await visible(s, c)));
  } finally {
    await s.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
