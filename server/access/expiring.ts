/**
 * A bounded map whose entries expire: the one piece of memory behind the credential cache, the
 * failure limiter and the list of recent (member, address) logins. An entry lives `ttlMs` from when
 * it was last set; when the map is full, the entry set longest ago makes room. Memory is therefore
 * bounded whatever a flood of distinct keys does.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until > this.now()) return e.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, ttlMs: number): void {
    // Deleting first moves the key to the end of the Map's order: the first key is the stalest.
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlMs });
    // Oldest first; deleting the key just visited is safe while iterating a Map.
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Entries held, expired ones not yet seen included. */
  get size(): number {
    return this.entries.size;
  }
}
