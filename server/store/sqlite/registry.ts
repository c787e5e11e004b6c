/** The registry on SQLite: tables api_roots, collections, grants (./schema.ts). */
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
import { ConflictError, NotFoundError } from '../../errors';
import { nowMicros } from '../../time';
import type { SqliteConnection } from './connection';

interface CollectionRow {
  id: string;
  api_root: string;
  title: string;
  description: string | null;
  alias: string | null;
  media_types: string;
  default_tlp: string;
  created_at: number;
}

function apiRootFromRow(row: {
  name: string;
  title: string;
  description: string | null;
  created_at: number;
}) {
  const rec: ApiRootRecord = { name: row.name, title: row.title, createdAt: row.created_at };
  if (row.description !== null) rec.description = row.description;
  return rec;
}

export class SqliteRegistryStore implements RegistryStore {
  constructor(private readonly db: SqliteConnection) {}

  // ---------------------------------------------------------------- API roots

  async createApiRoot(args: CreateApiRootArgs): Promise<ApiRootRecord> {
    return this.db.run(`API root ${args.name}`, () => {
      const createdAt = nowMicros();
      this.db
        .stmt('INSERT INTO api_roots (name, title, description, created_at) VALUES (?, ?, ?, ?)')
        .run(args.name, args.title, args.description ?? null, createdAt);
      return { ...args, createdAt };
    });
  }

  async getApiRoot(name: string): Promise<ApiRootRecord | null> {
    return this.db.run('get API root', () => {
      const row = this.db.stmt('SELECT * FROM api_roots WHERE name = ?').get(name) as
        { name: string; title: string; description: string | null; created_at: number } | undefined;
      return row ? apiRootFromRow(row) : null;
    });
  }

  async listApiRoots(): Promise<ApiRootRecord[]> {
    return this.db.run('list API roots', () =>
      (
        this.db.stmt('SELECT * FROM api_roots ORDER BY name').all() as {
          name: string;
          title: string;
          description: string | null;
          created_at: number;
        }[]
      ).map(apiRootFromRow),
    );
  }

  async removeApiRoot(name: string): Promise<boolean> {
    return this.db.run(`remove API root ${name}`, () =>
      this.db.immediate(() => {
        const held = this.db.stmt('SELECT count(*) AS n FROM collections WHERE api_root = ?').get(name) as {
          n: number;
        };
        if (held.n > 0) {
          throw new ConflictError(`API root ${name} still holds ${held.n} collection(s)`);
        }
        return this.db.stmt('DELETE FROM api_roots WHERE name = ?').run(name).changes > 0;
      }),
    );
  }

  // ---------------------------------------------------------------- collections

  private grantsOf(collectionId: string): Grant[] {
    return (
      this.db
        .stmt('SELECT grp, can_read, can_write, max_tlp FROM grants WHERE collection_id = ? ORDER BY grp')
        .all(collectionId) as { grp: string; can_read: number; can_write: number; max_tlp: string }[]
    ).map((g) => ({
      group: g.grp,
      read: g.can_read === 1,
      write: g.can_write === 1,
      maxTlp: storedLevel(g.max_tlp),
    }));
  }

  private collectionFromRow(row: CollectionRow): CollectionRecord {
    const rec: CollectionRecord = {
      id: row.id,
      apiRoot: row.api_root,
      title: row.title,
      mediaTypes: JSON.parse(row.media_types) as string[],
      grants: this.grantsOf(row.id),
      defaultTlp: storedLevel(row.default_tlp),
      createdAt: row.created_at,
    };
    if (row.description !== null) rec.description = row.description;
    if (row.alias !== null) rec.alias = row.alias;
    return rec;
  }

  /** Add or replace the grants of these groups (the other groups' grants stay). */
  private writeGrants(collectionId: string, grants: GrantInput[]): void {
    const ins = this.db.stmt(
      'INSERT OR REPLACE INTO grants (collection_id, grp, can_read, can_write, max_tlp) VALUES (?, ?, ?, ?, ?)',
    );
    for (const g of completeGrants(grants))
      ins.run(collectionId, g.group, g.read ? 1 : 0, g.write ? 1 : 0, g.maxTlp);
  }

  /** Run `change` on an existing collection in one transaction; the collection as it is afterwards. */
  private change(collectionId: string, what: string, change: () => void): Promise<CollectionRecord> {
    return this.db.run(`${what} of ${collectionId}`, () =>
      this.db.immediate(() => {
        if (!this.db.stmt('SELECT 1 FROM collections WHERE id = ?').get(collectionId))
          throw new NotFoundError(`collection ${collectionId} does not exist`);
        change();
        const row = this.db.stmt('SELECT * FROM collections WHERE id = ?').get(collectionId) as CollectionRow;
        return this.collectionFromRow(row);
      }),
    );
  }

  async createCollection(args: CreateCollectionArgs): Promise<CollectionRecord> {
    return this.db.run(`collection ${args.id}`, () =>
      this.db.immediate(() => {
        if (!this.db.stmt('SELECT 1 FROM api_roots WHERE name = ?').get(args.apiRoot)) {
          throw new NotFoundError(`API root ${args.apiRoot} does not exist`);
        }
        const createdAt = nowMicros();
        this.db
          .stmt(
            `INSERT INTO collections (id, api_root, title, description, alias, media_types, default_tlp,
               created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            args.id,
            args.apiRoot,
            args.title,
            args.description ?? null,
            args.alias ?? null,
            JSON.stringify(args.mediaTypes),
            storedLevel(args.defaultTlp),
            createdAt,
          );
        this.writeGrants(args.id, args.grants);
        const row = this.db.stmt('SELECT * FROM collections WHERE id = ?').get(args.id) as CollectionRow;
        return this.collectionFromRow(row);
      }),
    );
  }

  async setGrants(args: SetGrantsArgs): Promise<CollectionRecord> {
    return this.change(args.collectionId, 'grants', () => {
      this.db.stmt('DELETE FROM grants WHERE collection_id = ?').run(args.collectionId);
      this.writeGrants(args.collectionId, args.grants);
    });
  }

  async putGrant(args: PutGrantArgs): Promise<CollectionRecord> {
    return this.change(args.collectionId, 'grant', () => this.writeGrants(args.collectionId, [args.grant]));
  }

  async removeGrant(args: RemoveGrantArgs): Promise<CollectionRecord> {
    return this.change(args.collectionId, 'grant', () => {
      this.db
        .stmt('DELETE FROM grants WHERE collection_id = ? AND grp = ?')
        .run(args.collectionId, args.group);
    });
  }

  async setDefaultTlp(args: SetDefaultTlpArgs): Promise<CollectionRecord> {
    return this.change(args.collectionId, 'default TLP', () => {
      this.db
        .stmt('UPDATE collections SET default_tlp = ? WHERE id = ?')
        .run(storedLevel(args.defaultTlp), args.collectionId);
    });
  }

  async findCollection(args: FindCollectionArgs): Promise<CollectionRecord | null> {
    return this.db.run('find collection', () => {
      const row = (this.db
        .stmt('SELECT * FROM collections WHERE api_root = ? AND id = ?')
        .get(args.apiRoot, args.idOrAlias) ??
        this.db
          .stmt('SELECT * FROM collections WHERE api_root = ? AND alias = ?')
          .get(args.apiRoot, args.idOrAlias)) as CollectionRow | undefined;
      return row ? this.collectionFromRow(row) : null;
    });
  }

  async removeCollection(args: RemoveCollectionArgs): Promise<boolean> {
    return this.db.run(`remove collection ${args.collectionId}`, () =>
      this.db.immediate(() => {
        this.db.stmt('DELETE FROM grants WHERE collection_id = ?').run(args.collectionId);
        return this.db.stmt('DELETE FROM collections WHERE id = ?').run(args.collectionId).changes > 0;
      }),
    );
  }

  async listCollections(args: ListCollectionsArgs): Promise<CollectionRecord[]> {
    return this.db.run('list collections', () => {
      let rows: CollectionRow[];
      if (args.visibleTo === 'all') {
        rows = this.db
          .stmt('SELECT * FROM collections WHERE api_root = ? ORDER BY id')
          .all(args.apiRoot) as CollectionRow[];
      } else {
        // (No group: an empty IN list, which SQLite takes and which is never true.)
        const marks = args.visibleTo.map(() => '?').join(',');
        rows = this.db
          .stmt(
            `SELECT * FROM collections c WHERE c.api_root = ? AND EXISTS (
             SELECT 1 FROM grants g WHERE g.collection_id = c.id AND g.grp IN (${marks})
               AND (g.can_read = 1 OR g.can_write = 1))
           ORDER BY c.id`,
          )
          .all(args.apiRoot, ...args.visibleTo) as CollectionRow[];
      }
      return rows.map((r) => this.collectionFromRow(r));
    });
  }
}
