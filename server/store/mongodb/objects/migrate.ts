/**
 * Version documents written before TLP-aware sharing have no `tlp`. When the store opens, they are
 * classified from their stored body by the same code as ingest (server/access/tlp.ts), in batches,
 * each a handful of updateMany calls grouped by the computed value — idempotent, so instances that
 * open an old database at the same time may all run it. Done once per database: a `meta` document
 * records it, so later starts do not scan for unclassified documents. The paging indexes without
 * `tlp` that earlier versions created are dropped afterwards (../indexes.ts lists today's).
 *
 * Upgrading a cluster: stop the instances of the earlier version before starting this one; a
 * version document an old instance writes after the migration has no `tlp` and is seen only by
 * its publisher.
 */
import { MongoServerError } from 'mongodb';
import { classify } from '../../../access/tlp';
import type { MongoConnection } from '../connection';
import { isDuplicateKey } from '../errors';
import { META, OBJECTS } from '../indexes';
import { UNMARKED, type ObjectDoc } from './documents';

const DONE_ID = 'migration:object-tlp';
const BATCH = 1000;
const OLD_INDEXES = ['objects_last', 'objects_first', 'objects_type'];

export function tlpOfBody(body: unknown): number {
  if (typeof body !== 'string') return UNMARKED;
  try {
    return classify(JSON.parse(body)) ?? UNMARKED;
  } catch {
    return UNMARKED;
  }
}

export async function classifyStored(conn: MongoConnection): Promise<void> {
  const meta = conn.collection<{ _id: string; at: number }>(META);
  if (await meta.findOne({ _id: DONE_ID })) return;
  const objects = conn.collection<ObjectDoc>(OBJECTS);
  // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only _id and body
  const projection = { _id: 1, body: 1 };
  for (;;) {
    const docs = await objects
      .find({ tlp: { $exists: false } })
      .project<{ _id: string; body: unknown }>(projection)
      .limit(BATCH)
      .toArray();
    if (docs.length === 0) break;
    const tlps = docs.map((d) => tlpOfBody(d.body));
    for (const tlp of new Set(tlps)) {
      const ids = docs.filter((_, i) => tlps[i] === tlp).map((d) => d._id);
      await objects.updateMany({ _id: { $in: ids } }, { $set: { tlp } });
    }
  }
  for (const name of OLD_INDEXES) {
    try {
      await objects.dropIndex(name);
    } catch (e) {
      // 27 IndexNotFound, 26 NamespaceNotFound: nothing to drop
      if (!(e instanceof MongoServerError && [26, 27].includes(e.code as number))) throw e;
    }
  }
  try {
    await meta.insertOne({ _id: DONE_ID, at: Date.now() });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e; // another instance finished at the same time
  }
}
