/**
 * Listings sorted by a string key in code-unit order, the order the contract gives listings (and
 * SQLite's BINARY collation), whatever the server's collation.
 */
export function byString<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x === y ? 0 : x < y ? -1 : 1;
  };
}
