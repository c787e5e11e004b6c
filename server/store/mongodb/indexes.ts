/**
 * Collections and indexes of the MongoDB backend, created idempotently when the store opens (connection.ts ensureIndexes).
 *
 * Object versions live in `objects`, one document per (collection, object id, version):
 *
 *   { _id, c: collectionId, oid: STIX id, type, sv: spec_version, ver: version string,
 *     vk: versionKey, da: dateAdded (µs), first: bool, last: bool, by: addedBy, body: JSON text }
 *
 * `_id` is `${c}|${oid}|${vk}` (or `${c}|${oid}|sco` for an object stored without a version), so
 * a second insert of the same version fails on the primary key whatever the race.
 *
 * Query plans (MongoDB; every query on the paging path is an index range scan in `da` order that
 * stops after limit + 1 documents — no in-memory SORT stage, no aggregation):
 *
 *   default, match[version]=last   {c, last:true, da:{$gt, $lt}} sort {da}
 *       → IXSCAN objects_last {c:1, last:1, da:1}: equality on c, last; range on da; LIMIT.
 *   match[version]=first           → IXSCAN objects_first {c:1, first:1, da:1}, same shape.
 *   match[version]=all             {c, da:{…}} sort {da} → IXSCAN objects_da {c:1, da:1}.
 *   first,last,exact mixes         {c, da, $or:[{last:true},{first:true},{vk:{$in}}]} sort {da}
 *       → SUBPLAN: one IXSCAN per branch (objects_last, objects_first, objects_vk {c:1, vk:1, da:1}),
 *         each in da order, combined by SORT_MERGE; still a keyset scan that stops at limit + 1.
 *   match[type]                    {c, type:{$in}, da, …} sort {da}
 *       → IXSCAN objects_type {c:1, type:1, da:1}: one range per type, SORT_MERGE on da; the
 *         version flags are checked on the fetched documents (FETCH filter).
 *   match[id]                      {c, oid:{$in}, …} sort {da}
 *       → IXSCAN objects_version {c:1, oid:1, vk:1}; the handful of versions of the requested ids
 *         are sorted in memory (bounded by ids × versions, never by the collection size).
 *   match[spec_version]            checked on the fetched documents of whichever plan above.
 *
 * Writes: duplicate detection and first/last maintenance read {c, oid:{$in}} through
 * objects_version (also UNIQUE: one document per version). Crash repair reads {c, da:[s, s+n)}
 * through objects_da. objectExists uses objects_version, countObjects objects_da (COUNT_SCAN).
 *
 * FerretDB 1.x (SQLite handler) accepts these indexes but plans most of these queries as a scan
 * of the collection's table with the filter pushed down; it is the test server, not the target.
 *
 * Other collections:
 *   clock        the dateAdded reservation chain, { _id: seq, s, e, done, … } (see objects/clock.ts); small:
 *                finished links below the newest finished one are deleted, so it is read whole
 *   intents      delete intents (see objects/clock.ts); normally empty
 *   meta         { _id: 'secret:<name>', value }, the write-concern probe
 *   apiroots     { _id: name, title, description?, createdAt }
 *   collections  { _id: id, apiRoot, title, description?, alias?, ak, mediaTypes, grants, createdAt };
 *                `ak` is a UNIQUE key: [apiRoot, 'alias', alias] or, without alias, [apiRoot, 'id', id]
 *                (FerretDB 1.x has no partial indexes, so absent aliases get a unique filler).
 *   members      { _id: name, secretHash, disabled, createdAt }
 *   groups       { _id: name, createdAt }
 *   memberships  { _id: [group, member] as JSON, g, m }
 *   state        { _id: JSON [key, version], k, v, value }: one document per version (state.ts putState)
 *   statuses     { _id: id, apiRoot, …StatusRecord, expiresAt (µs), expiresAtDate (Date) }; a TTL
 *                index on expiresAtDate where the server supports it (not FerretDB 1.x), and
 *                purgeStatuses() deletes through statuses_expiry in any case.
 */
import type { IndexSpecification } from 'mongodb';

export interface IndexDef {
  collection: string;
  name: string;
  key: IndexSpecification;
  unique?: boolean;
  expireAfterSeconds?: number;
  /** Skip silently when the server does not implement the index's options (TTL on FerretDB). */
  optional?: boolean;
}

export const OBJECTS = 'objects';
export const META = 'meta';
export const CLOCK = 'clock';
export const INTENTS = 'intents';
export const API_ROOTS = 'apiroots';
export const COLLECTIONS = 'collections';
export const MEMBERS = 'members';
export const GROUPS = 'groups';
export const MEMBERSHIPS = 'memberships';
export const STATUSES = 'statuses';
export const STATE = 'state';

export const INDEXES: IndexDef[] = [
  { collection: OBJECTS, name: 'objects_da', key: { c: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_last', key: { c: 1, last: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_first', key: { c: 1, first: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_type', key: { c: 1, type: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_vk', key: { c: 1, vk: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_version', key: { c: 1, oid: 1, vk: 1 }, unique: true },
  { collection: COLLECTIONS, name: 'collections_alias', key: { ak: 1 }, unique: true },
  { collection: COLLECTIONS, name: 'collections_root', key: { apiRoot: 1, _id: 1 } },
  { collection: MEMBERSHIPS, name: 'memberships_member', key: { m: 1, g: 1 } },
  { collection: MEMBERSHIPS, name: 'memberships_group', key: { g: 1, m: 1 } },
  { collection: STATE, name: 'state_key', key: { k: 1, v: -1 } },
  { collection: STATUSES, name: 'statuses_expiry', key: { expiresAt: 1 } },
  {
    collection: STATUSES,
    name: 'statuses_ttl',
    key: { expiresAtDate: 1 },
    expireAfterSeconds: 0,
    optional: true,
  },
];
