/**
 * The prepare worker (server/ingest/worker.ts) run on the main thread over a MessageChannel, as the
 * pool's threads run it on their parentPort: its readiness, its replies (prepared envelopes and
 * refusals with their TAXII status), the validator and limits it is given, and its warm-up.
 * (Run here, its code is within reach of coverage and mutation testing, which a worker thread is not.)
 */
import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { PayloadTooLargeError } from '../../server/errors';
import { DEFAULT_CONTENT_LIMITS, prepareEnvelopeText, type ObjectValidator } from '../../server/ingest';
import {
  errorReply,
  reply,
  serve,
  WARM_UP,
  warmUp,
  type PrepareReply,
  type WorkerData,
  type WorkerMessage,
} from '../../server/ingest/worker';
import { stixValidator } from '../../server/stix/plug';
import { makeIndicator } from '../helpers/stix';

/** A worker served on one end of a channel; `ask` sends a request on the other and awaits its reply. */
class Served {
  readonly messages: WorkerMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly ours: MessagePort;
  private readonly theirs: MessagePort;
  private id = 0;

  constructor(data: Partial<WorkerData> | null) {
    const { port1, port2 } = new MessageChannel();
    this.ours = port1;
    this.theirs = port2;
    this.ours.on('message', (m: WorkerMessage) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    serve(this.theirs, data);
  }

  async next(count: number): Promise<void> {
    while (this.messages.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Sends a request once the worker is ready; its reply is the next message. */
  async ask(text: string): Promise<PrepareReply> {
    await this.next(1);
    const id = ++this.id;
    const before = this.messages.length;
    this.ours.postMessage({ id, text });
    await this.next(before + 1);
    const m = this.messages[before] as WorkerMessage;
    assert.ok(!('ready' in m) && m.id === id, JSON.stringify(m));
    return m;
  }

  close(): void {
    this.ours.close();
    this.theirs.close();
  }
}

const custom = () => ({ ...makeIndicator(), my_note: 'not x_-prefixed' });

describe('ingest worker (on the main thread)', function () {
  this.timeout(60_000);

  it('says it is ready once, first, then answers each request as inline preparation does', async () => {
    const w = new Served(null);
    try {
      await w.next(1);
      assert.deepEqual(w.messages, [{ ready: true }]);
      const text = JSON.stringify({ objects: [makeIndicator(), custom(), { type: 'indicator', id: 'x' }] });
      const m = await w.ask(text);
      assert.deepEqual(m, { id: 1, ok: true, prepared: prepareEnvelopeText(text, stixValidator(false)) });
      assert.ok(m.ok && m.prepared.accepted.length === 2 && m.prepared.failures.length === 1);
      // Lax (no data): the custom property is a warning only.
      assert.match(m.ok ? (m.prepared.warnings[1] ?? '') : '', /^warning: custom-prefix at \$\.my_note: /);
      assert.deepEqual(await w.ask('{"objects": ['), {
        id: 2,
        ok: false,
        status: 400,
        message: 'the request body is not valid JSON',
      });
      assert.deepEqual(await w.ask('{"objects": []}'), {
        id: 3,
        ok: false,
        status: 422,
        message: '"objects" must not be empty (TAXII forbids empty lists)',
      });
      assert.equal(w.messages.filter((x) => 'ready' in x).length, 1);
    } finally {
      w.close();
    }
  });

  it('validates with the strictness and the limits it is given', async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, maxObjects: 2, maxPatternTokens: 10 };
    const w = new Served({ strict: true, limits });
    try {
      const tooMany = await w.ask(JSON.stringify({ objects: [1, 2, 3] }));
      assert.equal(tooMany.ok, false);
      assert.ok(!tooMany.ok && tooMany.status === 413, JSON.stringify(tooMany));
      assert.match(tooMany.message, /^the envelope holds 3 objects; this hub accepts at most 2 per request/);
      const long = makeIndicator({
        pattern: "[ipv4-addr:value = '198.51.100.1'] OR [ipv4-addr:value = '198.51.100.2']",
      });
      const text = JSON.stringify({ objects: [custom(), long] });
      const m = await w.ask(text);
      assert.ok(m.ok, JSON.stringify(m));
      assert.deepEqual(
        m.prepared,
        prepareEnvelopeText(
          text,
          stixValidator(true, {
            maxDepth: limits.maxDepth,
            pattern: { maxDepth: limits.maxDepth, maxTokens: 10 },
          }),
          limits,
        ),
      );
      assert.deepEqual([m.prepared.accepted.length, m.prepared.failures.length], [0, 2]);
      assert.match(m.prepared.failures[0]?.message ?? '', /^custom-prefix at \$\.my_note: /);
      assert.match(
        m.prepared.failures[1]?.message ?? '',
        /^pattern-limit at \$\.pattern: .*at most 10 tokens/,
      );
    } finally {
      w.close();
    }
  });

  it('a non-strict worker with only some data takes the default limits', async () => {
    const w = new Served({ strict: false });
    try {
      const text = JSON.stringify({ objects: [custom()] });
      const m = await w.ask(text);
      assert.ok(m.ok && m.prepared.accepted.length === 1, JSON.stringify(m));
    } finally {
      w.close();
    }
  });

  it('an error that is not a TAXII one is a 500 reply with its message', () => {
    const boom: ObjectValidator = () => {
      throw new Error('validator broke');
    };
    assert.deepEqual(reply({ id: 9, text: JSON.stringify({ objects: [makeIndicator()] }) }, boom), {
      id: 9,
      ok: false,
      status: 500,
      message: 'validator broke',
    });
    assert.deepEqual(errorReply(4, 'a thrown string'), {
      id: 4,
      ok: false,
      status: 500,
      message: 'a thrown string',
    });
    assert.deepEqual(errorReply(5, new PayloadTooLargeError('too big')), {
      id: 5,
      ok: false,
      status: 413,
      message: 'too big',
    });
  });

  it('warms up on a valid sample, prepared as a request is, whatever the envelope bound', () => {
    let calls = 0;
    const real = stixValidator(false);
    const counting: ObjectValidator = (o) => {
      calls++;
      return real(o);
    };
    // Fewer objects per request than the sample has: the warm-up is not a request (a worker used to
    // fail here at start, and be started again and again).
    const last = warmUp(counting, { ...DEFAULT_CONTENT_LIMITS, maxObjects: 1 });
    assert.equal(calls, WARM_UP.objects * WARM_UP.rounds);
    assert.deepEqual([WARM_UP.objects, WARM_UP.rounds], [200, 25]);
    assert.equal(last.total, 200);
    assert.deepEqual(last.failures, []);
    assert.equal(last.accepted.length, 200);
    const warning = 'warning: indicator-description at $.description: an indicator SHOULD have a description';
    assert.deepEqual(new Set(last.warnings), new Set([warning]));
    assert.equal(new Set(last.accepted.map((a) => a.id)).size, 200);
    assert.deepEqual(JSON.parse(last.accepted[7]?.body ?? ''), {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--6ba7b810-9dad-41d1-80b4-000000000007',
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      name: 'warm-up 7',
      indicator_types: ['malicious-activity'],
      pattern: "[ipv4-addr:value = '192.0.2.7'] OR [domain-name:value = 'x7.example']",
      pattern_type: 'stix',
      valid_from: '2026-01-01T00:00:00Z',
    });
  });
});
