/**
 * Ingest's CPU half (server/ingest/prepare.ts), called directly: what is an envelope, the exact
 * refusal of anything else, each object's verdict with its status message, the size bound, the
 * echo bounds on failures, and what is handed to the store.
 */
import assert from 'node:assert/strict';
import { BadRequestError, PayloadTooLargeError, TesseraError, UnprocessableError } from '../../server/errors';
import {
  DEFAULT_CONTENT_LIMITS,
  envelopeObjects,
  prepareEnvelopeText,
  prepareObjects,
  validationLimits,
  type ContentLimits,
} from '../../server/ingest';
import { DEFAULT_MAX_DEPTH } from '../../server/stix/depth';
import { DEFAULT_PATTERN_LIMITS } from '../../server/stix/pattern';
import { stixValidator } from '../../server/stix/plug';
import { makeIndicator, toNewVersion } from '../helpers/stix';

function refusal(f: () => unknown): TesseraError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TesseraError, String(e));
    return e;
  }
  return assert.fail('not refused');
}

const NOT_AN_ENVELOPE = 'the request body must be a TAXII envelope {"objects": [...]} (or a STIX bundle)';

describe('ingest: preparing envelopes and objects', () => {
  it('an envelope or a bundle gives its objects; anything else is refused with its own message', () => {
    const objs = [1, { a: 2 }];
    assert.equal(envelopeObjects({ objects: objs }), objs);
    assert.equal(envelopeObjects({ type: 'bundle', id: 'bundle--x', objects: objs }), objs);
    for (const body of [null, 'text', 42, [objs]]) {
      const e = refusal(() => envelopeObjects(body));
      assert.ok(e instanceof UnprocessableError);
      assert.equal(e.message, NOT_AN_ENVELOPE, JSON.stringify(body));
    }
    const bare = refusal(() => envelopeObjects({ type: 'indicator', objects: objs }));
    assert.ok(bare instanceof UnprocessableError);
    assert.equal(
      bare.message,
      'a bare STIX object (type "indicator") is not accepted: send it inside a TAXII envelope {"objects": [...]} or a STIX bundle',
    );
    const odd = refusal(() => envelopeObjects({ type: { x: 1 }, objects: objs }));
    assert.match(odd.message, /^a bare STIX object \(type "\[object Object\]"\) is not accepted/);
    const long = refusal(() => envelopeObjects({ type: 't'.repeat(400) }));
    assert.ok(long.message.includes(`(type "${'t'.repeat(300)}…")`), long.message.slice(0, 80));
    assert.equal(
      refusal(() => envelopeObjects({ type: 'bundle' })).message,
      'the STIX bundle has no "objects" list',
    );
    assert.equal(
      refusal(() => envelopeObjects({ more: true })).message,
      'the request body must be a TAXII envelope with an "objects" list',
    );
    assert.equal(refusal(() => envelopeObjects({ objects: { 0: 1 } })).message, '"objects" must be a list');
    assert.equal(
      refusal(() => envelopeObjects({ objects: [] })).message,
      '"objects" must not be empty (TAXII forbids empty lists)',
    );
  });

  it('at most maxObjects objects (413 beyond), any number by default', () => {
    assert.equal(envelopeObjects({ objects: [1, 2, 3] }, 3).length, 3);
    const e = refusal(() => envelopeObjects({ objects: [1, 2, 3, 4] }, 3));
    assert.ok(e instanceof PayloadTooLargeError);
    assert.equal(
      e.message,
      'the envelope holds 4 objects; this hub accepts at most 3 per request (x_tessera_max_envelope_objects on the API root): send them in several requests',
    );
    assert.equal(envelopeObjects({ objects: new Array<number>(20_000).fill(1) }).length, 20_000);
    assert.equal(DEFAULT_CONTENT_LIMITS.maxObjects, 10_000);
    const text = JSON.stringify({ objects: new Array<number>(10_001).fill(1) });
    assert.ok(refusal(() => prepareEnvelopeText(text)) instanceof PayloadTooLargeError);
  });

  it('prepareEnvelopeText: not JSON is a 400, not an envelope a 422; else the objects prepared', () => {
    for (const text of ['', 'not json', '{"objects": [']) {
      const e = refusal(() => prepareEnvelopeText(text));
      assert.ok(e instanceof BadRequestError);
      assert.equal(e.message, 'the request body is not valid JSON');
    }
    assert.ok(refusal(() => prepareEnvelopeText('[]')) instanceof UnprocessableError);
    const o = makeIndicator();
    assert.deepEqual(prepareEnvelopeText(JSON.stringify({ objects: [o] })), prepareObjects([o]));
  });

  it('hands the store each accepted object with its identity, its JSON text and its TLP', () => {
    const red = makeIndicator({
      object_marking_refs: ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'],
    });
    const plain = makeIndicator();
    const p = prepareObjects([red, plain]);
    assert.deepEqual(p, {
      total: 2,
      accepted: [toNewVersion(red), toNewVersion(plain)],
      warnings: ['', ''],
      failures: [],
    });
    assert.notEqual(p.accepted[0]?.tlp, null);
  });

  it('refuses an object that fails a check, with the rules in its message; keeps the others', () => {
    const good = makeIndicator({ description: 'd' });
    const warned = makeIndicator();
    const bad = makeIndicator({ pattern: "[ipv4-addr:value = '1.2.3.4'" });
    const p = prepareObjects([good, bad, warned, 'text'], stixValidator(false));
    assert.deepEqual(
      p.accepted.map((a) => a.id),
      [good.id, warned.id],
    );
    assert.deepEqual(p.warnings, [
      '',
      'warning: indicator-description at $.description: an indicator SHOULD have a description',
    ]);
    assert.deepEqual(
      p.failures.map((f) => [f.id, f.version]),
      [
        [bad.id, bad.modified],
        ['unknown', 'unknown'],
      ],
    );
    assert.match(p.failures[0]?.message ?? '', /^pattern-syntax at \$\.pattern: /);
    assert.equal(p.failures[1]?.message, 'object-form at $: a STIX object MUST be a JSON object');
    assert.equal(p.total, 4);
  });

  it('an object larger than maxObjectBytes (UTF-8 bytes of its JSON) is refused; one at the bound is not', () => {
    const sized = (bytes: number) => {
      const o = makeIndicator({ description: '' });
      const base = Buffer.byteLength(JSON.stringify(o));
      // 'é' is two bytes: a count of characters would be short of the size.
      o.description = 'é'.repeat(Math.floor((bytes - base) / 2)) + '.'.repeat((bytes - base) % 2);
      assert.equal(Buffer.byteLength(JSON.stringify(o)), bytes);
      return o;
    };
    const limits: ContentLimits = { ...DEFAULT_CONTENT_LIMITS, maxObjectBytes: 1000 };
    const atBound = sized(1000);
    const over = sized(1001);
    const p = prepareObjects([atBound, over], undefined, limits);
    assert.deepEqual(
      p.accepted.map((a) => a.id),
      [atBound.id],
    );
    assert.deepEqual(p.failures, [
      {
        id: over.id,
        version: over.modified,
        message:
          'object-size at $: the object is 1001 bytes; this hub stores objects of at most 1000 bytes (x_tessera_max_object_bytes on the API root)',
      },
    ]);
    // The default bound: 4 MiB.
    const MiB = 1024 * 1024;
    assert.equal(DEFAULT_CONTENT_LIMITS.maxObjectBytes, 4 * MiB);
    const big = prepareObjects([sized(4 * MiB), sized(4 * MiB + 1)]);
    assert.deepEqual([big.accepted.length, big.failures.length], [1, 1]);
  });

  it('nesting deeper than maxDepth is refused before anything walks it', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 5; i++) deep = { n: deep };
    const o = makeIndicator({ x_deep: deep });
    assert.equal(
      prepareObjects([o], undefined, { ...DEFAULT_CONTENT_LIMITS, maxDepth: 7 }).accepted.length,
      1,
    );
    const p = prepareObjects([o], undefined, { ...DEFAULT_CONTENT_LIMITS, maxDepth: 5 });
    assert.deepEqual(p.failures, [
      {
        id: o.id,
        version: o.modified,
        message:
          "nesting-depth at $.x_deep: arrays and objects are nested more than 5 levels deep (this hub's limit)",
      },
    ]);
    assert.equal(DEFAULT_CONTENT_LIMITS.maxDepth, DEFAULT_MAX_DEPTH);
    let deeper: unknown = 'x';
    for (let i = 0; i < DEFAULT_MAX_DEPTH; i++) deeper = { n: deeper };
    assert.equal(prepareObjects([makeIndicator({ x_deep: deeper })]).failures.length, 1);
  });

  it('a failure echoes at most 300 characters of id and version and 1000 of message', () => {
    const id = `x-junk--${'y'.repeat(400)}`;
    const p = prepareObjects([{ type: 'x-junk', id, modified: `2025-${'9'.repeat(400)}` }]);
    const f = p.failures[0];
    assert.equal(f?.id, `${id.slice(0, 300)}…`);
    assert.equal(f?.version, `2025-${'9'.repeat(295)}…`);
    // Exactly 300: not cut.
    const id300 = `x-junk--${'y'.repeat(292)}`;
    assert.equal(prepareObjects([{ type: 'x-junk', id: id300 }]).failures[0]?.id, id300);
    const many: Record<string, unknown> = { ...makeIndicator() };
    for (let i = 0; i < 200; i++) many[`BAD ${i}`] = i;
    const m = prepareObjects([many], stixValidator(false)).failures[0]?.message ?? '';
    assert.ok(m.length <= 1000 && m.length > 900, `${m.length} characters`);
    assert.match(m, /… \(\d+ more\)$/);
  });

  it('validationLimits hands the validator the depth and pattern bounds', () => {
    const l: ContentLimits = { maxObjects: 1, maxObjectBytes: 2, maxDepth: 3, maxPatternTokens: 4 };
    assert.deepEqual(validationLimits(l), { maxDepth: 3, pattern: { maxDepth: 3, maxTokens: 4 } });
    assert.equal(DEFAULT_CONTENT_LIMITS.maxPatternTokens, DEFAULT_PATTERN_LIMITS.maxTokens);
  });
});
