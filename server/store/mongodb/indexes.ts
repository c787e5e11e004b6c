/**
 * Collections and indexes of the MongoDB backend, created idempotently when the store opens (connection.ts ensureIndexes).
 *
 * Object versions live in `objects`, one document per (collection, object id, version):
 *
 *   { _id, c: collectionId, oid: STIX id, type, sv: spec_version, ver: version string,
 *     vk: versionKey, da: dateAdded (µs), first: bool, last: bool, by: addedBy (the publisher),
 *     body: JSON text, tlp: TLP rank 0 clear … 4 red, -1 unmarked }
 *
 * `_id` is `${c}|${oid}|${vk}` (or `${c}|${oid}|sco` for an object stored without a version), so
 * a second insert of the same version fails on the primary key whatever the race.
 *
 * Query plans (MongoDB; every query on the paging path is an index range scan in `da` order that
 * stops after limit + 1 documents — no in-memory SORT stage, no aggregation). TLP visibility
 * (server/access/TLP.md) adds `tlp ∈ visible` — or, for the requester's own versions, `by = me,
 * tlp ∈ hidden` — as a rooted $or with the whole filter repeated in each branch (objects/documents.ts
 * withScope). `tlp` sits before `da` in every paging index, so each $in value is its own range in
 * `da` order (explode-for-sort) and the ranges and branches are combined by SORT_MERGE:
 *
 *   default, match[version]=last   {c, last:true, tlp:{$in}, da:{$gt, $lt}} sort {da}
 *       → IXSCAN objects_last_tlp {c:1, last:1, tlp:1, da:1}, one range per tlp value; LIMIT.
 *   match[version]=first           → objects_first_tlp {c:1, first:1, tlp:1, da:1}, same shape.
 *   match[version]=all             → objects_tlp {c:1, tlp:1, da:1}.
 *   own versions (the by branch)   → objects_publisher {c:1, by:1, tlp:1, da:1}; flags checked on
 *                                    the fetched documents.
 *   first,last,exact mixes         {$and: [{c, da, $or:[{last},{first},{vk:{$in}}]}, visibility]}
 *       → the version $or as before (objects_last_tlp, objects_first_tlp, objects_vk), visibility
 *         checked on the fetched documents.
 *   match[type]                    → objects_type_tlp {c:1, type:1, tlp:1, da:1}: one range per
 *                                    (type, tlp); the version flags checked on fetched documents.
 *   match[id]                      → objects_version {c:1, oid:1, vk:1}; the few versions of the
 *                                    ids are sorted in memory.
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
 *   meta         { _id: 'secret:<name>', value }, the write-concern probe, migration markers
 *                (objects/migrate.ts)
 *   apiroots     { _id: name, title, description?, createdAt }
 *   collections  { _id: id, apiRoot, title, description?, alias?, ak, mediaTypes, grants: [{ group,
 *                read, write, maxTlp }], defaultTlp, createdAt } (maxTlp / defaultTlp absent on
 *                documents written before TLP ceilings: they read as amber, ../grants.ts);
 *                `ak` is a UNIQUE key: [apiRoot, 'alias', alias] or, without alias, [apiRoot, 'id', id]
 *                (FerretDB 1.x has no partial indexes, so absent aliases get a unique filler).
 *   members      { _id: name, secretHash, disabled, createdAt }
 *   groups       { _id: name, createdAt }
 *   memberships  { _id: [group, member] as JSON, g, m }
 *   apikeys      { _id: key id, member, name, hash, createdAt, expiresAt, revokedAt }
 *   certificates { _id: SHA-256 fingerprint (hex), member, subject, createdAt }
 *   removedmembers { _id: name, removedAt }: names of removed members, reserved for ever
 *   audit        { at, kind, member, address, endpoint, apiRoot, collection, count, status, detail }
 *                (ObjectId _id breaks ties of `at` in insertion order per client)
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
export const API_KEYS = 'apikeys';
export const CERTIFICATES = 'certificates';
export const REMOVED_MEMBERS = 'removedmembers';
export const AUDIT = 'audit';

export const INDEXES: IndexDef[] = [
  { collection: OBJECTS, name: 'objects_da', key: { c: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_tlp', key: { c: 1, tlp: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_last_tlp', key: { c: 1, last: 1, tlp: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_first_tlp', key: { c: 1, first: 1, tlp: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_type_tlp', key: { c: 1, type: 1, tlp: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_publisher', key: { c: 1, by: 1, tlp: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_vk', key: { c: 1, vk: 1, da: 1 } },
  { collection: OBJECTS, name: 'objects_version', key: { c: 1, oid: 1, vk: 1 }, unique: true },
  { collection: COLLECTIONS, name: 'collections_alias', key: { ak: 1 }, unique: true },
  { collection: COLLECTIONS, name: 'collections_root', key: { apiRoot: 1, _id: 1 } },
  { collection: MEMBERSHIPS, name: 'memberships_member', key: { m: 1, g: 1 } },
  { collection: MEMBERSHIPS, name: 'memberships_group', key: { g: 1, m: 1 } },
  { collection: API_KEYS, name: 'apikeys_member', key: { member: 1, createdAt: 1, _id: 1 } },
  { collection: CERTIFICATES, name: 'certificates_member', key: { member: 1, _id: 1 } },
  { collection: AUDIT, name: 'audit_at', key: { at: 1, _id: 1 } },
  { collection: AUDIT, name: 'audit_member', key: { member: 1, at: 1, _id: 1 } },
  { collection: AUDIT, name: 'audit_collection', key: { collection: 1, at: 1, _id: 1 } },
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
