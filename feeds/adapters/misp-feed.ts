/**
 * A MISP feed: `manifest.json` under the feed's URL, then `<uuid>.json` for each event changed
 * since the checkpoint (its MISP timestamp and uuid, oldest first). The checkpoint moves after
 * each event is stored, so a run stopped by a fault resumes at the first event not stored. An
 * event file that is not a MISP event is rejected (counted with the reason) and passed over: it
 * cannot be stored, and waiting for it would stop the feed for good.
 */
import { deliverAll, FeedError, type FeedAdapter } from '../adapter';
import { convertMispEvent, MispFormatError, parseManifest } from '../formats';

export const mispFeed: FeedAdapter = async (ctx) => {
  const base = ctx.def.url.endsWith('/') ? ctx.def.url : `${ctx.def.url}/`;
  const res = await ctx.fetch(new URL('manifest.json', base).toString(), { Accept: 'application/json' });
  if (res.cutShort) throw new FeedError(`manifest.json: ${res.cutShort}`);
  const manifest = parseManifest(res.text);
  ctx.reject(manifest.rejected);
  const doneTs = typeof ctx.checkpoint.timestamp === 'number' ? ctx.checkpoint.timestamp : 0;
  const doneUuid = typeof ctx.checkpoint.uuid === 'string' ? ctx.checkpoint.uuid : '';
  const todo = manifest.events.filter(
    (e) => e.timestamp > doneTs || (e.timestamp === doneTs && e.uuid > doneUuid),
  );
  let n = 0;
  for (const ev of todo) {
    const file = await ctx.fetch(new URL(`${ev.uuid}.json`, base).toString(), { Accept: 'application/json' });
    if (file.cutShort) throw new FeedError(`event ${ev.uuid}: ${file.cutShort}`);
    try {
      const conv = convertMispEvent(file.text, ctx.stamp);
      ctx.read(conv.read);
      ctx.skip(conv.skipped);
      ctx.reject(conv.rejected);
      await deliverAll(ctx, conv.objects);
    } catch (e) {
      if (!(e instanceof MispFormatError)) throw e;
      ctx.read(1);
      ctx.reject([{ where: `event ${ev.uuid}`, reason: e.message }]);
    }
    await ctx.saveCheckpoint({ timestamp: ev.timestamp, uuid: ev.uuid });
    ctx.progress(++n, todo.length);
  }
};
