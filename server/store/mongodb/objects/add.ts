/**
 * addObjects on MongoDB: find what is already stored, plan the batch (new versions, duplicates of
 * stored versions, duplicates within the batch), reserve dateAdded values on the clock
 * (./clock.ts), insert the new versions durably in one insertMany, settle their first/last flags
 * (./settle.ts), and report every object's outcome in batch order.
 */
import { MongoBulkWriteError } from 'mongodb';
import type { AddObjectsArgs, AddOutcome, NewObjectVersion } from '../../contract';
import { StoreError } from '../../../errors';
import { isDuplicateKeyCode } from '../errors';
import { formatTaxiiTimestamp, versionKey, type Micros } from '../../../time';
import { byString } from '../sort';
import { newToken } from './clock';
import { UNMARKED, objectDocId, type ObjectDoc, type ObjectHandles } from './documents';
import { flagsAmong, keysById, settleFlags } from './settle';

/** A version already stored: what a duplicate of it reports. */
interface Stored {
  version: string;
  dateAdded: Micros;
}

/** One object of a batch on its way in. */
interface Planned {
  index: number;
  obj: NewObjectVersion;
  /** For a duplicate within the batch: the earlier object it duplicates. */
  dupOf?: Planned;
  /** For a duplicate of a stored version. */
  stored?: Stored;
  doc?: ObjectDoc;
  outcome?: AddOutcome;
}

/** The outcomes of a batch, in batch order (an empty batch reads nothing and reports []). */
export async function addObjects(h: ObjectHandles, args: AddObjectsArgs): Promise<AddOutcome[]> {
  const c = args.collectionId;
  const ids = [...new Set(args.objects.map((o) => o.id))];

  // 1. What is already stored, and which objects of the batch are new.
  const stored = await h.objects
    .find(
      { c, oid: { $in: ids } },
      // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only the fields it names
      { projection: { _id: 0, oid: 1, vk: 1, ver: 1, da: 1 } },
    )
    .toArray();
  /** id → versionKey → stored version or earlier object of this batch. */
  const known = new Map<string, Map<string, Stored | Planned>>();
  for (const s of stored) {
    let m = known.get(s.oid);
    if (!m) known.set(s.oid, (m = new Map()));
    m.set(s.vk, { version: s.ver, dateAdded: s.da });
  }
  /** SCO copies in this batch for ids with nothing stored: the first one. */
  const batchSco = new Map<string, Planned>();
  const plan: Planned[] = [];
  const fresh: Planned[] = [];
  args.objects.forEach((obj, index) => {
    const p: Planned = { index, obj };
    plan.push(p);
    const versions = known.get(obj.id);
    let hit: Stored | Planned | undefined;
    // Without a version (an SCO; versionKey is null exactly when version is): the store gives it one.
    if (obj.versionKey === null) {
      // Any version of the id makes a copy without version a duplicate (of the lowest one); an id
      // is in `known` only with at least one version.
      if (versions) hit = versions.get([...versions.keys()].sort()[0] as string);
      else hit = batchSco.get(obj.id);
      if (!hit) batchSco.set(obj.id, p);
    } else {
      hit = versions?.get(obj.versionKey);
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

  if (fresh.length > 0) await insertFresh(h, args, fresh, known);

  // 2. Outcomes, in batch order: a new version's was set by insertFresh; a duplicate reports the
  // version it duplicates (an earlier object of the batch, itself never a duplicate, or a stored one).
  const outcomeOf = (p: Planned): AddOutcome => {
    if (p.outcome) return p.outcome;
    const of = p.dupOf ? (outcomeOf(p.dupOf) as Stored) : (p.stored as Stored);
    return {
      index: p.index,
      id: p.obj.id,
      version: of.version,
      outcome: 'duplicate',
      dateAdded: of.dateAdded,
    };
  };
  return plan.map(outcomeOf);
}

/** Reserve dateAdded values for the new objects, insert them durably, settle their flags. */
async function insertFresh(
  h: ObjectHandles,
  args: AddObjectsArgs,
  fresh: Planned[],
  known: Map<string, Map<string, Stored | Planned>>,
): Promise<void> {
  const c = args.collectionId;
  const token = newToken();
  // A reservation that fails is the clock's to clean up (./clock.ts); from here on, this writer's.
  const { seq, start } = await h.clock.reserve(token, c, fresh.length);
  try {
    const rows = fresh.map((p, k) => {
      const da = start + k;
      if (p.obj.versionKey !== null)
        return { p, da, ver: p.obj.version as string, vk: p.obj.versionKey, sco: false };
      const ver = formatTaxiiTimestamp(da);
      return { p, da, ver, vk: versionKey(ver) ?? ver, sco: true };
    });
    // The version keys of each id: stored and new in this batch (a new one with a version is in
    // `known` already, so listed twice: harmless).
    const keysOf = keysById([
      ...[...known].flatMap(([oid, m]) => [...m.keys()].map((vk) => [oid, vk] as const)),
      ...rows.map((r) => [r.p.obj.id, r.vk] as const),
    ]);
    const docs = rows.map(({ p, da, ver, vk, sco }): ObjectDoc => {
      // Flags as far as this writer can tell; settleFlags() corrects races afterwards.
      const { first, last } = flagsAmong(keysOf.get(p.obj.id) as string[], vk);
      p.doc = {
        _id: objectDocId(c, p.obj.id, sco ? null : vk),
        c,
        oid: p.obj.id,
        type: p.obj.type,
        sv: p.obj.specVersion,
        ver,
        vk,
        da,
        first,
        last,
        by: args.addedBy,
        body: p.obj.body,
        tlp: p.obj.tlp ?? UNMARKED,
      };
      return p.doc;
    });
    const raced = new Set<number>();
    try {
      await h.objects.insertMany(docs, { ordered: false });
    } catch (e) {
      if (!(e instanceof MongoBulkWriteError)) throw e;
      const errs = [e.writeErrors].flat();
      if (errs.length === 0 || errs.some((w) => !isDuplicateKeyCode(w.code))) throw e;
      for (const w of errs) raced.add(w.index);
    }
    // Another writer stored the same version between our read and our insert (or the driver
    // retried our own insert): report what is stored.
    if (raced.size > 0) {
      const racedIds = [...new Set([...raced].map((i) => (fresh[i] as Planned).obj.id))];
      const now = await h.objects
        .find(
          { c, oid: { $in: racedIds } },
          // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only the fields it names
          { projection: { _id: 0, oid: 1, ver: 1, vk: 1, da: 1 } },
        )
        .toArray();
      for (const i of raced) {
        const p = fresh[i] as Planned;
        const doc = p.doc as ObjectDoc;
        const sco = p.obj.versionKey === null;
        const candidates = now.filter((d) => d.oid === doc.oid && (sco || d.vk === doc.vk));
        const s = candidates.sort(byString((d) => d.vk))[0];
        if (!s) throw new StoreError(`add objects: ${doc.oid} reported as duplicate but not found`);
        if (s.da === doc.da) continue; // our own write, retried
        p.stored = { version: s.ver, dateAdded: s.da };
        delete p.doc;
      }
    }
    await settleFlags(h, c, [...new Set(docs.map((d) => d.oid))]);
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
  } catch (e) {
    // A failed batch leaves nothing behind (the caller answers with an error): remove what this
    // writer may have inserted in its block, or have the repair do it once the store answers.
    await rollBack(h, c, { seq, start }, fresh.length, token, fresh);
    throw e;
  }
}

/**
 * Deletes the versions of a failed write (its dateAdded block is its own) and settles the flags of
 * their ids; then the link is done. When the store does not let that happen, the link is left to
 * this instance's repair, which rolls it back (./repair.ts); it hides the block until then.
 */
async function rollBack(
  h: ObjectHandles,
  c: string,
  block: { seq: number; start: Micros },
  n: number,
  token: string,
  fresh: Planned[],
): Promise<void> {
  try {
    await h.objects.deleteMany({ c, da: { $gte: block.start, $lt: block.start + n } });
    await settleFlags(h, c, [...new Set(fresh.map((p) => p.obj.id))]);
    await h.clock.finish(block.seq, token);
  } catch {
    h.clock.mustRollBack(token);
  }
}
