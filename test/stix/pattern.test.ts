import assert from 'node:assert/strict';
import { parsePattern, PatternSyntaxError, collectComparisons } from '../../server/stix/pattern';

function err(p: string): PatternSyntaxError {
  try {
    parsePattern(p);
  } catch (e) {
    if (e instanceof PatternSyntaxError) return e;
    throw e;
  }
  assert.fail(`expected a syntax error for ${p}`);
}

describe('STIX pattern parser', () => {
  const valid = [
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32']",
    "[domain-name:value == 'example.com'] AND [url:value <> 'http://x']",
    '[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]',
    '([a:b = 1] AND [c:d = 2]) WITHIN 300 SECONDS',
    '[a:b = 1] WITHIN 1.5 SECONDS REPEATS 5 TIMES',
    "[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'",
    '([a:b = 1] WITHIN 5 SECONDS) WITHIN 10 SECONDS',
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port > 1024]",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[email-message:body_multipart[0].body_raw_ref.name LIKE 'x%']",
    "[process:command_line MATCHES '^.*powershell.*$']",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[ipv4-addr:value ISSUPERSET '198.51.100.0/24']",
    "[a:b NOT IN ('a', 2, -3, 4.5, true, t'2020-01-01T00:00:00Z', b'YWJj', h'00ff')]",
    '[a:b IN ()]',
    '[EXISTS windows-registry-key:values]',
    "[a:b != false] AND ([c:d = 'x'] OR [e:f = 'y'])",
    "[artifact:payload_bin = b'YWJjZA==' AND artifact:x_hex = h'CAFE']",
    "[a:b = 'it\\'s \\\\ fine']",
    '[a:b[-1] = +5 AND a:c < -0.5 AND a:d >= .5]',
    '/* comment */ [a:b = 1] // trailing',
    "[a:'quoted name'.x = 1]",
    "[x-custom-type:x_prop = 'v']",
    '[a:b = 1] OR [a:c = 2] FOLLOWEDBY [a:d = 3] FOLLOWEDBY [a:e = 4]',
  ];
  for (const p of valid) it(`parses ${p}`, () => assert.doesNotThrow(() => parsePattern(p)));

  it('builds the precedence FOLLOWEDBY < OR < AND', () => {
    const ast = parsePattern('[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]');
    assert.equal(ast.kind, 'followedby');
    if (ast.kind !== 'followedby') return;
    assert.equal(ast.operands[0]?.kind, 'or');
    const or = ast.operands[0];
    if (or?.kind !== 'or') return;
    assert.equal(or.operands[0]?.kind, 'and');
  });

  it('decodes escapes, paths and literals', () => {
    const ast = parsePattern("[file:hashes.'SHA-256' = 'a\\'b' AND file:x[*] NOT = 3]");
    const cs = collectComparisons(ast);
    assert.equal(cs.length, 2);
    assert.deepEqual(cs[0]?.path.steps, [
      { kind: 'prop', name: 'hashes' },
      { kind: 'prop', name: 'SHA-256' },
    ]);
    assert.deepEqual(cs[0]?.value, { kind: 'string', value: "a'b" });
    assert.deepEqual(cs[1]?.path.steps[1], { kind: 'index', index: '*' });
  });

  const invalid: [string, number, RegExp][] = [
    ['', 0, /observation expression/],
    ["file:name = 'x'", 0, /observation expression/],
    ["[file:name = 'x'", 16, /'\]'/],
    ["[file:name = 'x]", 13, /closing quote/],
    ["[file:name = 'a\\b']", 15, /escape/],
    ["[file:name 'x']", 11, /comparison operator/],
    ["[file:name NOT EXISTS 'x']", 15, /comparison operator/],
    ['[file:name = 01]', 14, /'\]'/],
    ['[file:size > true]', 13, /orderable literal/],
    ['[file:name LIKE 5]', 16, /string literal after LIKE/],
    ['[file:name IN (1, 2]', 19, /',' or '\)'/],
    ["[a:b = h'abc']", 7, /hex literal/],
    ["[a:b = b'YWJ']", 7, /base64/],
    ["[a:b = t'2020-13-01T00:00:00Z']", 7, /timestamp/],
    ["[a:b = t'2020-02-30T00:00:00Z']", 7, /timestamp/],
    ["[a:b = t'2020-01-01T00:00:00+01:00']", 7, /timestamp/],
    ['[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS', 27, /at most one qualifier/],
    ['[a:b = 1] REPEATS 0 TIMES', 18, /positive integer/],
    ['[a:b = 1] REPEATS 2.5 TIMES', 18, /positive integer/],
    ['[a:b = 1] WITHIN 5', 18, /'SECONDS'/],
    ["[a:b = 1] START t'2020-01-01T00:00:00Z'", 39, /'STOP'/],
    ['[a:b = 1] AND', 13, /observation expression/],
    ['[a:b = 1] [c:d = 2]', 10, /FOLLOWEDBY/],
    ['[a:x-y = 1]', 3, /property name/],
    ['[a:b.c-d = 1]', 5, /property name/],
    ['[a:b[x] = 1]', 5, /list index/],
    ['[a b = 1]', 3, /':'/],
    ['[a:b = 1] AND ()', 15, /observation expression/],
    ['[a:b = 1 AND]', 12, /object path/],
    ['[a:b = 1] & [c:d = 2]', 10, /valid pattern token/],
    ["[a:b = 'x'] /* unterminated", 12, /end of comment/],
    ['[a:b = 1] and [c:d = 2]', 10, /FOLLOWEDBY/],
  ];
  for (const [p, pos, expected] of invalid) {
    it(`rejects ${JSON.stringify(p)} at ${pos}`, () => {
      const e = err(p);
      assert.equal(e.position, pos, e.message);
      assert.match(e.message, expected);
      assert.match(e.message, /^at position \d+: expected .+, found .+/);
    });
  }
});
