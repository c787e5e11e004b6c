/**
 * SQLite schema. `objects.date_added` is the table's INTEGER PRIMARY KEY (the rowid): unique across
 * the store, and every index on `objects` ends with it implicitly, so an index on
 * (collection_id[, …]) is already ordered by date_added.
 *
 * TLP visibility (server/access/TLP.md). `objects.tlp` is the version's TLP rank (0 clear … 4 red),
 * -1 when it carries no TLP marking; `added_by` is its publisher. A requester sees a set of tlp
 * values, plus its own versions. Every paging index therefore has `tlp` right after its equality
 * columns, and a paging query is a merge of at most six arms, one per tlp value t:
 *
 *   t visible to the requester      … WHERE collection_id = ? [AND flag] AND tlp = t AND date_added > ?
 *   t not visible (own versions)    … AND added_by = ? AND tlp = t          (objects_publisher)
 *
 * each an index range already in date_added order, combined by `UNION ALL … ORDER BY date_added
 * LIMIT n` — SQLite's MERGE (UNION ALL) of co-routines, which stops after limit + 1 rows whatever
 * share of the collection the requester cannot see. The arms use:
 *
 *   default (last versions)  objects_last_tlp  (collection_id, tlp) WHERE is_last = 1
 *   match[version]=first     objects_first_tlp (collection_id, tlp) WHERE is_first = 1
 *   all versions / mixes     objects_tlp       (collection_id, tlp)
 *   match[type]              objects_type_tlp  (collection_id, type, tlp) (flags checked per row)
 *   own versions             objects_publisher (collection_id, added_by, tlp) (flags checked per row)
 *   match[id], versions      objects_version UNIQUE (collection_id, id, version_key), one query
 *                            with the visibility as a condition (a few versions per id)
 *
 * `is_first` / `is_last` are maintained at write time inside the same transaction as the insert,
 * so "latest version" is never computed by scanning.
 *
 * Tables by concern (one file each in this folder): registry — api_roots, collections, grants;
 * principals — members, groups, group_members, api_keys, certificates, removed_members; objects —
 * objects, clock; statuses — statuses; state — settings (shared secrets), state; audit — audit.
 * Files written by earlier versions are brought to this schema by ./migrate.ts before SCHEMA runs
 * (the tables added since are new: CREATE TABLE IF NOT EXISTS suffices for them).
 */
export const SCHEMA_VERSION = 3;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS clock (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL
);
INSERT OR IGNORE INTO clock (id, last) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS api_roots (
  name        TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  description TEXT,
  created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS collections (
  id          TEXT PRIMARY KEY,
  api_root    TEXT NOT NULL REFERENCES api_roots (name),
  title       TEXT NOT NULL,
  description TEXT,
  alias       TEXT,
  media_types TEXT NOT NULL,
  default_tlp TEXT NOT NULL DEFAULT 'amber',
  created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS collections_alias ON collections (api_root, alias) WHERE alias IS NOT NULL;
CREATE INDEX IF NOT EXISTS collections_root ON collections (api_root, id);

CREATE TABLE IF NOT EXISTS grants (
  collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
  grp           TEXT NOT NULL,
  can_read      INTEGER NOT NULL,
  can_write     INTEGER NOT NULL,
  max_tlp       TEXT NOT NULL DEFAULT 'amber',
  PRIMARY KEY (collection_id, grp)
);
CREATE INDEX IF NOT EXISTS grants_group ON grants (grp);

CREATE TABLE IF NOT EXISTS members (
  name        TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  disabled    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
  name       TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
  grp    TEXT NOT NULL REFERENCES groups (name),
  member TEXT NOT NULL REFERENCES members (name),
  PRIMARY KEY (grp, member)
);
CREATE INDEX IF NOT EXISTS group_members_member ON group_members (member);
CREATE TABLE IF NOT EXISTS api_keys (
  id         TEXT PRIMARY KEY,
  member     TEXT NOT NULL REFERENCES members (name),
  name       TEXT,
  hash       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS api_keys_member ON api_keys (member, created_at);
CREATE TABLE IF NOT EXISTS certificates (
  fingerprint TEXT PRIMARY KEY,
  member      TEXT NOT NULL REFERENCES members (name),
  subject     TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS certificates_member ON certificates (member);
CREATE TABLE IF NOT EXISTS removed_members (
  name       TEXT PRIMARY KEY,
  removed_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS objects (
  date_added    INTEGER PRIMARY KEY,
  collection_id TEXT NOT NULL,
  id            TEXT NOT NULL,
  type          TEXT NOT NULL,
  spec_version  TEXT NOT NULL,
  version       TEXT NOT NULL,
  version_key   TEXT NOT NULL,
  is_first      INTEGER NOT NULL,
  is_last       INTEGER NOT NULL,
  added_by      TEXT NOT NULL,
  body          TEXT NOT NULL,
  tlp           INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_version ON objects (collection_id, id, version_key);
CREATE INDEX IF NOT EXISTS objects_tlp ON objects (collection_id, tlp);
CREATE INDEX IF NOT EXISTS objects_last_tlp ON objects (collection_id, tlp) WHERE is_last = 1;
CREATE INDEX IF NOT EXISTS objects_first_tlp ON objects (collection_id, tlp) WHERE is_first = 1;
CREATE INDEX IF NOT EXISTS objects_type_tlp ON objects (collection_id, type, tlp);
CREATE INDEX IF NOT EXISTS objects_publisher ON objects (collection_id, added_by, tlp);

CREATE TABLE IF NOT EXISTS state (
  key     TEXT PRIMARY KEY,
  value   TEXT NOT NULL,
  version INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS statuses (
  id                TEXT PRIMARY KEY,
  api_root          TEXT NOT NULL,
  collection_id     TEXT NOT NULL,
  member            TEXT NOT NULL,
  request_timestamp INTEGER NOT NULL,
  status            TEXT NOT NULL,
  total_count       INTEGER NOT NULL,
  success_count     INTEGER,
  failure_count     INTEGER,
  pending_count     INTEGER,
  successes         TEXT NOT NULL,
  failures          TEXT NOT NULL,
  pendings          TEXT NOT NULL,
  expires_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS statuses_expiry ON statuses (expires_at);

CREATE TABLE IF NOT EXISTS audit (
  seq           INTEGER PRIMARY KEY,
  at            INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  member        TEXT,
  address       TEXT,
  endpoint      TEXT NOT NULL,
  api_root      TEXT,
  collection_id TEXT,
  count         INTEGER,
  status        INTEGER NOT NULL,
  detail        TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
CREATE INDEX IF NOT EXISTS audit_member ON audit (member, at);
CREATE INDEX IF NOT EXISTS audit_collection ON audit (collection_id, at);
`;
