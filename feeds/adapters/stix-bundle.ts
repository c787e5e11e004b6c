/**
 * Pull a STIX 2.1 bundle (or TAXII envelope) published at a URL. Conditional GET with the
 * ETag / Last-Modified of the last complete delivery, so an unchanged file costs one 304; objects
 * already present are duplicates and add no version. A body cut short is not JSON: nothing of it
 * is stored, the run fails with the reason and the next run fetches it again.
 */
import { conditionalHeaders, deliverAll, FeedError, validators, type FeedAdapter } from '../adapter';

export const stixBundle: FeedAdapter = async (ctx) => {
  const headers = {
    Accept: 'application/stix+json, application/json;q=0.9',
    ...conditionalHeaders(ctx.checkpoint),
  };
  const res = await ctx.fetch(ctx.def.url, headers);
  if (res.status === 304) {
    ctx.unchanged();
    return;
  }
  if (res.cutShort) throw new FeedError(res.cutShort);
  let data: unknown;
  try {
    data = JSON.parse(res.text);
  } catch {
    throw new FeedError('the feed is not JSON');
  }
  const objects = (data as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) throw new FeedError('the feed is neither a STIX bundle nor a TAXII envelope');
  ctx.read(objects.length);
  await deliverAll(ctx, objects);
  await ctx.saveCheckpoint(validators(res.headers));
};
