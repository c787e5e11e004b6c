/**
 * The production backend: MongoDB (standalone or replica set) through the official driver. Loaded
 * only when the store URL is mongodb:// or mongodb+srv:// (server/store/index.ts imports it lazily).
 *
 * No multi-document transactions are used, so it runs on a standalone server, on a replica set and
 * on FerretDB 1.x. Every write uses write concern { w: 'majority', j: true } (falling back to w: 1
 * when the server rejects majority), so whatever addObjects reports as added is durable when its
 * promise resolves. Driver failures are translated in ./errors.ts; routes never see them.
 *
 * dateAdded and reader visibility: see ./clock.ts. Indexes and query plans: see ./indexes.ts.
 *
 * first/last flags without transactions. A version document carries `first` and `last`. A writer
 * inserts new versions with flags computed from the versions it read, then runs `settleFlags` for
 * the ids it touched: read every version of those ids, and rewrite the flags that disagree with
 * "first = lowest versionKey, last = highest"; repeat until a read finds nothing to change. Each
 * writer thus ends with a read that follows its own last write, so whichever write to an id comes
 * last is followed by a read that sees the final version set and, if needed, corrects it: when
 * concurrent writers settle, the flags converge to exactly one first and one last per id. Readers
 * may, for the milliseconds between an insert and its settle, see a new version's flag before an
 * older one's is cleared (reservation capping hides the new version itself until it is settled).
 *
 * Crash consistency. A writer killed mid-batch leaves its pending clock entry behind (the block it
 * reserved, or the id of a delete). Entries of dead writers are repaired by every instance at
 * start-up and every REPAIR_INTERVAL_MS: the versions in the entry's block (found by collection and
 * dateAdded range) or the deleted id are settled, then the entry is removed. Settling is idempotent
 * and safe next to live writers, so repairs need no coordination. Nothing else can be half-written:
 * a version is one document (body, metadata and flags together), and a version reported as added
 * was acknowledged by the server before the report. One residual window: a killed client's last
 * request may still execute on the server after the repair (milliseconds after the kill); the next
 * write or delete of that id settles it again.
 */
import { randomBytes } from 'node:crypto';
import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type Collection,
  type Db,
  type Filter,
  type MongoClientOptions,
  type WriteConcernSettings,
} from 'mongodb';
import type {
  AddObjectsArgs,
  AddOutcome,
  ApiRootRecord,
  CollectionRecord,
  CreateApiRootArgs,
  CreateCollectionArgs,
  CreateMemberArgs,
  DeleteObjectArgs,
  FindCollectionArgs,
  GetStatusArgs,
  Grant,
  GroupRecord,
  ListCollectionsArgs,
  MemberRecord,
  MembershipArgs,
  Micros,
  NewObjectVersion,
  ObjectExistsArgs,
  ObjectFilter,
  Page,
  PurgeStatusesArgs,
  QueryObjectsArgs,
  SetGrantsArgs,
  SetMemberSecretArgs,
  PutStateArgs,
  StateRecord,
  StatusDetail,
  StatusRecord,
  RegistryStore,
  PrincipalStore,
  ObjectStore,
  StatusStore,
  StateStore,
  StoredVersion,
  VersionSelector,
} from '../contract';
import { NotFoundError, StoreError, StoreUnavailableError } from '../../errors';
import { formatTaxiiTimestamp, nowMicros, versionKey } from '../../time';
import { StoreClock, newToken, type ClockLink, type IntentDoc } from './clock';
import { isBusy, isDuplicateKey, translate } from './errors';
import {
  API_ROOTS,
  CLOCK,
  COLLECTIONS,
  GROUPS,
  INTENTS,
  INDEXES,
  MEMBERS,
  MEMBERSHIPS,
  META,
  OBJECTS,
  STATE,
  STATUSES,
} from './indexes';

/** How often every instance looks for writers that died mid-write. */
const REPAIR_INTERVAL_MS = 10_000;
/** Default when the URI does not say: fail fast (503) instead of the driver's 30 s. */
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;
const DEFAULT_DATABASE = 'tessera';
const DEFAULT_VERSIONS: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };

interface ObjectDoc {
  _id: string;
  c: string;
  oid: string;
  type: string;
  sv: string;
  ver: string;
  vk: string;
  da: Micros;
  first: boolean;
  last: boolean;
  by: string;
  body: string;
}

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

interface MemberDoc {
  _id: string;
  secretHash: string;
  disabled: boolean;
  createdAt: Micros;
}

interface GroupDoc {
  _id: string;
  createdAt: Micros;
}

interface MembershipDoc {
  _id: string;
  g: string;
  m: string;
}

/** A StatusRecord stored under its id, with expiresAt also as a Date for the TTL index. */
interface StatusDoc extends Omit<StatusRecord, 'id'> {
  _id: string;
  expiresAtDate: Date;
}

interface StateDoc {
  _id: string;
  k: string;
  v: number;
  value: string;
}

interface SecretDoc {
  _id: string;
  value: Buffer;
}

interface Handles {
  db: Db;
  objects: Collection<ObjectDoc>;
  secrets: Collection<SecretDoc>;
  apiRoots: Collection<ApiRootDoc>;
  collections: Collection<CollectionDoc>;
  members: Collection<MemberDoc>;
  groups: Collection<GroupDoc>;
  memberships: Collection<MembershipDoc>;
  statuses: Collection<StatusDoc>;
  state: Collection<StateDoc>;
  clock: StoreClock;
}

/** The database named in the URI path, or "tessera". */
export function databaseOf(uri: string): string {
  const schemeEnd = uri.indexOf('://') + 3;
  const queryAt = uri.indexOf('?', schemeEnd);
  const base = queryAt === -1 ? uri : uri.slice(0, queryAt);
  const slash = base.indexOf('/', schemeEnd);
  const name = slash === -1 ? '' : decodeURIComponent(base.slice(slash + 1));
  return name || DEFAULT_DATABASE;
}

function objectDocId(c: string, oid: string, vk: string | null): string {
  // Collection ids are UUIDs and version keys contain no '|', so the parts are unambiguous.
  return `${c}|${oid}|${vk ?? 'sco'}`;
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

function byString<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function asBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const bin = v as { buffer?: unknown; length?: () => number };
  if (bin && bin.buffer instanceof Uint8Array) {
    const n = typeof bin.length === 'function' ? bin.length() : bin.buffer.length;
    return Buffer.from(bin.buffer.subarray(0, n));
  }
  throw new StoreError('shared secret: unexpected stored value');
}

/** The version-selector part of an object filter; null when it can match nothing. */
function versionClause(v: VersionSelector): Filter<ObjectDoc> | null {
  if (v.kind === 'all') return {};
  const ors: Filter<ObjectDoc>[] = [];
  if (v.last) ors.push({ last: true });
  if (v.first) ors.push({ first: true });
  if (v.exact.length > 0) ors.push({ vk: v.exact.length === 1 ? (v.exact[0] as string) : { $in: v.exact } });
  if (ors.length === 0) return null;
  if (ors.length === 1) return ors[0] as Filter<ObjectDoc>;
  return { $or: ors };
}

function inClause(values: string[]): string | { $in: string[] } {
  return values.length === 1 ? (values[0] as string) : { $in: values };
}

/**
 * The filter for `filter` within one collection (without dateAdded bounds); null when it can match
 * nothing (an empty id/type/spec list, or a version selector that selects nothing).
 */
function objectFilter(c: string, filter: Pick<ObjectFilter, 'ids' | 'types' | 'specVersions' | 'versions'>) {
  const f: Filter<ObjectDoc> = { c };
  if (filter.ids) {
    if (filter.ids.length === 0) return null;
    f.oid = inClause(filter.ids);
  }
  if (filter.types) {
    if (filter.types.length === 0) return null;
    f.type = inClause(filter.types);
  }
  if (filter.specVersions) {
    if (filter.specVersions.length === 0) return null;
    f.sv = inClause(filter.specVersions);
  }
  const v = versionClause(filter.versions ?? DEFAULT_VERSIONS);
  if (v === null) return null;
  return { ...f, ...v } as Filter<ObjectDoc>;
}

/** One object of a batch on its way in. */
interface Planned {
  index: number;
  obj: NewObjectVersion;
  /** For a duplicate within the batch: the earlier object it duplicates. */
  dupOf?: Planned;
  /** For a duplicate of a stored version. */
  stored?: { ver: string; da: Micros };
  doc?: ObjectDoc;
  outcome?: AddOutcome;
}

export class MongoStore implements RegistryStore, PrincipalStore, ObjectStore, StatusStore, StateStore {
  readonly backend = 'mongodb';
  private client: MongoClient | null = null;
  private h: Handles | null = null;
  private repairTimer: NodeJS.Timeout | null = null;
  private repairing: Promise<void> | null = null;

  constructor(private readonly uri: string) {}

  private get handles(): Handles {
    if (!this.h) throw new StoreUnavailableError('the MongoDB store is not open');
    return this.h;
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw translate(e, what);
    }
  }

  // ---------------------------------------------------------------- life cycle

  async init(): Promise<void> {
    return this.guard('open MongoDB store', async () => {
      if (!this.h) {
        const options: MongoClientOptions = { appName: 'tessera', ignoreUndefined: true };
        if (!/[?&]serverSelectionTimeoutMS=/i.test(this.uri)) {
          options.serverSelectionTimeoutMS = DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
        }
        const client = new MongoClient(this.uri, options);
        try {
          await client.connect();
          const db = client.db(databaseOf(this.uri));
          const writeConcern = await chooseWriteConcern(db);
          const coll = <T extends object>(name: string) =>
            retryingBusy(db.collection<T>(name, { writeConcern }));
          this.h = {
            db,
            objects: coll<ObjectDoc>(OBJECTS),
            secrets: coll<SecretDoc>(META),
            apiRoots: coll<ApiRootDoc>(API_ROOTS),
            collections: coll<CollectionDoc>(COLLECTIONS),
            members: coll<MemberDoc>(MEMBERS),
            groups: coll<GroupDoc>(GROUPS),
            memberships: coll<MembershipDoc>(MEMBERSHIPS),
            statuses: coll<StatusDoc>(STATUSES),
            state: coll<StateDoc>(STATE),
            clock: new StoreClock(coll<ClockLink>(CLOCK), coll<IntentDoc>(INTENTS)),
          };
          this.client = client;
        } catch (e) {
          await client.close().catch(() => {});
          throw e;
        }
      }
      const h = this.handles;
      await h.clock.ensure();
      await ensureIndexes(h.db);
      await this.repairDead();
      if (!this.repairTimer) {
        this.repairTimer = setInterval(() => {
          this.repairDead().catch(() => {
            // the store is unreachable: the next round (or another instance) repairs
          });
        }, REPAIR_INTERVAL_MS);
        this.repairTimer.unref();
      }
    });
  }

  async ping(): Promise<void> {
    return this.guard('ping', async () => {
      await this.handles.db.command({ ping: 1 });
    });
  }

  async close(): Promise<void> {
    if (this.repairTimer) clearInterval(this.repairTimer);
    this.repairTimer = null;
    const client = this.client;
    const h = this.h;
    this.client = null;
    this.h = null;
    h?.clock.retire();
    if (client) await client.close().catch(() => {});
  }

  async sharedSecret(name: string): Promise<Buffer> {
    return this.guard('shared secret', async () => {
      const { secrets } = this.handles;
      const _id = `secret:${name}`;
      try {
        await secrets.insertOne({ _id, value: randomBytes(32) });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      const doc = await secrets.findOne({ _id }, { promoteBuffers: true });
      if (!doc) throw new StoreError(`shared secret ${name} vanished`);
      return asBuffer(doc.value);
    });
  }

  // ---------------------------------------------------------------- API roots

  async createApiRoot(args: CreateApiRootArgs): Promise<ApiRootRecord> {
    return this.guard(`API root ${args.name}`, async () => {
      const doc: ApiRootDoc = { _id: args.name, title: args.title, createdAt: nowMicros() };
      if (args.description !== undefined) doc.description = args.description;
      await this.handles.apiRoots.insertOne(doc);
      return apiRootFromDoc(doc);
    });
  }

  async getApiRoot(name: string): Promise<ApiRootRecord | null> {
    return this.guard('get API root', async () => {
      const d = await this.handles.apiRoots.findOne({ _id: name });
      return d ? apiRootFromDoc(d) : null;
    });
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return this.guard('list API roots', async () => {
      const docs = await this.handles.apiRoots.find({}).sort({ _id: 1 }).toArray();
      return docs.map(apiRootFromDoc).sort(byString((r) => r.name));
    });
  }

  // ---------------------------------------------------------------- collections

  async createCollection(args: CreateCollectionArgs): Promise<CollectionRecord> {
    return this.guard(`collection ${args.id}`, async () => {
      const h = this.handles;
      if (!(await h.apiRoots.findOne({ _id: args.apiRoot }, { projection: { _id: 1 } }))) {
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
      await h.collections.insertOne(doc);
      return collectionFromDoc(doc);
    });
  }

  async setGrants(args: SetGrantsArgs): Promise<CollectionRecord> {
    return this.guard(`grants of ${args.collectionId}`, async () => {
      const d = await this.handles.collections.findOneAndUpdate(
        { _id: args.collectionId },
        { $set: { grants: normaliseGrants(args.grants) } },
        { returnDocument: 'after' },
      );
      if (!d) throw new NotFoundError(`collection ${args.collectionId} does not exist`);
      return collectionFromDoc(d);
    });
  }

  async findCollection(args: FindCollectionArgs): Promise<CollectionRecord | null> {
    return this.guard('find collection', async () => {
      const { collections } = this.handles;
      const d =
        (await collections.findOne({ _id: args.idOrAlias, apiRoot: args.apiRoot })) ??
        (await collections.findOne({ ak: aliasKey(args.apiRoot, args.idOrAlias) }));
      return d ? collectionFromDoc(d) : null;
    });
  }

  async listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]> {
    return this.guard('list collections', async () => {
      const scope = args.visibleTo;
      if (scope !== 'all' && scope.length === 0) return [];
      const docs = await this.handles.collections.find({ apiRoot: args.apiRoot }).sort({ _id: 1 }).toArray();
      const groups = scope === 'all' ? null : new Set(scope);
      return docs
        .map(collectionFromDoc)
        .filter((c) => groups === null || c.grants.some((g) => groups.has(g.group) && (g.read || g.write)))
        .sort(byString((c) => c.id));
    });
  }

  // ---------------------------------------------------------------- members and groups

  async createMember(args: CreateMemberArgs): Promise<MemberRecord> {
    return this.guard(`member ${args.name}`, async () => {
      const doc: MemberDoc = {
        _id: args.name,
        secretHash: args.secretHash,
        disabled: false,
        createdAt: nowMicros(),
      };
      await this.handles.members.insertOne(doc);
      return {
        name: doc._id,
        secretHash: doc.secretHash,
        disabled: false,
        createdAt: doc.createdAt,
        groups: [],
      };
    });
  }

  async setMemberSecret(args: SetMemberSecretArgs): Promise<void> {
    return this.guard(`member ${args.name}`, async () => {
      const r = await this.handles.members.updateOne(
        { _id: args.name },
        { $set: { secretHash: args.secretHash } },
      );
      if (r.matchedCount === 0) throw new NotFoundError(`member ${args.name} does not exist`);
    });
  }

  async getMember(name: string): Promise<MemberRecord | null> {
    return this.guard('get member', async () => {
      const h = this.handles;
      const d = await h.members.findOne({ _id: name });
      if (!d) return null;
      const groups = (await h.memberships.find({ m: name }).toArray()).map((m) => m.g).sort();
      return {
        name: d._id,
        secretHash: d.secretHash,
        disabled: d.disabled === true,
        createdAt: d.createdAt,
        groups,
      };
    });
  }

  async listMembers(): Promise<MemberRecord[]> {
    return this.guard('list members', async () => {
      const h = this.handles;
      const [docs, links] = await Promise.all([
        h.members.find({}).toArray(),
        h.memberships.find({}).toArray(),
      ]);
      const groupsOf = new Map<string, string[]>();
      for (const l of links) groupsOf.set(l.m, [...(groupsOf.get(l.m) ?? []), l.g]);
      return docs
        .map((d) => ({
          name: d._id,
          secretHash: d.secretHash,
          disabled: d.disabled === true,
          createdAt: d.createdAt,
          groups: (groupsOf.get(d._id) ?? []).sort(),
        }))
        .sort(byString((m) => m.name));
    });
  }

  async createGroup(name: string): Promise<GroupRecord> {
    return this.guard(`group ${name}`, async () => {
      const createdAt = nowMicros();
      await this.handles.groups.insertOne({ _id: name, createdAt });
      return { name, createdAt, members: [] };
    });
  }

  async listGroups(): Promise<GroupRecord[]> {
    return this.guard('list groups', async () => {
      const h = this.handles;
      const [docs, links] = await Promise.all([
        h.groups.find({}).toArray(),
        h.memberships.find({}).toArray(),
      ]);
      const membersOf = new Map<string, string[]>();
      for (const l of links) membersOf.set(l.g, [...(membersOf.get(l.g) ?? []), l.m]);
      return docs
        .map((d) => ({ name: d._id, createdAt: d.createdAt, members: (membersOf.get(d._id) ?? []).sort() }))
        .sort(byString((g) => g.name));
    });
  }

  async joinGroup(args: MembershipArgs): Promise<void> {
    return this.guard(`join ${args.member} to ${args.group}`, async () => {
      const h = this.handles;
      if (!(await h.groups.findOne({ _id: args.group }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`group ${args.group} does not exist`);
      }
      if (!(await h.members.findOne({ _id: args.member }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`member ${args.member} does not exist`);
      }
      try {
        await h.memberships.insertOne({
          _id: JSON.stringify([args.group, args.member]),
          g: args.group,
          m: args.member,
        });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e; // already a member
      }
    });
  }

  async leaveGroup(args: MembershipArgs): Promise<void> {
    return this.guard(`remove ${args.member} from ${args.group}`, async () => {
      await this.handles.memberships.deleteOne({ _id: JSON.stringify([args.group, args.member]) });
    });
  }

  // ---------------------------------------------------------------- objects

  async addObjects(args: AddObjectsArgs): Promise<AddOutcome[]> {
    return this.guard('add objects', async () => {
      if (args.objects.length === 0) return [];
      const h = this.handles;
      const c = args.collectionId;
      const ids = [...new Set(args.objects.map((o) => o.id))];

      // 1. What is already stored, and which objects of the batch are new.
      const stored = await h.objects
        .find({ c, oid: { $in: ids } }, { projection: { _id: 0, oid: 1, vk: 1, ver: 1, da: 1 } })
        .toArray();
      /** id → versionKey → stored version or earlier object of this batch. */
      const known = new Map<string, Map<string, { ver: string; da: Micros } | Planned>>();
      for (const s of stored) {
        let m = known.get(s.oid);
        if (!m) known.set(s.oid, (m = new Map()));
        m.set(s.vk, { ver: s.ver, da: s.da });
      }
      /** SCO copies in this batch for ids with nothing stored: the first one. */
      const batchSco = new Map<string, Planned>();
      const plan: Planned[] = [];
      const fresh: Planned[] = [];
      args.objects.forEach((obj, index) => {
        const p: Planned = { index, obj };
        plan.push(p);
        const versions = known.get(obj.id);
        let hit: { ver: string; da: Micros } | Planned | undefined;
        if (obj.version === null || obj.versionKey === null) {
          // Any version of the id makes a copy without version a duplicate (of the lowest one).
          if (versions && versions.size > 0) hit = versions.get([...versions.keys()].sort()[0] as string);
          else hit = batchSco.get(obj.id);
          if (!hit) batchSco.set(obj.id, p);
        } else {
          hit = versions?.get(obj.versionKey) ?? undefined;
          if (!hit) {
            let m = known.get(obj.id);
            if (!m) known.set(obj.id, (m = new Map()));
            m.set(obj.versionKey, p);
          }
        }
        if (hit && 'index' in hit) p.dupOf = hit;
        else if (hit) p.stored = hit;
        else fresh.push(p);
      });

      if (fresh.length > 0) await this.insertFresh(h, args, fresh, known);

      // 2. Outcomes, in batch order.
      const resolve = (p: Planned): AddOutcome => {
        if (p.outcome) return p.outcome;
        let out: AddOutcome;
        if (p.dupOf) {
          const o = resolve(p.dupOf);
          out = {
            index: p.index,
            id: p.obj.id,
            version: o.version,
            outcome: 'duplicate',
            dateAdded: o.dateAdded,
          };
        } else if (p.stored) {
          out = {
            index: p.index,
            id: p.obj.id,
            version: p.stored.ver,
            outcome: 'duplicate',
            dateAdded: p.stored.da,
          };
        } else {
          throw new StoreError(`add objects: no outcome for object ${p.index}`);
        }
        p.outcome = out;
        return out;
      };
      return plan.map(resolve);
    });
  }

  /** Reserve dateAdded values for the new objects, insert them durably, settle their flags. */
  private async insertFresh(
    h: Handles,
    args: AddObjectsArgs,
    fresh: Planned[],
    known: Map<string, Map<string, { ver: string; da: Micros } | Planned>>,
  ): Promise<void> {
    const c = args.collectionId;
    const token = newToken();
    let released = false;
    try {
      const { seq, start } = await h.clock.reserve(token, c, fresh.length);
      fresh.forEach((p, k) => {
        const da = start + k;
        let ver = p.obj.version;
        let vk = p.obj.versionKey;
        const sco = ver === null || vk === null;
        if (sco) {
          ver = formatTaxiiTimestamp(da);
          vk = versionKey(ver) ?? ver;
        }
        p.doc = {
          _id: objectDocId(c, p.obj.id, sco ? null : vk),
          c,
          oid: p.obj.id,
          type: p.obj.type,
          sv: p.obj.specVersion,
          ver: ver as string,
          vk: vk as string,
          da,
          first: false,
          last: false,
          by: args.addedBy,
          body: p.obj.body,
        };
      });
      // Flags as far as this writer can tell; settleFlags() corrects races afterwards.
      const keysOf = new Map<string, string[]>();
      for (const [oid, m] of known) {
        keysOf.set(
          oid,
          [...m.entries()].filter(([, v]) => !('index' in v)).map(([vk]) => vk),
        );
      }
      for (const p of fresh) {
        const doc = p.doc as ObjectDoc;
        let ks = keysOf.get(doc.oid);
        if (!ks) keysOf.set(doc.oid, (ks = []));
        ks.push(doc.vk);
      }
      for (const p of fresh) {
        const doc = p.doc as ObjectDoc;
        const ks = keysOf.get(doc.oid) ?? [doc.vk];
        doc.first = ks.every((k) => k >= doc.vk);
        doc.last = ks.every((k) => k <= doc.vk);
      }

      const docs = fresh.map((p) => p.doc as ObjectDoc);
      const raced = new Set<number>();
      try {
        await h.objects.insertMany(docs, { ordered: false });
      } catch (e) {
        if (!(e instanceof MongoBulkWriteError)) throw e;
        const errs = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
        if (errs.length === 0 || errs.some((w) => w.code !== 11000 && w.code !== 11001)) throw e;
        for (const w of errs) raced.add(w.index);
      }
      // Another writer stored the same version between our read and our insert (or the driver
      // retried our own insert): report what is stored.
      if (raced.size > 0) {
        const racedIds = [...new Set([...raced].map((i) => (fresh[i] as Planned).obj.id))];
        const now = await h.objects
          .find({ c, oid: { $in: racedIds } }, { projection: { _id: 0, oid: 1, ver: 1, vk: 1, da: 1 } })
          .toArray();
        for (const i of raced) {
          const p = fresh[i] as Planned;
          const doc = p.doc as ObjectDoc;
          const sco = p.obj.version === null || p.obj.versionKey === null;
          const candidates = now.filter((d) => d.oid === doc.oid && (sco || d.vk === doc.vk));
          const s = candidates.sort(byString((d) => d.vk))[0];
          if (!s) throw new StoreError(`add objects: ${doc.oid} reported as duplicate but not found`);
          if (s.da === doc.da) continue; // our own write, retried
          p.stored = { ver: s.ver, da: s.da };
          delete p.doc;
        }
      }
      await this.settleFlags(h, c, [...new Set(docs.map((d) => d.oid))]);
      for (const p of fresh) {
        if (p.doc) {
          p.outcome = {
            index: p.index,
            id: p.obj.id,
            version: p.doc.ver,
            outcome: 'added',
            dateAdded: p.doc.da,
          };
        }
      }
      await h.clock.finish(seq, token);
      released = true;
    } finally {
      if (!released) h.clock.abandon(token);
    }
  }

  /**
   * Make `first`/`last` of every version of `oids` in collection `c` agree with the version keys;
   * loops until a read finds nothing to change (see the file comment for why this converges).
   */
  private async settleFlags(h: Handles, c: string, oids: string[]): Promise<void> {
    for (let i = 0; i < oids.length; i += 500) {
      const chunk = oids.slice(i, i + 500);
      for (let round = 0; round < 50; round++) {
        const docs = await h.objects
          .find({ c, oid: chunk.length === 1 ? (chunk[0] as string) : { $in: chunk } })
          .project<Pick<ObjectDoc, '_id' | 'oid' | 'vk' | 'first' | 'last'>>({
            oid: 1,
            vk: 1,
            first: 1,
            last: 1,
          })
          .toArray();
        const ends = new Map<string, { min: string; max: string }>();
        for (const d of docs) {
          const e = ends.get(d.oid);
          if (!e) ends.set(d.oid, { min: d.vk, max: d.vk });
          else {
            if (d.vk < e.min) e.min = d.vk;
            if (d.vk > e.max) e.max = d.vk;
          }
        }
        // Group the corrections by target flags: at most four updateMany calls per round.
        // (FerretDB 1.24 hangs on an update command with about 100 statements, so no bulkWrite.)
        const byTarget = new Map<string, string[]>();
        for (const d of docs) {
          const e = ends.get(d.oid) as { min: string; max: string };
          const first = d.vk === e.min;
          const last = d.vk === e.max;
          if (d.first === first && d.last === last) continue;
          const target = `${first ? 1 : 0}${last ? 1 : 0}`;
          const list = byTarget.get(target);
          if (list) list.push(d._id);
          else byTarget.set(target, [d._id]);
        }
        if (byTarget.size === 0) break;
        // Set the new ends before clearing the old ones.
        for (const target of ['11', '10', '01', '00']) {
          const ids = byTarget.get(target);
          if (!ids) continue;
          for (let k = 0; k < ids.length; k += 500) {
            await h.objects.updateMany(
              { _id: { $in: ids.slice(k, k + 500) } },
              { $set: { first: target[0] === '1', last: target[1] === '1' } },
            );
          }
        }
      }
    }
  }

  /** Settle the objects of writers that died mid-write, then close their links / intents. */
  private async repairDead(): Promise<void> {
    if (this.repairing) return this.repairing;
    const run = async () => {
      const h = this.h;
      if (!h) return;
      const dead = await h.clock.dead();
      for (const l of dead.links) {
        const docs = await h.objects
          .find({ c: l.c, da: { $gte: l.s, $lt: l.e } })
          .project<{ oid: string }>({ _id: 0, oid: 1 })
          .toArray();
        const oids = [...new Set(docs.map((d) => d.oid))];
        if (oids.length > 0) await this.settleFlags(h, l.c, oids);
        await h.clock.repaired(l);
      }
      for (const d of dead.intents) {
        await this.settleFlags(h, d.c, [d.oid]);
        await h.clock.fulfil(d._id);
      }
    };
    this.repairing = run().finally(() => {
      this.repairing = null;
    });
    return this.repairing;
  }

  async queryObjects(args: QueryObjectsArgs): Promise<Page<StoredVersion>> {
    return this.guard('query objects', async () => {
      const h = this.handles;
      const base = objectFilter(args.collectionId, args.filter);
      if (base === null) return { items: [], more: false };
      const da: { $gt?: Micros; $lt?: Micros } = {};
      const after = Math.max(args.after ?? -1, args.filter.addedAfter ?? -1);
      if (after >= 0) da.$gt = after;
      da.$lt = await h.clock.visibilityCap();
      const filter: Filter<ObjectDoc> = { ...base, da };
      const projection: Record<string, 0 | 1> = { _id: 0, oid: 1, type: 1, sv: 1, ver: 1, da: 1 };
      if (args.withBody) projection.body = 1;
      const docs = await h.objects
        .find(filter)
        .project<Pick<ObjectDoc, 'oid' | 'type' | 'sv' | 'ver' | 'da' | 'body'>>(projection)
        .sort({ da: 1 })
        .limit(args.limit + 1)
        .toArray();
      const more = docs.length > args.limit;
      if (more) docs.length = args.limit;
      return {
        more,
        items: docs.map((d) => {
          const v: StoredVersion = {
            id: d.oid,
            type: d.type,
            specVersion: d.sv,
            version: d.ver,
            dateAdded: d.da,
          };
          if (args.withBody) v.body = d.body;
          return v;
        }),
      };
    });
  }

  async objectExists(args: ObjectExistsArgs): Promise<boolean> {
    return this.guard('object exists', async () => {
      const d = await this.handles.objects.findOne(
        { c: args.collectionId, oid: args.id },
        { projection: { _id: 1 } },
      );
      return d !== null;
    });
  }

  async deleteObject(args: DeleteObjectArgs): Promise<number> {
    return this.guard('delete object', async () => {
      const h = this.handles;
      const filter = objectFilter(args.collectionId, {
        ids: [args.id],
        specVersions: args.specVersions,
        versions: args.versions ?? { kind: 'all' },
      });
      if (filter === null) return 0;
      const token = newToken();
      let released = false;
      try {
        await h.clock.intend(token, args.collectionId, args.id);
        const r = await h.objects.deleteMany(filter);
        if (r.deletedCount > 0) await this.settleFlags(h, args.collectionId, [args.id]);
        await h.clock.fulfil(token);
        released = true;
        return r.deletedCount;
      } finally {
        if (!released) h.clock.abandonIntent(token);
      }
    });
  }

  async countObjects(collectionId: string): Promise<number> {
    return this.guard('count objects', async () => this.handles.objects.countDocuments({ c: collectionId }));
  }

  // ---------------------------------------------------------------- statuses

  async putStatus(s: StatusRecord): Promise<void> {
    return this.guard('put status', async () => {
      const doc: StatusDoc = {
        _id: s.id,
        apiRoot: s.apiRoot,
        collectionId: s.collectionId,
        member: s.member,
        requestTimestamp: s.requestTimestamp,
        status: s.status,
        totalCount: s.totalCount,
        successes: s.successes,
        failures: s.failures,
        pendings: s.pendings,
        expiresAt: s.expiresAt,
        expiresAtDate: new Date(Math.floor(s.expiresAt / 1000)),
      };
      await this.handles.statuses.replaceOne({ _id: s.id }, doc, { upsert: true });
    });
  }

  async getStatus(args: GetStatusArgs): Promise<StatusRecord | null> {
    return this.guard('get status', async () => {
      const d = await this.handles.statuses.findOne({ _id: args.id, apiRoot: args.apiRoot });
      if (!d) return null;
      const details = (xs: StatusDetail[] | undefined): StatusDetail[] =>
        (xs ?? []).map((x) => {
          const out: StatusDetail = { id: x.id, version: x.version };
          if (x.message !== undefined && x.message !== null) out.message = x.message;
          return out;
        });
      return {
        id: d._id,
        apiRoot: d.apiRoot,
        collectionId: d.collectionId,
        member: d.member,
        requestTimestamp: d.requestTimestamp,
        status: d.status === 'pending' ? 'pending' : 'complete',
        totalCount: d.totalCount,
        successes: details(d.successes),
        failures: details(d.failures),
        pendings: details(d.pendings),
        expiresAt: d.expiresAt,
      };
    });
  }

  async purgeStatuses(args: PurgeStatusesArgs): Promise<number> {
    return this.guard('purge statuses', async () => {
      const r = await this.handles.statuses.deleteMany({ expiresAt: { $lt: args.before } });
      return r.deletedCount;
    });
  }

  // ---------------------------------------------------------------- shared state

  /*
   * Compare-and-set without read-modify-write updates (FerretDB 1.x does not isolate them): every
   * version of a key is its own document { _id: JSON [key, version], k, v, value }, and a put of
   * version n + 1 is the insert of that _id, which only one writer can win. The put also requires
   * version n to exist, and afterwards checks that no later version exists: older versions are
   * deleted, so a writer stalled long enough could re-insert a deleted version number; that check
   * makes such a put report false (getState always reads the highest version).
   */

  async getState(key: string): Promise<StateRecord | null> {
    return this.guard('get state', async () => {
      const d = await this.handles.state.find({ k: key }).sort({ v: -1 }).limit(1).next();
      return d ? { key: d.k, value: d.value, version: d.v } : null;
    });
  }

  async putState(args: PutStateArgs): Promise<boolean> {
    return this.guard('put state', async () => {
      const { state } = this.handles;
      const n = args.expectedVersion;
      if (n > 0 && !(await state.findOne({ _id: stateId(args.key, n) }, { projection: { _id: 1 } }))) {
        return false;
      }
      try {
        await state.insertOne({ _id: stateId(args.key, n + 1), k: args.key, v: n + 1, value: args.value });
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
      if (await state.findOne({ k: args.key, v: { $gt: n + 1 } }, { projection: { _id: 1 } })) return false;
      await state.deleteMany({ k: args.key, v: { $lt: n } });
      return true;
    });
  }
}

function stateId(key: string, version: number): string {
  return JSON.stringify([key, version]);
}

const RETRIED_METHODS = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOne',
  'findOneAndUpdate',
  'countDocuments',
]);

/**
 * The collection with its single-command methods retried (up to ~5 s, with backoff) when the
 * server reports a momentary lock conflict: FerretDB's SQLite handler answers "database is locked
 * (SQLITE_BUSY)" to concurrent writers instead of waiting. Retrying is safe for every call site:
 * a conflicting command was rolled back, a partly applied insertMany is followed by duplicate-key
 * handling that recognises our own documents by dateAdded, and updates/deletes are idempotent.
 */
function retryingBusy<T extends object>(coll: Collection<T>): Collection<T> {
  return new Proxy(coll, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !RETRIED_METHODS.has(prop) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        for (let attempt = 0; ; attempt++) {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (e) {
            if (!isBusy(e) || attempt >= 40) throw e;
            await new Promise((res) => setTimeout(res, 5 + Math.random() * Math.min(10 * attempt, 200)));
          }
        }
      };
    },
  });
}

/**
 * { w: 'majority', j: true } where the server accepts it (replica sets, standalone MongoDB,
 * FerretDB); otherwise the strongest concern it accepts.
 */
async function chooseWriteConcern(db: Db): Promise<WriteConcernSettings> {
  const candidates: WriteConcernSettings[] = [{ w: 'majority', j: true }, { w: 1, j: true }, { w: 1 }];
  let last: unknown;
  for (const wc of candidates) {
    try {
      await db
        .collection<{ _id: string; at: number }>(META, { writeConcern: wc })
        .updateOne({ _id: 'write-concern-probe' }, { $set: { at: nowMicros() } }, { upsert: true });
      return wc;
    } catch (e) {
      if (isDuplicateKey(e)) return wc; // two instances upserting the probe at once
      last = e;
      // Only a rejected write concern moves on to a weaker one; anything else is a real failure.
      const msg = e instanceof Error ? e.message : '';
      if (!/concern|journal|majority/i.test(msg)) throw e;
    }
  }
  throw last;
}

/** Create the indexes of ./indexes.ts that are missing, one at a time (idempotent, race-safe). */
async function ensureIndexes(db: Db): Promise<void> {
  const existing = new Map<string, Set<string>>();
  for (const def of INDEXES) {
    let names = existing.get(def.collection);
    if (!names) {
      names = new Set<string>();
      try {
        for (const ix of await db.collection(def.collection).listIndexes().toArray())
          names.add(String(ix.name));
      } catch (e) {
        if (!(e instanceof MongoServerError && e.code === 26)) throw e; // NamespaceNotFound: no index yet
      }
      existing.set(def.collection, names);
    }
    if (names.has(def.name)) continue;
    // One index per command: FerretDB 1.24 drops the connection when a multi-index createIndexes
    // names only indexes that already exist.
    try {
      await db.collection(def.collection).createIndex(def.key, {
        name: def.name,
        ...(def.unique ? { unique: true } : {}),
        ...(def.expireAfterSeconds !== undefined ? { expireAfterSeconds: def.expireAfterSeconds } : {}),
      });
    } catch (e) {
      // 238 NotImplemented, 115 CommandNotSupported, 67 CannotCreateIndex (e.g. TTL on FerretDB).
      if (def.optional && e instanceof MongoServerError && [67, 115, 238].includes(e.code as number))
        continue;
      // Another instance may have created it at the same moment.
      const now = await db.collection(def.collection).listIndexes().toArray();
      if (!now.some((ix) => ix.name === def.name)) throw e;
    }
    names.add(def.name);
  }
}
