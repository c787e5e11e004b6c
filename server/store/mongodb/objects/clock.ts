/**
 * The store clock of the MongoDB backend: assigns `dateAdded`, keeps readers from running ahead of
 * writers, and records what a crashed writer may have left half done. No transactions, and no
 * read-modify-write updates either: FerretDB 1.x applies an update as "find, change in memory,
 * write back" without isolation, so a compare-and-set updateOne({ _id, v }, …) can succeed twice
 * for the same v. The one primitive both servers make atomic is inserting a unique `_id`.
 *
 * Reservations therefore form a chain of documents in the `clock` collection:
 *
 *   { _id: seq, t: token, s: start, e: end, c: collectionId, i/h/p: owner, at, done }
 *
 * To reserve n values a writer reads the head (highest seq) and inserts seq + 1 with
 * s = max(now, head.e), e = s + n. If another writer inserted seq + 1 first the insert fails on the
 * primary key and the writer retries from the new head. Each link is unique and starts where its
 * predecessor ends (or later), so blocks are disjoint and increasing across every hub instance on the
 * database, and never go back even if a host's clock does. A finished writer marks its link done and
 * deletes the done links below it (never the head, which the next writer needs); a driver retry
 * of the insert is recognised by the token.
 *
 * Visibility. Blocks are reserved in one order but may be written in another: writer A reserves
 * [100, 200), writer B reserves [200, 300) and finishes first. A reader paging by dateAdded that saw
 * B's objects would move its cursor past 200 and never see A's. So a reader first reads the clock
 * collection and hides every dateAdded >= cap, where cap = min(head.e, s of every live link not
 * done). A block reserved after that read starts at or above head.e; a block reserved before it is
 * either done (its objects are durable and visible) or below the cap. Hence a reader never sees a
 * later block while an earlier one can still appear: dateAdded increases in visibility order. The
 * price: objects become visible when every older batch has finished, not when their own has.
 *
 * Liveness. A crashed writer's link would hide new objects forever, so a link stops capping readers
 * once its owner is known dead: same host (hostname + PID namespace) and its process no longer
 * exists, or it is this process under an instance id that is no longer open, or, for owners on other
 * hosts, once it is older than LEASE_MICROS. To its own instance, a link or intent is dead as soon as
 * its request no longer runs (it failed); a failed write whose objects could not be removed is the
 * exception: it keeps hiding its block until its instance's repair deletes the block. A live writer
 * slower than the lease (a batch stuck for over a minute) could then be overtaken by readers: that
 * residual hazard is accepted and is the only one. Dead links are also the crash-repair journal (see
 * ./repair.ts).
 *
 * Deletes write an intent document ({ _id: token, c, oid, owner, at }) to `intents` for the same
 * purpose; intents never cap readers.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import { nowMicros, type Micros } from '../../../time';
import { isDuplicateKey } from '../errors';

/** Links older than this are considered abandoned when their owner cannot be checked directly. */
export const LEASE_MICROS = 60_000_000;

export interface Owner {
  /** Random id of the open store instance (one clock per open MongoDB store). */
  i: string;
  /** Host key: hostname plus PID namespace, so PIDs are comparable only within one namespace. */
  h: string;
  /** Process id. */
  p: number;
}

export interface ClockLink extends Owner {
  _id: number;
  /** Random token of the reservation. */
  t: string;
  /** Reserved block [s, e). */
  s: Micros;
  e: Micros;
  /** Collection the objects go to. */
  c: string;
  /** When the link was written (the writer's clock). */
  at: Micros;
  done: boolean;
}

export interface IntentDoc extends Owner {
  _id: string;
  c: string;
  oid: string;
  at: Micros;
}

// Stryker disable next-line BooleanLiteral: a genesis not done would be dead by its lease (at 0), and the start-up repair marks it done
const GENESIS: ClockLink = { _id: 0, t: 'genesis', s: 0, e: 0, c: '', at: 0, done: true, i: '', h: '', p: 0 };

export function hostKey(): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // not Linux: the hostname alone
  }
  return `${hostname()}|${ns}`;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Instance ids of the MongoDB stores open in this process. */
const liveInThisProcess = new Set<string>();

export function newToken(): string {
  return randomBytes(12).toString('hex');
}

export class StoreClock {
  readonly owner: Owner;
  /**
   * Tokens of this instance's links and intents whose requests are still running. Any other
   * unfinished link or intent of this instance was left by a failure: to this instance its writer
   * is gone at once, and its repair takes it (other instances wait for it to close, or the lease).
   * Only running requests are listed, so nothing accumulates however many writes fail.
   */
  private readonly inFlight = new Set<string>();
  /** Whether a failure has left something of this instance unfinished (see owesRepair). */
  // Stryker disable next-line BooleanLiteral: a repair round at close with nothing owed changes nothing (it only costs the reads)
  private leftUnfinished = false;
  /**
   * Tokens of our own links whose write failed and whose objects could not be removed at once:
   * they must be rolled back (never settled), and they keep hiding their block from readers until
   * they are (what a failed request wrote must never become visible).
   */
  private readonly rollbackLinks = new Set<string>();

  constructor(
    private readonly links: Collection<ClockLink>,
    private readonly intents: Collection<IntentDoc>,
  ) {
    this.owner = { i: randomBytes(8).toString('hex'), h: hostKey(), p: process.pid };
    liveInThisProcess.add(this.owner.i);
  }

  /** The instance is closing: whatever it left unfinished becomes repairable. */
  retire(): void {
    liveInThisProcess.delete(this.owner.i);
  }

  /** Create the first link if missing (race-safe). */
  async ensure(): Promise<void> {
    try {
      await this.links.insertOne(GENESIS);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  }

  /** Whether the writer of a link or intent is certainly gone (or has held it beyond the lease). */
  private ownerDead(o: Owner & { at: Micros }, token: string, now: Micros): boolean {
    if (o.i === this.owner.i) return !this.inFlight.has(token);
    if (o.h === this.owner.h) {
      if (o.p === this.owner.p) return !liveInThisProcess.has(o.i);
      if (!processExists(o.p)) return true;
    }
    return now - o.at > LEASE_MICROS;
  }

  /** Whether a link no longer caps readers. A link to roll back is never dead: it hides its block. */
  private linkDead(l: ClockLink, now: Micros): boolean {
    if (l.done || this.rollbackLinks.has(l.t)) return false;
    return this.ownerDead(l, l.t, now);
  }

  /**
   * Whether a failure has left this instance something to repair: it then repairs once more before
   * it closes (only it knows that a failed write must be removed rather than kept, and it need not
   * wait for other instances to notice it is gone).
   */
  owesRepair(): boolean {
    return this.leftUnfinished;
  }

  /** The request of `token` failed: it no longer runs, and what it left is the repair's. */
  private failed(token: string): void {
    this.inFlight.delete(token);
    this.leftUnfinished = true;
  }

  /** The failed write of `token` must be rolled back (its block deleted) by the repair. */
  mustRollBack(token: string): void {
    this.failed(token);
    this.rollbackLinks.add(token);
  }

  /** Whether the repair must roll the link back (delete its block) rather than settle it. */
  rollsBack(l: ClockLink): boolean {
    return this.rollbackLinks.has(l.t);
  }

  /**
   * Reserve `n` consecutive dateAdded values for collection `c`; returns the link's seq (for
   * `finish`) and the block start.
   */
  async reserve(token: string, c: string, n: number): Promise<{ seq: number; start: Micros }> {
    this.inFlight.add(token);
    try {
      return await this.insertLink(token, c, n);
    } catch (e) {
      this.failed(token); // a link it may have written is left to the repair
      throw e;
    }
  }

  private async insertLink(token: string, c: string, n: number): Promise<{ seq: number; start: Micros }> {
    // Stryker disable next-line UpdateOperator: attempt-- only lifts the cap of 1000 attempts and the (equivalent) pause
    for (let attempt = 0; ; attempt++) {
      const head = await this.links.find({}).sort({ _id: -1 }).limit(1).next();
      if (!head) throw new Error('the clock is missing (store not initialised)');
      const now = nowMicros();
      const link: ClockLink = {
        ...this.owner,
        _id: head._id + 1,
        t: token,
        s: Math.max(now, head.e),
        e: 0,
        c,
        at: now,
        done: false,
      };
      link.e = link.s + n;
      try {
        await this.links.insertOne(link);
        return { seq: link._id, start: link.s };
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        const taken = await this.links.findOne({ _id: link._id });
        if (taken?.t === token) return { seq: taken._id, start: taken.s }; // our own insert, retried
      }
      if (attempt > 1000) throw new Error('could not reserve dateAdded values (clock contention)');
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,MethodExpression: the pause only paces retries under contention; any pause (or none) reserves the same disjoint blocks
      if (attempt > 1) await new Promise((res) => setTimeout(res, Math.random() * Math.min(2 * attempt, 25)));
    }
  }

  /** The writer of link `seq` (token `token`) is done: its objects are durable and settled. */
  async finish(seq: number, token: string): Promise<void> {
    await this.links.updateOne({ _id: seq }, { $set: { done: true } });
    this.inFlight.delete(token);
    // Links below a done link are history (the head is never below it). The write is complete
    // (and visible) already, so a failure here is not its failure: the next finish removes them.
    await this.links.deleteMany({ _id: { $lt: seq }, done: true }).catch(() => undefined);
  }

  /** Record an intent to rewrite the versions of one object (deletes). */
  async intend(token: string, c: string, oid: string): Promise<void> {
    this.inFlight.add(token);
    try {
      await this.intents.insertOne({ ...this.owner, _id: token, c, oid, at: nowMicros() });
    } catch (e) {
      this.abandonIntent(token); // an intent it may have written is left to the repair
      throw e;
    }
  }

  /** The rewrite of intent `token` is done (by its writer, or by a repair). */
  async fulfil(token: string): Promise<void> {
    await this.intents.deleteOne({ _id: token });
    this.inFlight.delete(token);
  }

  /** The delete of intent `token` failed: the repair settles its object. */
  abandonIntent(token: string): void {
    this.failed(token);
  }

  /**
   * The exclusive upper bound of dateAdded values readers may see now: the end of the chain, or the
   * start of the oldest live unfinished reservation.
   */
  async visibilityCap(): Promise<Micros> {
    const links = await this.links.find({}).toArray();
    const now = nowMicros();
    const top = Math.max(...links.map((l) => l._id));
    const head = links.find((l) => l._id === top);
    if (!head) throw new Error('the clock is missing (store not initialised)');
    let cap = head.e;
    for (const l of links) if (!l.done && l.s < cap && !this.linkDead(l, now)) cap = l.s;
    return cap;
  }

  /** Unfinished links and intents whose writers are gone. */
  async dead(): Promise<{ links: ClockLink[]; intents: IntentDoc[] }> {
    const now = nowMicros();
    // The chain is short (done links below the newest done one are deleted): read it whole.
    const links = (await this.links.find({}).toArray()).filter(
      (l) => this.linkDead(l, now) || this.rollbackLinks.has(l.t),
    );
    const intents = (await this.intents.find({}).toArray()).filter((d) => this.ownerDead(d, d._id, now));
    return { links, intents };
  }

  /** A dead link has been repaired. */
  async repaired(l: ClockLink): Promise<void> {
    await this.links.updateOne({ _id: l._id }, { $set: { done: true } });
    this.rollbackLinks.delete(l.t);
  }
}
