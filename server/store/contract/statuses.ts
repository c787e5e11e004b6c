/** Statuses: the TAXII status resource of each POST, readable by its submitter until it expires. */
import type { Micros } from './shared';

export type StatusState = 'complete' | 'pending';

export interface StatusDetail {
  id: string;
  version: string;
  message?: string;
}

export interface StatusRecord {
  /** UUIDv4. */
  id: string;
  apiRoot: string;
  collectionId: string;
  /** Member who made the request; only they may read it. */
  member: string;
  requestTimestamp: Micros;
  status: StatusState;
  totalCount: number;
  /** How many objects succeeded, failed, are pending: TAXII's authoritative counts. */
  successCount: number;
  failureCount: number;
  pendingCount: number;
  /**
   * The details. A list may be empty although its count is not: left out to bound the size of the
   * status (server/ingest boundStatus); otherwise it has exactly its count's entries.
   */
  successes: StatusDetail[];
  failures: StatusDetail[];
  pendings: StatusDetail[];
  /** The status may be purged after this instant (at least 24 h after completion). */
  expiresAt: Micros;
}

export interface GetStatusArgs {
  apiRoot: string;
  id: string;
}

export interface PurgeStatusesArgs {
  /** Delete statuses whose expiresAt is before this instant. */
  before: Micros;
}

export interface PurgeCollectionStatusesArgs {
  collectionId: string;
}

export interface StatusStore {
  /** Insert, or replace the status with the same id. */
  putStatus(status: StatusRecord): Promise<void>;
  getStatus(args: GetStatusArgs): Promise<StatusRecord | null>;
  purgeStatuses(args: PurgeStatusesArgs): Promise<number>;
  /** Delete every status of a collection's POSTs (removing the collection); returns how many. */
  purgeCollectionStatuses(args: PurgeCollectionStatusesArgs): Promise<number>;
}
