/** Statuses on MongoDB: collection statuses (./indexes.ts). */
import type {
  GetStatusArgs,
  PurgeCollectionStatusesArgs,
  PurgeStatusesArgs,
  StatusDetail,
  StatusRecord,
  StatusStore,
} from '../contract';
import { guard, type MongoConnection } from './connection';
import { STATUSES } from './indexes';

/**
 * A StatusRecord stored under its id, with expiresAt also as a Date for the TTL index. The counts
 * are absent from documents written before they were stored: the list lengths then.
 */
interface StatusDoc extends Omit<StatusRecord, 'id' | 'successCount' | 'failureCount' | 'pendingCount'> {
  _id: string;
  expiresAtDate: Date;
  successCount?: number;
  failureCount?: number;
  pendingCount?: number;
}

export class MongoStatusStore implements StatusStore {
  constructor(private readonly conn: MongoConnection) {}

  private get statuses() {
    return this.conn.collection<StatusDoc>(STATUSES);
  }

  // ---------------------------------------------------------------- statuses

  async putStatus(s: StatusRecord): Promise<void> {
    return guard('put status', async () => {
      const doc: StatusDoc = {
        _id: s.id,
        apiRoot: s.apiRoot,
        collectionId: s.collectionId,
        member: s.member,
        requestTimestamp: s.requestTimestamp,
        status: s.status,
        totalCount: s.totalCount,
        successCount: s.successCount,
        failureCount: s.failureCount,
        pendingCount: s.pendingCount,
        successes: s.successes,
        failures: s.failures,
        pendings: s.pendings,
        expiresAt: s.expiresAt,
        expiresAtDate: new Date(Math.floor(s.expiresAt / 1000)),
      };
      await this.statuses.replaceOne({ _id: s.id }, doc, { upsert: true });
    });
  }

  async getStatus(args: GetStatusArgs): Promise<StatusRecord | null> {
    return guard('get status', async () => {
      const d = await this.statuses.findOne({ _id: args.id, apiRoot: args.apiRoot });
      if (!d) return null;
      const details = (xs: StatusDetail[] | undefined): StatusDetail[] =>
        (xs ?? []).map((x) => {
          const out: StatusDetail = { id: x.id, version: x.version };
          if (x.message !== undefined && x.message !== null) out.message = x.message;
          return out;
        });
      const successes = details(d.successes);
      const failures = details(d.failures);
      const pendings = details(d.pendings);
      return {
        id: d._id,
        apiRoot: d.apiRoot,
        collectionId: d.collectionId,
        member: d.member,
        requestTimestamp: d.requestTimestamp,
        status: d.status === 'pending' ? 'pending' : 'complete',
        totalCount: d.totalCount,
        successCount: d.successCount ?? successes.length,
        failureCount: d.failureCount ?? failures.length,
        pendingCount: d.pendingCount ?? pendings.length,
        successes,
        failures,
        pendings,
        expiresAt: d.expiresAt,
      };
    });
  }

  async purgeStatuses(args: PurgeStatusesArgs): Promise<number> {
    return guard('purge statuses', async () => {
      const r = await this.statuses.deleteMany({ expiresAt: { $lt: args.before } });
      return r.deletedCount;
    });
  }

  async purgeCollectionStatuses(args: PurgeCollectionStatusesArgs): Promise<number> {
    return guard('purge the statuses of a collection', async () => {
      const r = await this.statuses.deleteMany({ collectionId: args.collectionId });
      return r.deletedCount;
    });
  }
}
