/**
 * Objects on MongoDB, by job: ./documents.ts (the version documents, filters), ./add.ts (adding a
 * batch), ./clock.ts (dateAdded reservations and reader visibility), ./settle.ts (first/last flags
 * without transactions), ./repair.ts (crash repair of dead writers); reads and deletes here.
 */
import type { Filter } from 'mongodb';
import type {
  AddObjectsArgs,
  AddOutcome,
  DeleteObjectArgs,
  ObjectExistsArgs,
  ObjectStore,
  Page,
  PurgeCollectionArgs,
  QueryObjectsArgs,
  StoredVersion,
} from '../../contract';
import { StoreUnavailableError } from '../../../errors';
import type { Micros } from '../../../time';
import { guard, type MongoConnection } from '../connection';
import { CLOCK, INTENTS, OBJECTS } from '../indexes';
import { PageCut } from '../../paging';
import { addObjects } from './add';
import { newToken, StoreClock, type ClockLink, type IntentDoc } from './clock';
import { objectFilter, withScope, type ObjectDoc, type ObjectHandles } from './documents';
import { classifyStored } from './migrate';
import { CrashRepair } from './repair';
import { settleFlags } from './settle';

export class MongoObjectStore implements ObjectStore {
  private clock: StoreClock | null = null;
  private readonly repair = new CrashRepair(() => this.handles);

  constructor(private readonly conn: MongoConnection) {}

  private get handles(): ObjectHandles {
    const objects = this.conn.collection<ObjectDoc>(OBJECTS);
    if (!this.clock) throw new StoreUnavailableError('the MongoDB store is not open');
    return { objects, clock: this.clock };
  }

  /**
   * Once the connection is open: the clock exists, writers that died mid-write are repaired, and
   * repairs run every REPAIR_INTERVAL_MS from now on. Idempotent; unguarded (see the backend's init).
   */
  async open(): Promise<void> {
    this.clock ??= new StoreClock(
      this.conn.collection<ClockLink>(CLOCK),
      this.conn.collection<IntentDoc>(INTENTS),
    );
    await this.clock.ensure();
    await classifyStored(this.conn);
    await this.repair.run();
    this.repair.start();
  }

  /**
   * Stop repairs, after a last one when this instance owes one: only it knows that a failed write
   * must be removed rather than kept (./repair.ts), so a failure it could not undo is undone now if
   * the store answers. Whatever is still unfinished then becomes repairable by others.
   */
  async close(): Promise<void> {
    this.repair.stop();
    if (this.clock?.owesRepair()) await this.repair.run().catch(() => undefined);
    this.clock?.retire();
    this.clock = null;
  }

  async addObjects(args: AddObjectsArgs): Promise<AddOutcome[]> {
    return guard('add objects', async () => addObjects(this.handles, args));
  }

  async queryObjects(args: QueryObjectsArgs): Promise<Page<StoredVersion>> {
    return guard('query objects', async () => {
      const h = this.handles;
      const base = objectFilter(args.collectionId, args.filter);
      if (base === null) return { items: [], more: false };
      // dateAdded values are positive: a lower bound of 0 excludes nothing.
      const da: { $gt: Micros; $lt: Micros } = {
        $gt: Math.max(args.after ?? 0, args.filter.addedAfter ?? 0),
        $lt: await h.clock.visibilityCap(),
      };
      const filter = withScope({ ...base, da } as Filter<ObjectDoc>, args.visibleTo);
      if (filter === null) return { items: [], more: false };
      const projection: Record<string, 0 | 1> = { _id: 0, oid: 1, type: 1, sv: 1, ver: 1, da: 1 };
      if (args.withBody) projection.body = 1;
      const cursor = h.objects
        .find(filter)
        .project<Pick<ObjectDoc, 'oid' | 'type' | 'sv' | 'ver' | 'da' | 'body'>>(projection)
        .sort({ da: 1 })
        .limit(args.limit + 1);
      // Document by document, so that a page of large objects stops reading at its byte budget
      // (which only bodies count). Leaving the loop closes the cursor.
      const page = new PageCut<Pick<ObjectDoc, 'oid' | 'type' | 'sv' | 'ver' | 'da' | 'body'>>(
        args.limit,
        args.maxBytes,
      );
      for await (const d of cursor) if (!page.offer(d, d.body)) break;
      return {
        more: page.more,
        items: page.items.map((d) => {
          const v: StoredVersion = {
            id: d.oid,
            type: d.type,
            specVersion: d.sv,
            version: d.ver,
            dateAdded: d.da,
          };
          if (d.body !== undefined) v.body = d.body;
          return v;
        }),
      };
    });
  }

  async objectExists(args: ObjectExistsArgs): Promise<boolean> {
    return guard('object exists', async () => {
      const filter = withScope({ c: args.collectionId, oid: args.id }, args.visibleTo);
      if (filter === null) return false;
      const d = await this.handles.objects.findOne(
        filter,
        // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only the fields it names
        { projection: { _id: 1 } },
      );
      return d !== null;
    });
  }

  async deleteObject(args: DeleteObjectArgs): Promise<number> {
    return guard('delete object', async () => {
      const h = this.handles;
      const base = objectFilter(args.collectionId, {
        ids: [args.id],
        specVersions: args.specVersions,
        versions: args.versions ?? { kind: 'all' },
      });
      const filter = base === null ? null : withScope(base, args.visibleTo);
      if (filter === null) return 0;
      const token = newToken();
      await h.clock.intend(token, args.collectionId, args.id); // on failure it abandons the intent itself
      try {
        const r = await h.objects.deleteMany(filter);
        await settleFlags(h, args.collectionId, [args.id]);
        await h.clock.fulfil(token);
        return r.deletedCount;
      } catch (e) {
        h.clock.abandonIntent(token);
        throw e;
      }
    });
  }

  /*
   * A batch of the collection's documents by _id, then one deleteMany of exactly those: each call
   * removes at most `limit` documents (no transaction needed, since every version of the
   * collection goes and no first/last flag is left to settle), and calling again continues.
   */
  async purgeCollection(args: PurgeCollectionArgs): Promise<number> {
    return guard(`purge collection ${args.collectionId}`, async () => {
      const h = this.handles;
      const ids = await h.objects
        .find(
          { c: args.collectionId },
          // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only the fields it names
          { projection: { _id: 1 } },
        )
        .limit(Math.max(1, Math.floor(args.limit)))
        .toArray();
      const r = await h.objects.deleteMany({ _id: { $in: ids.map((d) => d._id) } });
      return r.deletedCount;
    });
  }

  async countObjects(collectionId: string): Promise<number> {
    return guard('count objects', async () => this.handles.objects.countDocuments({ c: collectionId }));
  }
}
