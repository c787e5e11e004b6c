/**
 * first/last flags without transactions. A version document carries `first` and `last`. A writer
 * inserts new versions with flags computed from the versions it read, then runs `settleFlags` for
 * the ids it touched: read every version of those ids, and rewrite the flags that disagree with
 * "first = lowest versionKey, last = highest"; repeat until a read finds nothing to change. Each
 * writer thus ends with a read that follows its own last write, so whichever write to an id comes
 * last is followed by a read that sees the final version set and, if needed, corrects it: when
 * concurrent writers settle, the flags converge to exactly one first and one last per id. Readers
 * may, for the milliseconds between an insert and its settle, see a new version's flag before an
 * older one's is cleared (reservation capping hides the new version itself until it is settled).
 */
import type { ObjectDoc, ObjectHandles } from './documents';

/** Each id's version keys, sorted: an id's first version has the lowest key, its last the highest. */
export function keysById(pairs: Iterable<readonly [oid: string, vk: string]>): Map<string, string[]> {
  const keysOf = new Map<string, string[]>();
  for (const [oid, vk] of pairs) {
    const ks = keysOf.get(oid);
    if (ks) ks.push(vk);
    else keysOf.set(oid, [vk]);
  }
  for (const ks of keysOf.values()) ks.sort();
  return keysOf;
}

/** The flags of the version with key `vk`, among its id's sorted keys `ks` (see keysById). */
export function flagsAmong(ks: readonly string[], vk: string): { first: boolean; last: boolean } {
  return { first: vk === ks[0], last: vk === ks[ks.length - 1] };
}

/**
 * Make `first`/`last` of every version of `oids` in collection `c` agree with the version keys;
 * loops until a read finds nothing to change (see the file comment for why this converges).
 */
export async function settleFlags(h: ObjectHandles, c: string, oids: string[]): Promise<void> {
  const rest = [...oids];
  while (rest.length > 0) {
    const chunk = rest.splice(0, 500);
    // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only the fields it names
    const fields = { oid: 1, vk: 1, first: 1, last: 1 };
    // Stryker disable next-line UpdateOperator: round-- only lifts the bound; the loop still ends at the first read with nothing to change
    for (let round = 0; round < 50; round++) {
      const docs = await h.objects
        .find({ c, oid: { $in: chunk } })
        .project<Pick<ObjectDoc, '_id' | 'oid' | 'vk' | 'first' | 'last'>>(fields)
        .toArray();
      const keysOf = keysById(docs.map((d) => [d.oid, d.vk] as const));
      // The flags each document should have, as a target '<first><last>' (null when it has them).
      const targets = docs.map((d) => {
        const { first, last } = flagsAmong(keysOf.get(d.oid) as string[], d.vk);
        return d.first === first && d.last === last ? null : `${first ? 1 : 0}${last ? 1 : 0}`;
      });
      if (targets.every((t) => t === null)) break;
      // Set the new ends before clearing the old ones. Grouped by target flags: at most four
      // updateMany calls per round (FerretDB 1.24 hangs on an update command with about 100
      // statements, so no bulkWrite).
      for (const target of ['11', '10', '01', '00']) {
        const ids = docs.filter((_, i) => targets[i] === target).map((d) => d._id);
        while (ids.length > 0) {
          await h.objects.updateMany(
            { _id: { $in: ids.splice(0, 500) } },
            { $set: { first: target[0] === '1', last: target[1] === '1' } },
          );
        }
      }
    }
  }
}
