/** The registry on MongoDB: collections apiroots and collections (./indexes.ts). */
import type {
  ApiRootRecord,
  CollectionRecord,
  CreateApiRootArgs,
  CreateCollectionArgs,
  FindCollectionArgs,
  Grant,
  ListCollectionsArgs,
  RegistryStore,
  SetGrantsArgs,
} from '../contract';
import { NotFoundError } from '../../errors';
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
  grants: Grant[];
  createdAt: Micros;
}

function aliasKey(apiRoot: string, alias: string): string {
  return JSON.stringify([apiRoot, 'alias', alias]);
}

function idKey(apiRoot: string, id: string): string {
  return JSON.stringify([apiRoot, 'id', id]);
}

function normaliseGrants(grants: Grant[]): Grant[] {
  return grants
    .map((g) => ({ group: g.group, read: g.read === true, write: g.write === true }))
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

function collectionFromDoc(d: CollectionDoc): CollectionRecord {
  const rec: CollectionRecord = {
    id: d._id,
    apiRoot: d.apiRoot,
    title: d.title,
    mediaTypes: d.mediaTypes,
    grants: normaliseGrants(d.grants ?? []),
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
      const doc: ApiRootDoc = { _id: args.name, title: args.title, createdAt: nowMicros() };
      if (args.description !== undefined) doc.description = args.description;
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
      const docs = await this.apiRoots.find({}).sort({ _id: 1 }).toArray();
      return docs.map(apiRootFromDoc).sort(byString((r) => r.name));
    });
  }

  // ---------------------------------------------------------------- collections

  async createCollection(args: CreateCollectionArgs): Promise<CollectionRecord> {
    return guard(`collection ${args.id}`, async () => {
      if (!(await this.apiRoots.findOne({ _id: args.apiRoot }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`API root ${args.apiRoot} does not exist`);
      }
      const doc: CollectionDoc = {
        _id: args.id,
        apiRoot: args.apiRoot,
        title: args.title,
        ak: args.alias !== undefined ? aliasKey(args.apiRoot, args.alias) : idKey(args.apiRoot, args.id),
        mediaTypes: [...args.mediaTypes],
        grants: normaliseGrants(args.grants),
        createdAt: nowMicros(),
      };
      if (args.description !== undefined) doc.description = args.description;
      if (args.alias !== undefined) doc.alias = args.alias;
      await this.collections.insertOne(doc);
      return collectionFromDoc(doc);
    });
  }

  async setGrants(args: SetGrantsArgs): Promise<CollectionRecord> {
    return guard(`grants of ${args.collectionId}`, async () => {
      const d = await this.collections.findOneAndUpdate(
        { _id: args.collectionId },
        { $set: { grants: normaliseGrants(args.grants) } },
        { returnDocument: 'after' },
      );
      if (!d) throw new NotFoundError(`collection ${args.collectionId} does not exist`);
      return collectionFromDoc(d);
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

  async listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]> {
    return guard('list collections', async () => {
      const scope = args.visibleTo;
      if (scope !== 'all' && scope.length === 0) return [];
      const docs = await this.collections.find({ apiRoot: args.apiRoot }).sort({ _id: 1 }).toArray();
      const groups = scope === 'all' ? null : new Set(scope);
      return docs
        .map(collectionFromDoc)
        .filter((c) => groups === null || c.grants.some((g) => groups.has(g.group) && (g.read || g.write)))
        .sort(byString((c) => c.id));
    });
  }
}
