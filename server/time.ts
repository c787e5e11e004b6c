/**
 * Timestamps: TAXII timestamps (exactly six fractional digits, UTC "Z"), STIX timestamps (any
 * number of fractional digits), and the integer microseconds the store works in. Used by the store,
 * the TAXII layer, STIX checks and the CLI alike, so it depends on none of them.
 */

/** Microseconds since 1970-01-01T00:00:00Z (fits exactly in a double until year 2255). */
export type Micros = number;

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z$/;
const RFC3339_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([zZ])|([+-])(\d{2}):(\d{2}))$/;

type Fields = [number, number, number, number, number, number];

/** Year, month, day, hour, minute, second of a timestamp regex match (groups 1-6). */
function dateFields(m: RegExpExecArray): Fields {
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, mo: number): number {
  if (mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) return 29;
  return DAYS_IN_MONTH[mo - 1] as number;
}

function validCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  return d <= daysInMonth(y, mo);
}

/** Parse a STIX timestamp (RFC 3339, UTC "Z", any fraction) to microseconds; null if invalid. */
export function parseStixTimestamp(s: string): Micros | null {
  const m = RFC3339_UTC.exec(s);
  if (!m) return null;
  return toMicros(m, 0);
}

/**
 * Parse a TAXII `added_after` value. Accepts any RFC 3339 timestamp (UTC `Z` or a numeric offset,
 * any number of fractional digits, truncated to microseconds); null if unparseable.
 */
export function parseTaxiiTimestamp(s: string): Micros | null {
  const m = RFC3339_OFFSET.exec(s);
  if (!m) return null;
  let offsetMinutes = 0;
  if (!m[8]) {
    const sign = m[9] === '-' ? -1 : 1;
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return toMicros(m, offsetMinutes);
}

function toMicros(m: RegExpExecArray, offsetMinutes: number): Micros | null {
  const [y, mo, d, h, mi, s] = dateFields(m);
  if (!validCalendar(y, mo, d, h, mi, s)) return null;
  const frac = (m[7] ?? '').padEnd(6, '0').slice(0, 6);
  const ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59)) - offsetMinutes * 60_000;
  return ms * 1000 + Number(frac);
}

/** Format microseconds as a TAXII timestamp: YYYY-MM-DDTHH:MM:SS.ssssssZ. */
export function formatTaxiiTimestamp(us: Micros): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const micro = String(us - ms * 1000).padStart(3, '0');
  return `${iso.slice(0, 23)}${micro}Z`;
}

/** Current time in microseconds (millisecond clock, sub-millisecond from the monotonic clock). */
export function nowMicros(): Micros {
  const ms = Date.now();
  const sub = Math.floor((performance.now() % 1) * 1000);
  return ms * 1000 + sub;
}

/**
 * A sortable key for a STIX version string: "YYYY-MM-DDTHH:MM:SS.fffffffff" (nine digits), so
 * "…:00Z", "…:00.000Z" and "…:00.000000Z" are the same version and keys compare as strings.
 * Null when the string is not a STIX timestamp.
 */
export function versionKey(stixTimestamp: string): string | null {
  const m = RFC3339_UTC.exec(stixTimestamp);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = dateFields(m);
  if (!validCalendar(y, mo, d, h, mi, s)) return null;
  const frac = (m[7] ?? '').padEnd(9, '0').slice(0, 9);
  return `${stixTimestamp.slice(0, 19)}.${frac}`;
}

const DURATION_UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

/**
 * An instant given by an operator: an RFC 3339 timestamp, a date (`2026-12-31`, midnight UTC at its
 * start), or a span from now (`90d`, `12h`, `30m`) counted `ahead` (expiries) or `ago` (`--since`).
 * Null when the text is none of these.
 */
export function parseOperatorInstant(
  text: string,
  direction: 'ahead' | 'ago',
  now: Micros = nowMicros(),
): Micros | null {
  const t = text.trim();
  const span = /^(\d{1,6})([mhd])$/.exec(t);
  if (span) {
    const us = Number(span[1]) * (DURATION_UNITS[span[2] as string] as number) * 1_000_000;
    return direction === 'ahead' ? now + us : now - us;
  }
  if (/^\d{4}-\d\d-\d\d$/.test(t)) return parseTaxiiTimestamp(`${t}T00:00:00Z`);
  return parseTaxiiTimestamp(t);
}
