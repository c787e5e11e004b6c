/**
 * State: small values every instance on the store shares — secrets (e.g. the paging-cursor key)
 * and compare-and-set records (feed checkpoints, leases, so one instance of a cluster runs a feed).
 */

/** A small named value with an optimistic-concurrency version (feed checkpoints, job leases). */
export interface StateRecord {
  key: string;
  /** JSON text. */
  value: string;
  /** 1 on creation, +1 on every successful put. */
  version: number;
}

export interface PutStateArgs {
  key: string;
  value: string;
  /** 0: create only if absent; n: replace only if the stored version is still n. */
  expectedVersion: number;
}

export interface StateStore {
  /** A named secret shared by every instance on this store, created at random on first use. */
  sharedSecret(name: string): Promise<Buffer>;
  getState(key: string): Promise<StateRecord | null>;
  /** Compare-and-set; resolves false (writes nothing) when the expected version does not match. */
  putState(args: PutStateArgs): Promise<boolean>;
}
