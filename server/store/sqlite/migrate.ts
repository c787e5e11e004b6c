/**
 * Bring a file written by an earlier Tessera to the current schema (./schema.ts), before SCHEMA
 * runs. Inside one BEGIN IMMEDIATE transaction, so that of several processes opening an old file
 * the first migrates and the others find it done; a crash mid-way leaves the file as it was.
 *
 * Schema 1 → 2 (TLP-aware sharing): grants get `max_tlp` and collections `default_tlp` (both the
 * default, amber); every stored version gets its `tlp`, computed from its stored body by the same
 * classification as ingest (server/access/tlp.ts); the paging indexes without `tlp` are replaced.
 *
 * Schema 2 → 3 (bounded statuses): statuses get `success_count`, `failure_count`, `pending_count`,
 * since their lists may now be left out; NULL in statuses written before, which are read with the
 * lengths of their (complete) lists instead (./statuses.ts).
 */
import type Database from 'better-sqlite3';
import { classify } from '../../access/tlp';
import { SCHEMA_VERSION } from './schema';

/** The stored tlp value of an object body: its TLP rank, -1 without TLP marking (or unparsable). */
export function tlpColumn(body: string): number {
  try {
    return classify(JSON.parse(body)) ?? -1;
  } catch {
    return -1;
  }
}

function columns(db: Database.Database, table: string): Set<string> {
  return new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name));
}

/** Returns what was done, for the log ('' when the file was already current or new). */
export function migrate(db: Database.Database): string {
  return db
    .transaction((): string => {
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
          (t) => t.name,
        ),
      );
      const done: string[] = [];
      if (tables.has('grants') && !columns(db, 'grants').has('max_tlp')) {
        db.exec("ALTER TABLE grants ADD COLUMN max_tlp TEXT NOT NULL DEFAULT 'amber'");
        done.push('grants.max_tlp');
      }
      if (tables.has('collections') && !columns(db, 'collections').has('default_tlp')) {
        db.exec("ALTER TABLE collections ADD COLUMN default_tlp TEXT NOT NULL DEFAULT 'amber'");
        done.push('collections.default_tlp');
      }
      if (tables.has('objects') && !columns(db, 'objects').has('tlp')) {
        db.exec('ALTER TABLE objects ADD COLUMN tlp INTEGER NOT NULL DEFAULT -1');
        db.function('tessera_tlp', (body: unknown) => (typeof body === 'string' ? tlpColumn(body) : -1));
        const n = db.prepare('UPDATE objects SET tlp = tessera_tlp(body)').run().changes;
        for (const ix of ['objects_coll', 'objects_last', 'objects_first', 'objects_type'])
          db.exec(`DROP INDEX IF EXISTS ${ix}`);
        done.push(`objects.tlp (${n} versions classified)`);
      }
      if (tables.has('statuses') && !columns(db, 'statuses').has('success_count')) {
        for (const c of ['success_count', 'failure_count', 'pending_count'])
          db.exec(`ALTER TABLE statuses ADD COLUMN ${c} INTEGER`);
        done.push('statuses.success_count, failure_count, pending_count');
      }
      return done.length > 0 ? `schema ${SCHEMA_VERSION}: added ${done.join(', ')}` : '';
    })
    .immediate();
}
