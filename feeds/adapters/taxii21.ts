/**
 * Pull a peer's TAXII 2.1 collection: page through its objects from the last checkpoint
 * (`added_after` = the X-TAXII-Date-Added-Last of the last page stored), every version
 * (`match[version]=all`, so a peer's object history and its revocations arrive as versions),
 * following `next` when the peer gives one. The checkpoint is saved after each page is stored, so
 * an interrupted run resumes without loss and re-fetches at most one page. TAXII 2.1 polling has
 * no tombstones: an object deleted on the peer is not deleted here (see README, Feeds).
 */
import { FeedError, type FeedAdapter } from '../adapter';

const TAXII = 'application/taxii+json;version=2.1';
const MAX_PAGES_PER_RUN = 100_000;

export const taxii21: FeedAdapter = async (ctx) => {
  const limit = ctx.def.pageSize ?? 1000;
  let addedAfter = typeof ctx.checkpoint.addedAfter === 'string' ? ctx.checkpoint.addedAfter : undefined;
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES_PER_RUN; page++) {
    const url = new URL(ctx.def.url);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('match[version]', 'all');
    if (addedAfter) url.searchParams.set('added_after', addedAfter);
    if (next) url.searchParams.set('next', next);
    const res = await ctx.fetch(url.toString(), { Accept: TAXII });
    if (res.cutShort) throw new FeedError(res.cutShort);
    let envelope: { more?: unknown; next?: unknown; objects?: unknown };
    try {
      envelope = JSON.parse(res.text) as typeof envelope;
    } catch {
      throw new FeedError('the peer answered with something that is not JSON');
    }
    if (typeof envelope !== 'object' || envelope === null)
      throw new FeedError('the peer answer is not a TAXII envelope');
    const objects = envelope.objects;
    if (objects !== undefined && !Array.isArray(objects))
      throw new FeedError('the peer envelope has no objects list');
    if (objects && objects.length > 0) {
      ctx.read(objects.length);
      await ctx.deliver(objects);
    }
    const last = res.headers.get('x-taxii-date-added-last');
    if (last) {
      addedAfter = last;
      await ctx.saveCheckpoint({ addedAfter: last });
    }
    ctx.progress(page + 1);
    if (envelope.more !== true) return;
    if (typeof envelope.next === 'string' && envelope.next !== '') {
      next = envelope.next;
    } else if (!last) {
      throw new FeedError('the peer says more:true but gives neither next nor X-TAXII-Date-Added-Last');
    } else {
      next = undefined;
    }
  }
};
