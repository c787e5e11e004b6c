/**
 * Run by ./clock.test.ts in a child process started as root: once its modules are loaded, it
 * becomes the user of uid/gid argv[4] (so it may read files only root may read, as the sandboxes of
 * mutation runs are), opens the MongoDB store at argv[2] and prints, as JSON, the ids an operator
 * sees in collection argv[3] (not a test file itself).
 */
import { createMongoStores } from '../../server/store/mongodb';
import { visible } from './fixture';

async function main(): Promise<void> {
  const [url, c, id] = process.argv.slice(2) as [string, string, string];
  process.setgid?.(Number(id));
  process.setuid?.(Number(id));
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
