/**
 * A plain list of indicators of compromise, one per line: IPv4/IPv6 addresses and CIDRs, domain
 * names, URLs, MD5/SHA-1/SHA-256/SHA-512 hashes, e-mail addresses (or only one of these types when
 * the definition says so). `#` starts a comment at the start of a line or after a blank (a `#`
 * inside a URL is its fragment). A line that is none of these is rejected with its line number.
 */
import { convertEntries, type Conversion, type Entry, type FeedStamp, type ValueType } from './stix';

export function convertIocList(text: string, stamp: FeedStamp, type: ValueType = 'auto'): Conversion {
  const entries: Entry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    // A comment runs to the end of the line, whatever it holds.
    const value = raw.replace(/(^|\s)#[\s\S]*/, '').trim();
    if (value !== '') entries.push({ line: i + 1, type, value });
  });
  const rejected: Conversion['rejected'] = [];
  const objects = convertEntries(stamp, entries, rejected);
  return { read: entries.length, objects, rejected, skipped: 0, complete: true };
}
