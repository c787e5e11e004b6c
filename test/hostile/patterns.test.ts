/**
 * Issue 8 item 2: the recursive-descent pattern parser overflowed the stack on a pattern wrapped in
 * ~20,000 parentheses (500), its lexer rescanned runs of digits from every position (a pattern of
 * '0000…' took minutes), and nothing bounded its work. Nesting and tokens are now limited and
 * reported as a pattern failure (rule pattern-limit) with the position; the lexer is linear.
 */
import assert from 'node:assert/strict';
import {
  DEFAULT_PATTERN_LIMITS,
  parsePattern,
  PatternLimitError,
  PatternSyntaxError,
  tokenize,
} from '../../server/stix/pattern';
import { validateStixObject } from '../../server/stix/validate';
import { makeIndicator } from '../helpers/stix';
import { writerHub, type WriterHub } from './writer';

const OBS = "[ipv4-addr:value = '198.51.100.1']";

function wrapped(n: number): string {
  return `${'('.repeat(n)}${OBS}${')'.repeat(n)}`;
}

describe('hostile: pattern parser bounds (issue 8 item 2)', function () {
  this.timeout(60_000);

  it('nesting: exactly the limit parses, one more level is a PatternLimitError at the deeper opener', () => {
    const limits = { maxDepth: 5, maxTokens: 1000 };
    // 4 parentheses and the observation's bracket: 5 levels.
    assert.equal(parsePattern(wrapped(4), limits).kind, 'group');
    assert.throws(
      () => parsePattern(wrapped(5), limits),
      (e: unknown) =>
        e instanceof PatternLimitError && e.position === 5 && /at most 5 levels/.test(e.message),
    );
    // Parentheses inside the comparison count too.
    const inner = (n: number) => `[${'('.repeat(n)}ipv4-addr:value = '1.2.3.4'${')'.repeat(n)}]`;
    assert.equal(parsePattern(inner(4), limits).kind, 'observation');
    assert.throws(() => parsePattern(inner(5), limits), PatternLimitError);
  });

  it('20,000 nested parentheses (in and around observations) fail as a pattern error, not a stack overflow', () => {
    for (const p of [wrapped(20_000), `[${'('.repeat(20_000)}a:b = 1${')'.repeat(20_000)}]`]) {
      assert.throws(() => parsePattern(p), PatternSyntaxError);
      const v = validateStixObject(makeIndicator({ pattern: p }));
      assert.deepEqual(
        v.errors.map((e) => [e.rule, e.path]),
        [['pattern-limit', '$.pattern']],
      );
    }
  });

  it('tokens: exactly the limit parses, one more token is a PatternLimitError', () => {
    const list = (n: number) => `[a:b IN (${Array.from({ length: n }, () => '1').join(',')})]`;
    // '[', 'a', ':', 'b', 'IN', '(', n values, n - 1 commas, ')', ']'
    const tokens = (n: number) => 8 + 2 * n - 1;
    const limits = { maxDepth: 10, maxTokens: tokens(50) };
    assert.equal(parsePattern(list(50), limits).kind, 'observation');
    assert.throws(() => parsePattern(list(51), limits), PatternLimitError);
    // The default: a 60,000-value list (120,000 tokens) is refused.
    assert.throws(() => parsePattern(list(60_000)), PatternLimitError);
    assert.equal(DEFAULT_PATTERN_LIMITS.maxTokens, 100_000);
  });

  it('a run of a million digits is lexed in one pass (it took minutes when rescanned from each digit)', () => {
    // Each '0' is its own integer token, so the token limit ends it; '1…' is one integer.
    assert.throws(() => tokenize('0'.repeat(1_000_000)), PatternLimitError);
    assert.equal(tokenize(`1${'0'.repeat(1_000_000)}`).length, 2);
    assert.throws(() => parsePattern(`[a:b = ${'0'.repeat(400_000)}]`), PatternSyntaxError);
  });

  it('numbers are lexed exactly as before the one-pass lexer', () => {
    const cases: [string, [string, string][] | 'error'][] = [
      ['0', [['int', '0']]],
      [
        '007',
        [
          ['int', '0'],
          ['int', '0'],
          ['int', '7'],
        ],
      ],
      ['007.5', [['float', '007.5']]],
      ['+.5', [['float', '+.5']]],
      ['-3', [['int', '-3']]],
      [
        '1.',
        [
          ['int', '1'],
          ['punct', '.'],
        ],
      ],
      ['.5', [['float', '.5']]],
      ['00.1', [['float', '00.1']]],
      [
        '1e5',
        [
          ['int', '1'],
          ['ident', 'e5'],
        ],
      ],
      ['+0', [['int', '+0']]],
      ['-0.0', [['float', '-0.0']]],
      [
        '12.34.56',
        [
          ['float', '12.34'],
          ['float', '.56'],
        ],
      ],
      [
        '0x1F',
        [
          ['int', '0'],
          ['ident', 'x1F'],
        ],
      ],
      ['.', [['punct', '.']]],
      [
        '..5',
        [
          ['punct', '.'],
          ['float', '.5'],
        ],
      ],
      [
        '1..2',
        [
          ['int', '1'],
          ['punct', '.'],
          ['float', '.2'],
        ],
      ],
      ['+-1', 'error'],
    ];
    for (const [src, want] of cases) {
      if (want === 'error') {
        assert.throws(() => tokenize(src), PatternSyntaxError, src);
        continue;
      }
      const got = tokenize(src)
        .filter((t) => t.type !== 'eof')
        .map((t) => [t.type, t.raw]);
      assert.deepEqual(got, want, src);
    }
  });

  describe('over HTTP', () => {
    let w: WriterHub;
    before(async () => {
      w = await writerHub();
    });
    after(async () => w?.close());

    it('indicators with 20,000 nested parentheses or 120,000 tokens: pattern failures, the rest stored', async () => {
      const good = makeIndicator();
      const deep = makeIndicator({ pattern: wrapped(20_000) });
      const long = makeIndicator({
        pattern: `[ipv4-addr:value IN (${Array.from({ length: 60_000 }, () => "'1.1.1.1'").join(',')})]`,
      });
      const res = await w.post({ objects: [good, deep, long] });
      const text = await res.text();
      assert.equal(res.status, 202, text.slice(0, 300));
      const status = JSON.parse(text) as {
        success_count: number;
        failures?: { id: string; message: string }[];
      };
      assert.equal(status.success_count, 1);
      assert.deepEqual(
        (status.failures ?? []).map((f) => [
          f.id,
          /^pattern-limit at \$\.pattern: at position \d+: expected .*at most/.test(f.message),
        ]),
        [
          [deep.id, true],
          [long.id, true],
        ],
      );
    });
  });
});
