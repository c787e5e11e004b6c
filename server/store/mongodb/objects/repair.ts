/**
 * Crash consistency. A writer killed mid-batch leaves its pending clock entry behind (the block it
 * reserved, or the id of a delete; see ./clock.ts). Entries of dead writers are repaired by every
 * instance at start-up and every REPAIR_INTERVAL_MS: the versions in the entry's block (found by
 * collection and dateAdded range) or the deleted id are settled (./settle.ts), then the entry is
 * removed. Settling is idempotent and safe next to live writers, so repairs need no coordination.
 * Nothing else can be half-written: a version is one document (body, metadata and flags together),
 * and a version reported as added was acknowledged by the server before the report. One residual
 * window: a killed client's last request may still execute on the server after the repair
 * (milliseconds after the kill); the next write or delete of that id settles it again.
 *
 * A write that failed while its process lives (the store refused or dropped it midway; the request
 * got an error) is undone instead: the writer deletes its block at once (./add.ts), or, when the
 * store does not answer, marks the link for rollback and the next repair here deletes the block
 * (the writer's own: every REPAIR_INTERVAL_MS, and once more when its store closes); until then the
 * link keeps hiding the block from readers. What a writer killed mid-batch wrote is
 * kept, as above: its request got no answer at all, and a retry reports the objects as duplicates.
 */
import type { ObjectHandles } from './documents';
import { settleFlags } from './settle';

/** How often every instance looks for writers that died mid-write. */
const REPAIR_INTERVAL_MS = 10_000;

export class CrashRepair {
  private timer: NodeJS.Timeout | undefined;
  private repairing: Promise<void> | null = null;

  /** `handles` throws once the store is closed (a late repair then fails, and is ignored). */
  constructor(private readonly handles: () => ObjectHandles) {}

  /** Settle the objects of writers that died mid-write, then close their links / intents. */
  async run(): Promise<void> {
    this.repairing ??= this.repairDead().finally(() => {
      this.repairing = null;
    });
    return this.repairing;
  }

  private async repairDead(): Promise<void> {
    const h = this.handles();
    const dead = await h.clock.dead();
    // Stryker disable next-line ObjectLiteral: the projection only trims the reply; the code reads only oid
    const projection = { _id: 0, oid: 1 };
    for (const l of dead.links) {
      const docs = await h.objects
        .find({ c: l.c, da: { $gte: l.s, $lt: l.e } })
        .project<{ oid: string }>(projection)
        .toArray();
      // A write of this instance that failed (its request got an error) is undone, not kept.
      if (h.clock.rollsBack(l)) await h.objects.deleteMany({ c: l.c, da: { $gte: l.s, $lt: l.e } });
      await settleFlags(h, l.c, [...new Set(docs.map((d) => d.oid))]);
      await h.clock.repaired(l);
    }
    for (const d of dead.intents) {
      await settleFlags(h, d.c, [d.oid]);
      await h.clock.fulfil(d._id);
    }
  }

  /** Repair every REPAIR_INTERVAL_MS from now on (the timer does not keep the process alive). */
  start(): void {
    this.timer ??= setInterval(() => {
      this.run().catch(() => {
        // the store is unreachable or closed: the next round (or another instance) repairs
      });
    }, REPAIR_INTERVAL_MS).unref();
  }

  // Stryker disable next-line BlockStatement: a timer left running only makes rounds that fail at once (handles() throws once the store is closed) and does not keep the process alive
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
