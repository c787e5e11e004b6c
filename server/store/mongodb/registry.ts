/** The registry on MongoDB: collections apiroots and collections (./indexes.ts). */
import type {
  ApiRootRecord,
  CollectionRecord,
  CreateApiRootArgs,
  CreateCollectionArgs,
  FindCollectionArgs,
  Grant,
  GrantInput,
  ListCollectionsArgs,
  PutGrantArgs,
  RegistryStore,
  RemoveCollectionArgs,
  RemoveGrantArgs,
  SetDefaultTlpArgs,
  SetGrantsArgs,
} from '../contract';
import { completeGrants, storedLevel } from '../grants';
import { ConflictError, NotFoundError, StoreError } from '../../errors';
import { nowMicros, type Micros } from '../../time';
import { guard, type MongoConnection } from './connection';
import { API_ROOTS, COLLECTIONS } from './indexes';
import { byString } from './sort';

interface ApiRootDoc {
  _id: string;
  title: string;
  description?: string;
  createdAt: Micros;
}

interface CollectionDoc {
  _id: string;
  apiRoot: string;
  title: string;
  description?: string;
  alias?: string;
  ak: string;
  mediaTypes: string[];
  /** Grants stored before TLP ceilings existed have no maxTlp: they read as the default. */
  grants: Grant[];
  /** Absent on collections stored before TLP defaults existed: reads as the default. */
  defaultTlp?: string;
  createdAt: Micros;
}

function aliasKey(apiRoot: string, alias: string): string {
  return JSON.stringify([apiRoot, 'alias', alias]);
}

function idKey(apiRoot: string, id: string): string {
  return JSON.stringify([apiRoot, 'id', id]);
}

function collectionFromDoc(d: CollectionDoc): CollectionRecord {
  const rec: CollectionRecord = {
    id: d._id,
    apiRoot: d.apiRoot,
    title: d.title,
    mediaTypes: d.mediaTypes,
    grants: completeGrants(d.grants ?? []),
    defaultTlp: storedLevel(d.defaultTlp),
    createdAt: d.createdAt,
  };
  if (d.description !== undefined && d.description !== null) rec.description = d.description;
  if (d.alias !== undefined && d.alias !== null) rec.alias = d.alias;
  return rec;
}

function apiRootFromDoc(d: ApiRootDoc): ApiRootRecord {
  const rec: ApiRootRecord = { name: d._id, title: d.title, createdAt: d.createdAt };
  if (d.description !== undefined && d.description !== null) rec.description = d.description;
  return rec;
}

export class MongoRegistryStore implements RegistryStore {
  constructor(private readonly conn: MongoConnection) {}

  private get apiRoots() {
    return this.conn.collection<ApiRootDoc>(API_ROOTS);
  }

  private get collections() {
    return this.conn.collection<CollectionDoc>(COLLECTIONS);
  }

  // ---------------------------------------------------------------- API roots

  async createApiRoot(args: CreateApiRootArgs): Promise<ApiRootRecord> {
    return guard(`API root ${args.name}`, async () => {
      // An absent description stays absent: the client ignores undefined values (connection.ts).
      const doc: ApiRootDoc = {
        _id: args.name,
        title: args.title,
        description: args.description,
        createdAt: nowMicros(),
      };
      await this.apiRoots.insertOne(doc);
      return apiRootFromDoc(doc);
    });
  }

  async getApiRoot(name: string): Promise<ApiRootRecord | null> {
    return guard('get API root', async () => {
      const d = await this.apiRoots.findOne({ _id: name });
      return d ? apiRootFromDoc(d) : null;
    });
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return guard('list API roots', async () => {
      const docs = await this.apiRoots.find({}).toArray();
      return docs.map(apiRootFromDoc).sort(byString((r) => r.name));
    });
  }

  /*
   * Without transactions: the root is deleted only when it holds no collection, and checked again
   * afterwards; a collection created in it at that very moment (createCollection checks the root,
   * then inserts) puts the root back and the removal is refused, so no collection is left without
   * its root.
   */
  async removeApiRoot(name: string): Promise<boolean> {
    return guard(`remove API root ${name}`, async () => {
      const held = async () => this.collections.countDocuments({ apiRoot: name });
      const refuse = (n: number) => new ConflictError(`API root ${name} still holds ${n} collection(s)`);
      let n = await held();
      if (n > 0) throw refuse(n);
      const doc = await this.apiRoots.findOneAndDelete({ _id: name });
      if (!doc) return false;
      n = await held();
      if (n > 0) {
        await this.apiRoots.insertOne(doc);
        throw refuse(n);
      }
      return true;
    });
  }

  // ---------------------------------------------------------------- collections

  async createCollection(args: CreateCollectionArgs): Promise<CollectionRecord> {
    return guard(`collection ${args.id}`, async () => {
      if (!(await this.apiRoots.findOne({ _id: args.apiRoot }))) {
        throw new NotFoundError(`API root ${args.apiRoot} does not exist`);
      }
      const doc: CollectionDoc = {
        _id: args.id,
        apiRoot: args.apiRoot,
        title: args.title,
        ak: args.alias !== undefined ? aliasKey(args.apiRoot, args.alias) : idKey(args.apiRoot, args.id),
        mediaTypes: [...args.mediaTypes],
        grants: completeGrants(args.grants),
        defaultTlp: storedLevel(args.defaultTlp),
        createdAt: nowMicros(),
        // Absent ones stay absent: the client ignores undefined values (connection.ts).
        description: args.description,
        alias: args.alias,
      };
      await this.collections.insertOne(doc);
      return collectionFromDoc(doc);
    });
  }

  /** Apply one update to a collection document; the collection as it is afterwards. */
  private async update(collectionId: string, what: string, update: object): Promise<CollectionRecord> {
    return guard(`${what} of ${collectionId}`, async () => {
      const d = await this.collections.findOneAndUpdate({ _id: collectionId }, update, {
        returnDocument: 'after',
      });
      if (!d) throw new NotFoundError(`collection ${collectionId} does not exist`);
      return collectionFromDoc(d);
    });
  }

  async setGrants(args: SetGrantsArgs): Promise<CollectionRecord> {
    return this.update(args.collectionId, 'grants', { $set: { grants: completeGrants(args.grants) } });
  }

  /*
   * One group's grant: the grants array is read, changed and written back with `$set`, the write
   * conditioned on the array being still as read (retried otherwise). FerretDB 1.x neither supports
   * `$pull` by a sub-document condition nor isolates read-modify-write updates, so two operators
   * changing grants of the same collection at the same instant could still both win; the CLI
   * reports the collection as stored afterwards.
   */
  private async changeGrants(
    collectionId: string,
    change: (grants: GrantInput[]) => GrantInput[],
  ): Promise<CollectionRecord> {
    return guard(`grant of ${collectionId}`, async () => {
      for (let attempt = 0; ; attempt++) {
        const d = await this.collections.findOne({ _id: collectionId });
        if (!d) throw new NotFoundError(`collection ${collectionId} does not exist`);
        const before = d.grants ?? [];
        const after = completeGrants(change(completeGrants(before)));
        // A document stored before grants existed has none: null matches a missing field.
        const r = await this.collections.findOneAndUpdate(
          { _id: collectionId, grants: d.grants ?? null },
          { $set: { grants: after } },
          { returnDocument: 'after' },
        );
        if (r) return collectionFromDoc(r);
        if (attempt >= 10) throw new StoreError(`grant of ${collectionId}: changed concurrently, try again`);
      }
    });
  }

  async putGrant(args: PutGrantArgs): Promise<CollectionRecord> {
    // completeGrants keeps the last grant of a group: this one.
    return this.changeGrants(args.collectionId, (gs) => [...gs, args.grant]);
  }

  async removeGrant(args: RemoveGrantArgs): Promise<CollectionRecord> {
    return this.changeGrants(args.collectionId, (gs) => gs.filter((g) => g.group !== args.group));
  }

  async setDefaultTlp(args: SetDefaultTlpArgs): Promise<CollectionRecord> {
    return this.update(args.collectionId, 'default TLP', {
      $set: { defaultTlp: storedLevel(args.defaultTlp) },
    });
  }

  async findCollection(args: FindCollectionArgs): Promise<CollectionRecord | null> {
    return guard('find collection', async () => {
      const d =
        (await this.collections.findOne({ _id: args.idOrAlias, apiRoot: args.apiRoot })) ??
        (await this.collections.findOne({ ak: aliasKey(args.apiRoot, args.idOrAlias) }));
      return d ? collectionFromDoc(d) : null;
    });
  }

  async removeCollection(args: RemoveCollectionArgs): Promise<boolean> {
    return guard(`remove collection ${args.collectionId}`, async () => {
      // Grants live in the collection's document: one delete removes both.
      const r = await this.collections.deleteOne({ _id: args.collectionId });
      return r.deletedCount > 0;
    });
  }

  async listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]> {
    return guard('list collections', async () => {
      const scope = args.visibleTo;
      const docs = await this.collections.find({ apiRoot: args.apiRoot }).toArray();
      const groups = scope === 'all' ? null : new Set(scope);
      return docs
        .map(collectionFromDoc)
        .filter((c) => groups === null || c.grants.some((g) => groups.has(g.group) && (g.read || g.write)))
        .sort(byString((c) => c.id));
    });
  }
}
