/** The audit trail on SQLite: table audit (./schema.ts), indexed by time, member and collection. */
import type { AuditKind, AuditRecord, AuditStore, PurgeAuditArgs, QueryAuditArgs } from '../contract';
import type { Params, SqliteConnection } from './connection';

interface AuditRow {
  at: number;
  kind: string;
  member: string | null;
  address: string | null;
  endpoint: string;
  api_root: string | null;
  collection_id: string | null;
  count: number | null;
  status: number;
  detail: string | null;
}

export class SqliteAuditStore implements AuditStore {
  constructor(private readonly db: SqliteConnection) {}

  async appendAudit(records: AuditRecord[]): Promise<void> {
    return this.db.run('append audit records', () => {
      const insert = this.db.stmt(
        `INSERT INTO audit (at, kind, member, address, endpoint, api_root, collection_id, count, status, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      this.db.immediate(() => {
        for (const r of records) {
          insert.run(
            r.at,
            r.kind,
            r.member,
            r.address,
            r.endpoint,
            r.apiRoot,
            r.collection,
            r.count,
            r.status,
            r.detail,
          );
        }
      });
    });
  }

  async queryAudit(args: QueryAuditArgs): Promise<AuditRecord[]> {
    return this.db.run('query audit records', () => {
      const where: string[] = [];
      const params: Params = [];
      if (args.member !== undefined) {
        where.push('member = ?');
        params.push(args.member);
      }
      if (args.collection !== undefined) {
        where.push('collection_id = ?');
        params.push(args.collection);
      }
      if (args.since !== undefined) {
        where.push('at >= ?');
        params.push(args.since);
      }
      const sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, seq LIMIT ?`;
      const rows = this.db.stmt(sql).all(...params, args.limit) as AuditRow[];
      return rows.map((r) => ({
        at: r.at,
        kind: r.kind as AuditKind,
        member: r.member,
        address: r.address,
        endpoint: r.endpoint,
        apiRoot: r.api_root,
        collection: r.collection_id,
        count: r.count,
        status: r.status,
        detail: r.detail,
      }));
    });
  }

  async purgeAudit(args: PurgeAuditArgs): Promise<number> {
    return this.db.run(
      'purge audit records',
      () => this.db.stmt('DELETE FROM audit WHERE at < ?').run(args.before).changes,
    );
  }
}
