/** Statuses on SQLite: table statuses (./schema.ts). */
import type {
  GetStatusArgs,
  PurgeCollectionStatusesArgs,
  PurgeStatusesArgs,
  StatusRecord,
  StatusStore,
} from '../contract';
import type { SqliteConnection } from './connection';

interface StatusRow {
  id: string;
  api_root: string;
  collection_id: string;
  member: string;
  request_timestamp: number;
  status: string;
  total_count: number;
  /** NULL in rows written before the counts were stored: the list lengths then. */
  success_count: number | null;
  failure_count: number | null;
  pending_count: number | null;
  successes: string;
  failures: string;
  pendings: string;
  expires_at: number;
}

export class SqliteStatusStore implements StatusStore {
  constructor(private readonly db: SqliteConnection) {}

  async putStatus(s: StatusRecord): Promise<void> {
    return this.db.run('put status', () => {
      this.db
        .stmt(
          `INSERT OR REPLACE INTO statuses (id, api_root, collection_id, member, request_timestamp, status,
           total_count, success_count, failure_count, pending_count, successes, failures, pendings, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          s.id,
          s.apiRoot,
          s.collectionId,
          s.member,
          s.requestTimestamp,
          s.status,
          s.totalCount,
          s.successCount,
          s.failureCount,
          s.pendingCount,
          JSON.stringify(s.successes),
          JSON.stringify(s.failures),
          JSON.stringify(s.pendings),
          s.expiresAt,
        );
    });
  }

  async getStatus(args: GetStatusArgs): Promise<StatusRecord | null> {
    return this.db.run('get status', () => {
      const r = this.db
        .stmt('SELECT * FROM statuses WHERE id = ? AND api_root = ?')
        .get(args.id, args.apiRoot) as StatusRow | undefined;
      if (!r) return null;
      const successes = JSON.parse(r.successes) as StatusRecord['successes'];
      const failures = JSON.parse(r.failures) as StatusRecord['failures'];
      const pendings = JSON.parse(r.pendings) as StatusRecord['pendings'];
      return {
        id: r.id,
        apiRoot: r.api_root,
        collectionId: r.collection_id,
        member: r.member,
        requestTimestamp: r.request_timestamp,
        status: r.status === 'pending' ? 'pending' : 'complete',
        totalCount: r.total_count,
        successCount: r.success_count ?? successes.length,
        failureCount: r.failure_count ?? failures.length,
        pendingCount: r.pending_count ?? pendings.length,
        successes,
        failures,
        pendings,
        expiresAt: r.expires_at,
      };
    });
  }

  async purgeStatuses(args: PurgeStatusesArgs): Promise<number> {
    return this.db.run(
      'purge statuses',
      () => this.db.stmt('DELETE FROM statuses WHERE expires_at < ?').run(args.before).changes,
    );
  }

  async purgeCollectionStatuses(args: PurgeCollectionStatusesArgs): Promise<number> {
    return this.db.run(
      'purge the statuses of a collection',
      () => this.db.stmt('DELETE FROM statuses WHERE collection_id = ?').run(args.collectionId).changes,
    );
  }
}
