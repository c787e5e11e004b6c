/**
 * The list kinds (ioc-list, csv, urlhaus-csv, feodo-csv, threatfox-csv, spamhaus-drop): fetch the
 * document (conditional GET on the ETag / Last-Modified of the last complete copy), convert it
 * (feeds/formats), deliver the indicators. A body cut short keeps its complete lines and the run
 * reports why; its conditional-GET validators are not saved, so the next run fetches it whole.
 * With validForDays, entries get their validity from feeds/expiry.ts and entries gone from a
 * complete copy are expired.
 */
import { conditionalHeaders, deliverAll, validators, type FeedAdapter } from '../adapter';
import { convertText, type StixObject, type TextKind } from '../formats';

export const textFeed: FeedAdapter = async (ctx) => {
  const def = ctx.def;
  const headers: Record<string, string> = {
    Accept: 'text/plain, text/csv, application/json;q=0.9, */*;q=0.5',
  };
  // With validForDays every run needs the whole list to know what is gone: no conditional GET.
  if (def.validForDays === undefined) Object.assign(headers, conditionalHeaders(ctx.checkpoint));
  const res = await ctx.fetch(def.url, headers);
  if (res.status === 304) {
    ctx.unchanged();
    return;
  }
  let text = res.text;
  if (res.cutShort) {
    text = text.slice(0, text.lastIndexOf('\n') + 1);
    ctx.incomplete(res.cutShort);
  }
  const conv = convertText(def.kind as TextKind, text, ctx.stamp, {
    ...(def.valueType ? { valueType: def.valueType } : {}),
    ...(def.csv ? { csv: def.csv } : {}),
  });
  ctx.read(conv.read);
  ctx.reject(conv.rejected);
  if (!conv.complete) ctx.incomplete(conv.incompleteReason ?? 'the copy of the list is incomplete');
  const complete = conv.complete && !res.cutShort;
  let objects: StixObject[] = conv.objects;
  const tracker = ctx.tracker;
  if (tracker) {
    objects = tracker.stamp(objects);
    // The versions chosen are saved first: a run that fails before storing them chooses the same.
    await tracker.save();
  }
  await deliverAll(ctx, objects);
  if (tracker && complete) {
    const gone = tracker.gone();
    for (let i = 0; i < gone.length; i += 500) {
      const latest = await ctx.latest(gone.slice(i, i + 500));
      const expired = latest.map((o) => tracker.expire(o)).filter((o): o is StixObject => o !== null);
      if (expired.length > 0) await ctx.deliver(expired);
      ctx.expired(expired.length);
    }
    await tracker.save();
  }
  if (!complete) return;
  await ctx.saveCheckpoint(validators(res.headers));
};
