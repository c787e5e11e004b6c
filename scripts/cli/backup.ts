/**
 * `tessera backup <file>`: a consistent copy of the embedded store taken while the hub runs
 * (SQLite's online backup API, through the store), written to `<file>.partial` and renamed into
 * place when complete, so `<file>` is never half written. An existing file is never overwritten.
 * MongoDB stores are refused with a pointer to mongodump / mongorestore.
 */
import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../../server/errors';
import { out, type Handlers } from './command';

export const backupCommands: Handlers<'backup'> = {
  async backup({ args, json, stores, audit }) {
    const file = path.resolve(args.file as string);
    if (existsSync(file)) throw new ConflictError(`${file} already exists; give a new file name`);
    const partial = `${file}.partial`;
    let pages: number;
    try {
      pages = await stores.backup(partial);
      await rename(partial, file);
    } catch (e) {
      await rm(partial, { force: true });
      throw e;
    }
    const bytes = (await stat(file)).size;
    audit.detail = `${pages} pages, ${bytes} bytes`;
    await out(
      json,
      { file, pages, bytes },
      `backed up the store to ${file} (${pages} pages, ${(bytes / 1048576).toFixed(1)} MiB); restore: see README "Backup and restore"`,
    );
    return 0;
  },
};
