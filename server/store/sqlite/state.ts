/** Shared state on SQLite: tables settings (secrets) and state (compare-and-set records). */
import { randomBytes } from 'node:crypto';
import type { PutStateArgs, StateRecord, StateStore } from '../contract';
import type { SqliteConnection } from './connection';

export class SqliteStateStore implements StateStore {
  constructor(private readonly db: SqliteConnection) {}

  async sharedSecret(name: string): Promise<Buffer> {
    return this.db.run('shared secret', () => {
      const key = `secret:${name}`;
      this.db.stmt('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(key, randomBytes(32));
      const row = this.db.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: Buffer };
      return row.value;
    });
  }

  async getState(key: string): Promise<StateRecord | null> {
    return this.db.run('get state', () => {
      const row = this.db.stmt('SELECT key, value, version FROM state WHERE key = ?').get(key) as
        StateRecord | undefined;
      return row ?? null;
    });
  }

  async putState(args: PutStateArgs): Promise<boolean> {
    return this.db.run('put state', () => {
      if (args.expectedVersion === 0) {
        return (
          this.db
            .stmt('INSERT OR IGNORE INTO state (key, value, version) VALUES (?, ?, 1)')
            .run(args.key, args.value).changes === 1
        );
      }
      return (
        this.db
          .stmt('UPDATE state SET value = ?, version = version + 1 WHERE key = ? AND version = ?')
          .run(args.value, args.key, args.expectedVersion).changes === 1
      );
    });
  }
}
