/** Types shared by several concerns of the store contract. */
import type { Micros } from '../../time';

/** Microseconds since the Unix epoch (server/time.ts); every instant the store handles is one. */
export type { Micros };

export interface Page<T> {
  items: T[];
  /** True when more items match beyond this page. */
  more: boolean;
}
