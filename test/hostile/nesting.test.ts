/**
 * Issue 8 item 1: an object nested thousands of levels deep used to overflow the stack of the
 * recursive walks after JSON.parse (JSON.stringify, the schema validator) and answer 500. It is now
 * refused as a per-object failure (rule nesting-depth) before anything walks it, through inline
 * preparation, the worker pool and the structural checks alone; the rest of the envelope is stored.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PreparePool } from '../../server/ingest';
import { basicCheck } from '../../server/stix/basic';
import { DEFAULT_MAX_DEPTH, excessNesting } from '../../server/stix/depth';
import { validateStixObject } from '../../server/stix/validate';
import type { HubOptions } from '../helpers/hub';
import { makeIndicator } from '../helpers/stix';
import { writerHub, type WriterHub } from './writer';

/** JSON text of arrays (or objects) nested `depth` levels around a 1. */
function nestedText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** An indicator whose x_deep property makes the whole object `depth` levels deep. */
function deepIndicator(depth: number, kind: 'array' | 'object' = 'array'): Record<string, unknown> {
  return { ...makeIndicator(), x_deep: JSON.parse(nestedText(depth - 1, kind)) as unknown };
}

describe('hostile: deeply nested objects (issue 8 item 1)', function () {
  this.timeout(60_000);

  describe('the depth measure', () => {
    it('counts the object itself as level 1 and reports the property holding the excess', () => {
      assert.equal(excessNesting({ a: 1 }, 1), null);
      assert.equal(excessNesting({ a: [] }, 1), '$.a');
      assert.equal(excessNesting({ a: [[1]] }, 3), null);
      assert.equal(excessNesting({ a: 1, b: { c: [[1]] } }, 3), '$.b');
      assert.equal(excessNesting([1, [2, [3]]], 2), '$[1]');
      assert.equal(excessNesting('scalar', 0), null);
    });

    it('measures a million levels without recursion', () => {
      const deep = JSON.parse(nestedText(1_000_000, 'array')) as unknown;
      assert.equal(excessNesting({ x: deep }, DEFAULT_MAX_DEPTH), '$.x');
    });
  });

  describe('structural checks and the validator', () => {
    it(`accept an object exactly ${DEFAULT_MAX_DEPTH} levels deep and refuse one level more`, () => {
      const ok = deepIndicator(DEFAULT_MAX_DEPTH);
      assert.equal(excessNesting(ok, DEFAULT_MAX_DEPTH), null);
      assert.ok(basicCheck(ok).identity);
      assert.equal(validateStixObject(ok).ok, true);
      for (const kind of ['array', 'object'] as const) {
        const deep = deepIndicator(DEFAULT_MAX_DEPTH + 1, kind);
        const b = basicCheck(deep);
        assert.equal(b.identity, null);
        assert.deepEqual(
          b.issues.map((i) => [i.rule, i.path]),
          [['nesting-depth', '$.x_deep']],
        );
        const v = validateStixObject(deep);
        assert.equal(v.ok, false);
        assert.deepEqual(
          v.errors.map((e) => [e.rule, e.path]),
          [['nesting-depth', '$.x_deep']],
        );
      }
    });

    it('survive the largest configurable limit (1000 levels): validation and serialisation do not overflow', () => {
      const obj = deepIndicator(1000, 'object');
      assert.ok(basicCheck(obj, 1000).identity);
      const v = validateStixObject(obj, { maxDepth: 1000 });
      assert.equal(v.ok, true, JSON.stringify(v.errors));
      assert.ok(JSON.stringify(obj).length > 5000);
    });
  });

  for (const mode of ['inline', 'worker pool', 'structural checks only'] as const) {
    describe(`over HTTP (${mode})`, () => {
      let w: WriterHub;
      let pool: PreparePool | undefined;

      before(async () => {
        const opts: HubOptions = {};
        if (mode === 'worker pool') {
          pool = new PreparePool(1, false);
          opts.prepare = pool.prepare;
        }
        if (mode === 'structural checks only') opts.validate = null;
        w = await writerHub(opts);
      });
      after(async () => {
        await w?.close();
        await pool?.close();
      });

      it('20,000 levels of arrays or objects: a per-object failure, the rest stored, nothing deep stored', async () => {
        const good = makeIndicator();
        const deepArrays = `{"type":"indicator","spec_version":"2.1","id":"indicator--${randomUUID()}","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","x_deep":${nestedText(20_000, 'array')}}`;
        const deepObjects = `{"type":"x-thing","spec_version":"2.1","id":"x-thing--${randomUUID()}","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z","x_deep":${nestedText(20_000, 'object')}}`;
        const body = `{"objects":[${JSON.stringify(good)},${deepArrays},${deepObjects}]}`;
        const res = await w.post(body);
        const text = await res.text();
        assert.equal(res.status, 202, text.slice(0, 300));
        const status = JSON.parse(text) as {
          success_count: number;
          failure_count: number;
          failures: { id: string; message: string }[];
        };
        assert.equal(status.success_count, 1);
        assert.equal(status.failure_count, 2);
        for (const f of status.failures)
          assert.match(f.message, /^nesting-depth at \$\.x_deep: .*100 levels/);
        const ids = status.failures.map((f) => f.id);
        for (const id of ids) assert.equal(await w.stored(id), false, `${id} was stored`);
        assert.equal(await w.stored(good.id), true);
      });
    });
  }
});
