/** STIX 2.1 timestamps (specification section 3.2): RFC 3339, UTC, with a 'Z' designator. */

export const TIMESTAMP_RE =
  /^([0-9]{4})-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?Z$/;
/** created / modified MUST be precise to the millisecond or coarser; the schema form allows any fraction. */

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Calendar check of a string that already has the lexical form of TIMESTAMP_RE. */
export function isValidTimestamp(s: string): boolean {
  if (!TIMESTAMP_RE.test(s)) return false;
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (d > daysInMonth(y, m)) return false;
  // a leap second is only possible at 23:59:60
  if (s.charCodeAt(17) === 54 /* '6' */ && s.slice(11, 16) !== '23:59') return false;
  return true;
}

/**
 * Compares two timestamps of the TIMESTAMP_RE form; returns <0, 0, >0.
 * Fractions of different lengths are compared numerically ("…:00Z" equals "…:00.000Z").
 */
export function compareTimestamps(a: string, b: string): number {
  const head = a.slice(0, 19);
  const headB = b.slice(0, 19);
  if (head < headB) return -1;
  if (head > headB) return 1;
  // the fraction's digits, between "ss." and "Z" (none: "")
  let fa = a.slice(20, -1);
  let fb = b.slice(20, -1);
  const len = Math.max(fa.length, fb.length);
  fa = fa.padEnd(len, '0');
  fb = fb.padEnd(len, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}
