/**
 * Pull a STIX 2.1 bundle (or TAXII envelope) published at a URL. Conditional GET with the
 * ETag / Last-Modified of the last delivery, so an unchanged file costs one 304; objects already
 * present are duplicates and add no version.
 */
import { expectOk, FeedError, type FeedAdapter } from '../adapter';

const BATCH = 500;

export const stixBundle: FeedAdapter = async (ctx) => {
  const headers: Record<string, string> = { Accept: 'application/stix+json, application/json;q=0.9' };
  if (typeof ctx.checkpoint.etag === 'string') headers['If-None-Match'] = ctx.checkpoint.etag;
  if (typeof ctx.checkpoint.lastModified === 'string')
    headers['If-Modified-Since'] = ctx.checkpoint.lastModified;
  const res = await ctx.fetch(ctx.def.url, { headers });
  if (res.status === 304) return;
  await expectOk(res, `GET ${ctx.def.url}`);
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    throw new FeedError('the feed is not JSON');
  }
  const objects = (data as { objects?: unknown } | null)?.objects;
  if (!Array.isArray(objects)) throw new FeedError('the feed is neither a STIX bundle nor a TAXII envelope');
  for (let i = 0; i < objects.length; i += BATCH) await ctx.deliver(objects.slice(i, i + BATCH));
  const cp: Record<string, string> = {};
  const etag = res.headers.get('etag');
  const lm = res.headers.get('last-modified');
  if (etag) cp.etag = etag;
  if (lm) cp.lastModified = lm;
  await ctx.saveCheckpoint(cp);
};
