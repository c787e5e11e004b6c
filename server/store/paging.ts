/**
 * How both backends cut a page of objects: at most `limit` items and, when the page carries bodies
 * and has a byte budget, no more body bytes than the budget, but always at least one item (so a
 * single object larger than the budget is still served, alone). Rows are offered in dateAdded
 * order; the first one refused makes `more` true, and the next page starts after the last taken.
 */
export class PageCut<T> {
  readonly items: T[] = [];
  more = false;
  private bytes = 0;

  constructor(
    private readonly limit: number,
    private readonly maxBytes: number | undefined,
  ) {}

  /** Offers the next row (with its body, when bodies are read); false once the page is full. */
  offer(item: T, body?: string): boolean {
    if (this.items.length >= this.limit) {
      this.more = true;
      return false;
    }
    if (this.maxBytes !== undefined && body !== undefined) {
      const size = Buffer.byteLength(body, 'utf8');
      if (this.items.length > 0 && this.bytes + size > this.maxBytes) {
        this.more = true;
        return false;
      }
      this.bytes += size;
    }
    this.items.push(item);
    return true;
  }
}
