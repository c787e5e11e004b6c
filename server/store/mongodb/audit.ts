/** The audit trail on MongoDB: collection audit (./indexes.ts), indexed by time, member and collection. */
import type { Filter } from 'mongodb';
import type { AuditRecord, AuditStore, PurgeAuditArgs, QueryAuditArgs } from '../contract';
import { guard, type MongoConnection } from './connection';
import { AUDIT } from './indexes';

export class MongoAuditStore implements AuditStore {
  constructor(private readonly conn: MongoConnection) {}

  private get audit() {
    return this.conn.collection<AuditRecord>(AUDIT);
  }

  async appendAudit(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    return guard('append audit records', async () => {
      // Copies: insertMany adds an _id to the documents it is given. In order (the default).
      await this.audit.insertMany(records.map((r) => ({ ...r })));
    });
  }

  async queryAudit(args: QueryAuditArgs): Promise<AuditRecord[]> {
    return guard('query audit records', async () => {
      // An undefined member or collection leaves no condition: the client ignores undefined values.
      const filter: Filter<AuditRecord> = { member: args.member, collection: args.collection };
      if (args.since !== undefined) filter.at = { $gte: args.since };
      const docs = await this.audit.find(filter).sort({ at: 1, _id: 1 }).limit(args.limit).toArray();
      return docs.map((d) => ({
        at: d.at,
        kind: d.kind,
        member: d.member ?? null,
        address: d.address ?? null,
        endpoint: d.endpoint,
        apiRoot: d.apiRoot ?? null,
        collection: d.collection ?? null,
        count: d.count ?? null,
        status: d.status,
        detail: d.detail ?? null,
      }));
    });
  }

  async purgeAudit(args: PurgeAuditArgs): Promise<number> {
    return guard('purge audit records', async () => {
      const r = await this.audit.deleteMany({ at: { $lt: args.before } });
      return r.deletedCount;
    });
  }
}
