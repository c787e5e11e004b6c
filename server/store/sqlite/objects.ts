/**
 * Objects on SQLite: table objects and the store clock (./schema.ts explains the indexes and the
 * query plans, including the TLP visibility arms). Batches are written through the connection's
 * group commit; first/last flags are maintained in the same transaction as the inserts.
 */
import type {
  AddObjectsArgs,
  AddOutcome,
  DeleteObjectArgs,
  ObjectExistsArgs,
  ObjectFilter,
  ObjectScope,
  ObjectStore,
  Page,
  PurgeCollectionArgs,
  QueryObjectsArgs,
  StoredVersion,
  VersionSelector,
} from '../contract';
import { formatTaxiiTimestamp, nowMicros, versionKey } from '../../time';
import { PageCut } from '../paging';
import type { Params, SqliteConnection } from './connection';

interface ObjectRow {
  id: string;
  type: string;
  spec_version: string;
  version: string;
  date_added: number;
  body?: string;
}

// Stryker disable next-line StringLiteral: only kind 'all' is ever tested for; any other kind is a 'some' selector
const DEFAULT_VERSIONS: VersionSelector = { kind: 'some', first: false, last: true, exact: [] };

export class SqliteObjectStore implements ObjectStore {
  constructor(private readonly db: SqliteConnection) {}

  addObjects(args: AddObjectsArgs): Promise<AddOutcome[]> {
    return this.db.groupWrite('add objects', () => this.addObjectsTx(args));
  }

  private addObjectsTx(args: AddObjectsArgs): AddOutcome[] {
    const { collectionId, addedBy } = args;
    // One probe of objects_version per object gives both the duplicate check and the current
    // first/last versions, in version order (objects have few versions).
    const findVersions = this.db.stmt(
      'SELECT date_added, version, version_key FROM objects WHERE collection_id = ? AND id = ? ORDER BY version_key',
    );
    const clearFirst = this.db.stmt('UPDATE objects SET is_first = 0 WHERE date_added = ?');
    const clearLast = this.db.stmt('UPDATE objects SET is_last = 0 WHERE date_added = ?');
    const insert = this.db.stmt(
      `INSERT INTO objects (date_added, collection_id, id, type, spec_version, version, version_key,
         is_first, is_last, added_by, body, tlp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const clockRow = this.db.stmt('SELECT last FROM clock WHERE id = 1').get() as { last: number };
    let clock = Math.max(nowMicros(), clockRow.last + 1) - 1;

    const outcomes: AddOutcome[] = [];
    args.objects.forEach((obj, index) => {
      const versions = findVersions.all(collectionId, obj.id) as {
        date_added: number;
        version: string;
        version_key: string;
      }[];
      const existing =
        obj.versionKey === null ? versions[0] : versions.find((v) => v.version_key === obj.versionKey);
      if (existing) {
        outcomes.push({
          index,
          id: obj.id,
          version: existing.version,
          outcome: 'duplicate',
          dateAdded: existing.date_added,
        });
        return;
      }
      const dateAdded = ++clock;
      // A version and its key are both given or both null (an SCO: the server chooses the version).
      const version = obj.version ?? formatTaxiiTimestamp(dateAdded);
      const key = obj.versionKey ?? versionKey(version) ?? version;
      // The new version is first when no stored one is older, last when every one is; it then
      // takes the flag from the stored first / last (the ends of `versions`). Equal keys are
      // duplicates, handled above.
      const older = versions.filter((v) => v.version_key < key).length;
      const isFirst = older === 0;
      const isLast = older === versions.length;
      const oldFirst = versions[0];
      const oldLast = versions[versions.length - 1];
      if (isFirst && oldFirst) clearFirst.run(oldFirst.date_added);
      if (isLast && oldLast) clearLast.run(oldLast.date_added);
      insert.run(
        dateAdded,
        collectionId,
        obj.id,
        obj.type,
        obj.specVersion,
        version,
        key,
        isFirst ? 1 : 0,
        isLast ? 1 : 0,
        addedBy,
        obj.body,
        obj.tlp ?? UNMARKED,
      );
      outcomes.push({ index, id: obj.id, version, outcome: 'added', dateAdded });
    });
    this.db.stmt('UPDATE clock SET last = ? WHERE id = 1').run(Math.max(clock, clockRow.last));
    return outcomes;
  }

  async queryObjects(args: QueryObjectsArgs): Promise<Page<StoredVersion>> {
    return this.db.run('query objects', () => {
      const q = pageQuery(args);
      if (q === null) return { more: false, items: [] };
      // Row by row, so that a page of large objects stops reading at its byte budget.
      const page = new PageCut<ObjectRow>(args.limit, args.withBody ? args.maxBytes : undefined);
      for (const r of this.db.stmt(q.sql).iterate(...q.params) as IterableIterator<ObjectRow>) {
        if (!page.offer(r, r.body)) break;
      }
      return {
        more: page.more,
        items: page.items.map((r) => {
          const v: StoredVersion = {
            id: r.id,
            type: r.type,
            specVersion: r.spec_version,
            version: r.version,
            dateAdded: r.date_added,
          };
          if (r.body !== undefined) v.body = r.body;
          return v;
        }),
      };
    });
  }

  async objectExists(args: ObjectExistsArgs): Promise<boolean> {
    return this.db.run('object exists', () =>
      Boolean(
        (() => {
          const params: Params = [args.collectionId, args.id];
          const where = ['collection_id = ?', 'id = ?'];
          visibilityClause(args.visibleTo, where, params);
          return this.db.stmt(`SELECT 1 FROM objects WHERE ${where.join(' AND ')} LIMIT 1`).get(...params);
        })(),
      ),
    );
  }

  async deleteObject(args: DeleteObjectArgs): Promise<number> {
    return this.db.run('delete object', () =>
      this.db.immediate(() => {
        const params: Params = [args.collectionId, args.id];
        const where = ['collection_id = ?', 'id = ?'];
        addFilterClauses(
          { versions: args.versions ?? { kind: 'all' }, specVersions: args.specVersions },
          where,
          params,
        );
        visibilityClause(args.visibleTo, where, params);
        const deleted = this.db
          .stmt(`DELETE FROM objects WHERE ${where.join(' AND ')}`)
          .run(...params).changes;
        // (A no-op when nothing was deleted.)
        this.recomputeEnds(args.collectionId, args.id);
        return deleted;
      }),
    );
  }

  /** Re-derive is_first / is_last for one object from its remaining versions. */
  private recomputeEnds(collectionId: string, id: string): void {
    this.db
      .stmt(
        'UPDATE objects SET is_first = 0, is_last = 0 WHERE collection_id = ? AND id = ? AND (is_first = 1 OR is_last = 1)',
      )
      .run(collectionId, id);
    this.db
      .stmt(
        `UPDATE objects SET is_first = 1 WHERE date_added =
         (SELECT date_added FROM objects WHERE collection_id = ? AND id = ? ORDER BY version_key ASC LIMIT 1)`,
      )
      .run(collectionId, id);
    this.db
      .stmt(
        `UPDATE objects SET is_last = 1 WHERE date_added =
         (SELECT date_added FROM objects WHERE collection_id = ? AND id = ? ORDER BY version_key DESC LIMIT 1)`,
      )
      .run(collectionId, id);
  }

  async purgeCollection(args: PurgeCollectionArgs): Promise<number> {
    return this.db.run(`purge collection ${args.collectionId}`, () =>
      this.db.immediate(
        () =>
          this.db
            .stmt(
              `DELETE FROM objects WHERE date_added IN
               (SELECT date_added FROM objects WHERE collection_id = ? LIMIT ?)`,
            )
            .run(args.collectionId, Math.max(1, Math.floor(args.limit))).changes,
      ),
    );
  }

  async countObjects(collectionId: string): Promise<number> {
    return this.db.run('count objects', () => {
      const row = this.db
        .stmt('SELECT count(*) AS n FROM objects WHERE collection_id = ?')
        .get(collectionId) as {
        n: number;
      };
      return row.n;
    });
  }
}

/**
 * The SQL of one page (limit + 1 rows) of a paging query: one SELECT for match[id] queries, else
 * the merge of the visibility arms described in ./schema.ts; null when nothing can be visible.
 */
export function pageQuery(args: QueryObjectsArgs): { sql: string; params: Params } | null {
  const cols = `id, type, spec_version, version, date_added${args.withBody ? ', body' : ''}`;
  // Every dateAdded is > 0, so 0 stands for "from the start".
  const after = Math.max(args.after ?? 0, args.filter.addedAfter ?? 0);
  /** One SELECT over the versions of the filter, with extra conditions. */
  const select = (extra: (where: string[], params: Params) => void, filter: ObjectFilter) => {
    const params: Params = [args.collectionId, after];
    const where = ['collection_id = ?', 'date_added > ?'];
    addFilterClauses(filter, where, params);
    extra(where, params);
    return { sql: `SELECT ${cols} FROM objects WHERE ${where.join(' AND ')}`, params };
  };
  let parts: { sql: string; params: Params }[];
  if (args.filter.ids) {
    // A few versions per id through objects_version: visibility is a plain condition.
    parts = [select((w, p) => visibilityClause(args.visibleTo, w, p), args.filter)];
  } else {
    // One arm per (visible tlp value | own versions of an invisible one) [× type], merged.
    const types = args.filter.types;
    const typeSets = types && types.length <= MAX_TYPE_ARMS ? types.map((t) => [t]) : [types];
    parts = [];
    for (const arm of visibilityArms(args.visibleTo)) {
      for (const ts of typeSets) {
        const f: ObjectFilter = { ...args.filter, types: ts };
        parts.push(
          select((w, p) => {
            w.push(`tlp = ${arm.tlp}`);
            if (arm.publisher !== null) {
              w.push('added_by = ?');
              p.push(arm.publisher);
            }
          }, f),
        );
      }
    }
  }
  if (parts.length === 0) return null;
  const sql = `${parts.map((x) => x.sql).join(' UNION ALL ')} ORDER BY date_added LIMIT ?`;
  return { sql, params: [...parts.flatMap((x) => x.params), args.limit + 1] };
}

/** The tlp value of a version without TLP marking. */
const UNMARKED = -1;
/** Every tlp value, unmarked first. */
const TLP_VALUES: readonly number[] = [UNMARKED, 0, 1, 2, 3, 4];
/** Up to this many types in match[type], each type gets its own arms (index seeks, not a sort). */
const MAX_TYPE_ARMS = 8;

function visibleValues(scope: Exclude<ObjectScope, 'all'>): number[] {
  return TLP_VALUES.filter((t) => (t === UNMARKED ? scope.unmarked : (scope.ranks as number[]).includes(t)));
}

/** The arms of a paging query (./schema.ts): every visible tlp value, and own versions of the others. */
function visibilityArms(scope: ObjectScope): { tlp: number; publisher: string | null }[] {
  if (scope === 'all') return TLP_VALUES.map((tlp) => ({ tlp, publisher: null }));
  const visible = visibleValues(scope);
  const arms: { tlp: number; publisher: string | null }[] = [];
  for (const tlp of TLP_VALUES) {
    if (visible.includes(tlp)) arms.push({ tlp, publisher: null });
    else if (scope.publisher !== null) arms.push({ tlp, publisher: scope.publisher });
  }
  return arms;
}

/** The visibility of a scope as one condition (queries by id, exists, delete). */
function visibilityClause(scope: ObjectScope, where: string[], params: Params): void {
  if (scope === 'all') return;
  // SQLite takes an empty IN list (never true), and added_by = NULL is never true either.
  where.push(`(tlp IN (${visibleValues(scope).join(',')}) OR added_by = ?)`);
  params.push(scope.publisher);
}

function inList(column: string, values: string[], where: string[], params: Params): void {
  // (SQLite plans a one-value IN list as an equality.)
  where.push(`${column} IN (${values.map(() => '?').join(',')})`);
  params.push(...values);
}

/** Append the WHERE clauses of a TAXII filter (ids, types, spec versions, version selector). */
function addFilterClauses(filter: ObjectFilter, where: string[], params: Params): void {
  if (filter.ids) inList('id', filter.ids, where, params);
  if (filter.types) inList('type', filter.types, where, params);
  if (filter.specVersions) inList('spec_version', filter.specVersions, where, params);
  const v = filter.versions ?? DEFAULT_VERSIONS;
  if (v.kind === 'all') return;
  const ors: string[] = [];
  // Literal "= 1" comparisons let SQLite use the partial indexes objects_last / objects_first.
  if (v.last) ors.push('is_last = 1');
  if (v.first) ors.push('is_first = 1');
  if (v.exact.length > 0) {
    ors.push(`version_key IN (${v.exact.map(() => '?').join(',')})`);
    params.push(...v.exact);
  }
  where.push(ors.length === 0 ? '0' : `(${ors.join(' OR ')})`);
}
