/**
 * Issue 8 item 4: pages were capped by object count only, so a collection of large objects made
 * GET objects answer 500 (a string too long to join) or hundreds of megabytes. Pages now end before
 * their objects exceed TESSERA_MAX_PAGE_BYTES (with more: true and a `next` that continues exactly),
 * and an object larger than TESSERA_MAX_OBJECT_BYTES is refused in the status.
 */
import assert from 'node:assert/strict';
import { makeIndicator } from '../helpers/stix';
import { writerHub, type WriterHub } from './writer';

describe('hostile: byte-capped pages and the largest object (issue 8 item 4)', function () {
  this.timeout(120_000);
  let w: WriterHub;
  const PAGE = 64 * 1024;

  before(async () => {
    w = await writerHub({
      env: { TESSERA_MAX_PAGE_BYTES: String(PAGE), TESSERA_MAX_OBJECT_BYTES: String(256 * 1024) },
    });
  });
  after(async () => w?.close());

  it('a page ends before its objects exceed the byte budget; `next` continues exactly, every object once', async () => {
    // 12 objects of about 20 KB: three fit in 64 KiB, a fourth does not.
    const sent = Array.from({ length: 12 }, (_, i) =>
      makeIndicator({ description: `${i} ${'d'.repeat(20_000)}` }),
    );
    for (const o of sent) assert.equal((await w.post({ objects: [o] })).status, 202);
    const seen: string[] = [];
    let url = `${w.objects}?limit=1000`;
    let pages = 0;
    for (;;) {
      const res = await w.get(url);
      const text = await res.text();
      assert.equal(res.status, 200);
      const env = JSON.parse(text) as { more?: boolean; next?: string; objects?: { id: string }[] };
      const n = env.objects?.length ?? 0;
      assert.ok(n >= 1, 'every page carries at least one object');
      assert.ok(text.length <= PAGE + 1024, `a page of ${text.length} bytes`);
      seen.push(...(env.objects ?? []).map((o) => o.id));
      pages++;
      if (!env.more) break;
      assert.equal(n, 3, 'pages end where the budget ends, not earlier');
      assert.ok(env.next);
      url = `${w.objects}?limit=1000&next=${encodeURIComponent(env.next)}`;
    }
    assert.equal(pages, 4);
    assert.deepEqual(
      seen,
      sent.map((o) => o.id),
    );
  });

  it('an object over the size limit is refused in the status, the rest of the envelope stored; the limit is advertised', async () => {
    const big = makeIndicator({ description: 'b'.repeat(300 * 1024) });
    const small = makeIndicator();
    const res = await w.post({ objects: [big, small] });
    assert.equal(res.status, 202);
    const s = (await res.json()) as { success_count: number; failures?: { id: string; message: string }[] };
    assert.equal(s.success_count, 1);
    assert.equal(s.failures?.[0]?.id, big.id);
    assert.match(
      s.failures?.[0]?.message ?? '',
      /^object-size at \$: the object is \d+ bytes; this hub stores objects of at most 262144 bytes/,
    );
    assert.equal((await w.get(`${w.objects}${big.id}/`)).status, 404);
    assert.equal((await w.get(`${w.objects}${small.id}/`)).status, 200);
    const root = (await (await w.get('/api1/')).json()) as Record<string, unknown>;
    assert.equal(root.x_tessera_max_object_bytes, 256 * 1024);
  });
});
