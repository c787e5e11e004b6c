import assert from 'node:assert/strict';
import {
  parsePattern,
  PatternSyntaxError,
  collectComparisons,
  type ComparisonExpression,
  type Literal,
  type ObjectPath,
  type ObservationExpression,
  type Qualifier,
} from '../../server/stix/pattern';

function err(p: string): PatternSyntaxError {
  try {
    parsePattern(p);
  } catch (e) {
    if (e instanceof PatternSyntaxError) return e;
    throw e;
  }
  assert.fail(`expected a syntax error for ${p}`);
}

/*
 * A one-line rendering of every field of the AST, so that a whole parse tree can be compared:
 *   observation  [<comparison>]@pos<qualifiers>     group  (<inner>)@pos<qualifiers>
 *   AND{a, b}  OR{a, b}  FOLLOWEDBY{a, b}          (both levels)
 *   test         <path> [NOT ]<op> <literal>@pos     exists  EXISTS <path>@pos
 *   path         type@pos:.prop.prop[0][*]           literal kind(JSON value)
 *   qualifiers   " WITHIN 5@pos", " REPEATS 2@pos", " START ts STOP ts@pos"
 */
function lit(l: Literal): string {
  return `${l.kind}(${JSON.stringify(l.value)})`;
}
function objPath(p: ObjectPath): string {
  const steps = p.steps
    .map((s) => {
      if (s.kind === 'prop') return `.${s.name}`;
      assert.equal(s.kind, 'index');
      return `[${s.index}]`;
    })
    .join('');
  return `${p.objectType}@${p.pos}:${steps}`;
}
function cmp(c: ComparisonExpression): string {
  if (c.kind === 'and' || c.kind === 'or')
    return `${c.kind.toUpperCase()}{${c.operands.map(cmp).join(', ')}}`;
  if (c.kind === 'exists') return `EXISTS ${objPath(c.path)}@${c.pos}`;
  assert.equal(c.kind, 'test');
  const value = Array.isArray(c.value) ? `(${c.value.map(lit).join(', ')})` : lit(c.value);
  return `${objPath(c.path)} ${c.negated ? 'NOT ' : ''}${c.op} ${value}@${c.pos}`;
}
function qual(q: Qualifier): string {
  if (q.kind === 'within') return ` WITHIN ${q.seconds}@${q.pos}`;
  if (q.kind === 'repeats') return ` REPEATS ${q.times}@${q.pos}`;
  assert.equal(q.kind, 'startstop');
  return ` START ${q.start} STOP ${q.stop}@${q.pos}`;
}
function render(e: ObservationExpression): string {
  if (e.kind === 'observation') return `[${cmp(e.comparison)}]@${e.pos}${e.qualifiers.map(qual).join('')}`;
  if (e.kind === 'group') return `(${render(e.inner)})@${e.pos}${e.qualifiers.map(qual).join('')}`;
  assert.ok(['and', 'or', 'followedby'].includes(e.kind), e.kind);
  return `${e.kind.toUpperCase()}{${e.operands.map(render).join(', ')}}`;
}

describe('STIX pattern parser: parse trees', () => {
  it('builds the exact object tree of a simple comparison', () => {
    assert.deepEqual(parsePattern("[file:name = 'x']"), {
      kind: 'observation',
      comparison: {
        kind: 'test',
        path: { objectType: 'file', steps: [{ kind: 'prop', name: 'name' }], pos: 1 },
        op: '=',
        negated: false,
        value: { kind: 'string', value: 'x' },
        pos: 1,
      },
      qualifiers: [],
      pos: 0,
    });
  });

  it('builds the exact object trees of groups, qualifiers, sets and EXISTS', () => {
    assert.deepEqual(
      parsePattern(
        "([a:b IN ()] OR [EXISTS c:d[2]]) REPEATS 2 TIMES START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00Z'",
      ),
      {
        kind: 'group',
        inner: {
          kind: 'or',
          operands: [
            {
              kind: 'observation',
              comparison: {
                kind: 'test',
                path: { objectType: 'a', steps: [{ kind: 'prop', name: 'b' }], pos: 2 },
                op: 'IN',
                negated: false,
                value: [],
                pos: 2,
              },
              qualifiers: [],
              pos: 1,
            },
            {
              kind: 'observation',
              comparison: {
                kind: 'exists',
                path: {
                  objectType: 'c',
                  steps: [
                    { kind: 'prop', name: 'd' },
                    { kind: 'index', index: 2 },
                  ],
                  pos: 24,
                },
                pos: 17,
              },
              qualifiers: [],
              pos: 16,
            },
          ],
        },
        qualifiers: [
          { kind: 'repeats', times: 2, pos: 33 },
          { kind: 'startstop', start: '2020-01-01T00:00:00Z', stop: '2020-01-02T00:00:00Z', pos: 49 },
        ],
        pos: 0,
      },
    );
  });

  it('decodes every literal kind', () => {
    const ast = parsePattern(
      "[a:b NOT IN ('s', 9, -3, +4, 0, 1.25, -.5, true, false, t'2020-01-01T00:00:00.5Z', b'YWI=', b'', b'YWJjZGVm', h'00fF', h'')]",
    );
    assert.ok(ast.kind === 'observation' && ast.comparison.kind === 'test');
    assert.equal(ast.comparison.negated, true);
    assert.deepEqual(ast.comparison.value, [
      { kind: 'string', value: 's' },
      { kind: 'int', value: 9 },
      { kind: 'int', value: -3 },
      { kind: 'int', value: 4 },
      { kind: 'int', value: 0 },
      { kind: 'float', value: 1.25 },
      { kind: 'float', value: -0.5 },
      { kind: 'bool', value: true },
      { kind: 'bool', value: false },
      { kind: 'timestamp', value: '2020-01-01T00:00:00.5Z' },
      { kind: 'binary', value: 'YWI=' },
      { kind: 'binary', value: '' },
      { kind: 'binary', value: 'YWJjZGVm' },
      { kind: 'hex', value: '00fF' },
      { kind: 'hex', value: '' },
    ]);
  });

  const trees: [string, string][] = [
    [
      "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
      '[file@1:.hashes.SHA-256 = string("aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f")@1]@0',
    ],
    [
      "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32']",
      '[OR{ipv4-addr@1:.value = string("198.51.100.1/32")@1, ipv4-addr@40:.value = string("203.0.113.33/32")@40}]@0',
    ],
    [
      "[domain-name:value == 'example.com'] AND [url:value <> 'http://x']",
      'AND{[domain-name@1:.value = string("example.com")@1]@0, [url@42:.value != string("http://x")@42]@41}',
    ],
    [
      '[a:b = 1] AND [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4]',
      'FOLLOWEDBY{OR{AND{[a@1:.b = int(1)@1]@0, [c@15:.d = int(2)@15]@14}, [e@28:.f = int(3)@28]@27}, [g@49:.h = int(4)@49]@48}',
    ],
    [
      '[a:b = 1] OR [c:d = 2] AND [e:f = 3]',
      'OR{[a@1:.b = int(1)@1]@0, AND{[c@14:.d = int(2)@14]@13, [e@28:.f = int(3)@28]@27}}',
    ],
    [
      '[a:b = 1] FOLLOWEDBY [c:d = 2] OR [e:f = 3] FOLLOWEDBY [g:h = 4] AND [i:j = 5]',
      'FOLLOWEDBY{[a@1:.b = int(1)@1]@0, OR{[c@22:.d = int(2)@22]@21, [e@35:.f = int(3)@35]@34}, AND{[g@56:.h = int(4)@56]@55, [i@70:.j = int(5)@70]@69}}',
    ],
    [
      '[a:b = 1] OR [a:c = 2] FOLLOWEDBY [a:d = 3] FOLLOWEDBY [a:e = 4]',
      'FOLLOWEDBY{OR{[a@1:.b = int(1)@1]@0, [a@14:.c = int(2)@14]@13}, [a@35:.d = int(3)@35]@34, [a@56:.e = int(4)@56]@55}',
    ],
    [
      '[a:b = 1] AND [a:c = 2] AND [a:d = 3]',
      'AND{[a@1:.b = int(1)@1]@0, [a@15:.c = int(2)@15]@14, [a@29:.d = int(3)@29]@28}',
    ],
    [
      '([a:b = 1] AND [c:d = 2]) WITHIN 300 SECONDS',
      '(AND{[a@2:.b = int(1)@2]@1, [c@16:.d = int(2)@16]@15})@0 WITHIN 300@26',
    ],
    ['[a:b = 1] WITHIN 1.5 SECONDS REPEATS 5 TIMES', '[a@1:.b = int(1)@1]@0 WITHIN 1.5@10 REPEATS 5@29'],
    [
      "[a:b = 1] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'",
      '[a@1:.b = int(1)@1]@0 START 2016-06-01T00:00:00Z STOP 2016-07-01T00:00:00.123Z@10',
    ],
    ['([a:b = 1] WITHIN 5 SECONDS) WITHIN 10 SECONDS', '([a@2:.b = int(1)@2]@1 WITHIN 5@11)@0 WITHIN 10@29'],
    ['[a:b = 1] WITHIN 0.001 SECONDS', '[a@1:.b = int(1)@1]@0 WITHIN 0.001@10'],
    [
      "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port > 1024]",
      '[AND{network-traffic@1:.dst_ref.type = string("ipv4-addr")@1, network-traffic@48:.dst_port > int(1024)@48}]@0',
    ],
    [
      "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
      '[file@1:.extensions.windows-pebinary-ext.sections[*].entropy > float(7)@1]@0',
    ],
    [
      "[email-message:body_multipart[0].body_raw_ref.name LIKE 'x%']",
      '[email-message@1:.body_multipart[0].body_raw_ref.name LIKE string("x%")@1]@0',
    ],
    [
      "[process:command_line MATCHES '^.*powershell.*$']",
      '[process@1:.command_line MATCHES string("^.*powershell.*$")@1]@0',
    ],
    [
      "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
      '[ipv4-addr@1:.value ISSUBSET string("198.51.100.0/24")@1]@0',
    ],
    [
      "[ipv4-addr:value NOT ISSUPERSET '198.51.100.0/24']",
      '[ipv4-addr@1:.value NOT ISSUPERSET string("198.51.100.0/24")@1]@0',
    ],
    ['[a:b IN ()]', '[a@1:.b IN ()@1]@0'],
    ["[a:b IN ('x')]", '[a@1:.b IN (string("x"))@1]@0'],
    ['[EXISTS windows-registry-key:values]', '[EXISTS windows-registry-key@8:.values@1]@0'],
    [
      "[a:b != false] AND ([c:d = 'x'] OR [e:f = 'y'])",
      'AND{[a@1:.b != bool(false)@1]@0, (OR{[c@21:.d = string("x")@21]@20, [e@36:.f = string("y")@36]@35})@19}',
    ],
    [
      "[artifact:payload_bin = b'YWJjZA==' AND artifact:x_hex = h'CAFE']",
      '[AND{artifact@1:.payload_bin = binary("YWJjZA==")@1, artifact@40:.x_hex = hex("CAFE")@40}]@0',
    ],
    ["[a:b = 'it\\'s \\\\ fine']", '[a@1:.b = string("it\'s \\\\ fine")@1]@0'],
    ["[a:b = ''] ", '[a@1:.b = string("")@1]@0'],
    [
      '[a:b[-1] = +5 AND a:c < -0.5 AND a:d >= .5 AND a:e <= 2 AND a:f > 3]',
      '[AND{a@1:.b[-1] = int(5)@1, a@18:.c < float(-0.5)@18, a@33:.d >= float(0.5)@33, a@47:.e <= int(2)@47, a@60:.f > int(3)@60}]@0',
    ],
    ['/* comment */ [a:b = 1] // trailing', '[a@15:.b = int(1)@15]@14'],
    ['[a:b = 1]// no space before the comment', '[a@1:.b = int(1)@1]@0'],
    ["[a:'quoted name'.x = 1]", '[a@1:.quoted name.x = int(1)@1]@0'],
    ["[x-custom-type:x_prop = 'v']", '[x-custom-type@1:.x_prop = string("v")@1]@0'],
    [
      "[Zebra:Zed = 1 AND zebra:_z = 2 AND _x:a = 'Z']",
      '[AND{Zebra@1:.Zed = int(1)@1, zebra@19:._z = int(2)@19, _x@36:.a = string("Z")@36}]@0',
    ],
    [
      '[a:b = 1 OR a:c = 2 AND a:d = 3]',
      '[OR{a@1:.b = int(1)@1, AND{a@12:.c = int(2)@12, a@24:.d = int(3)@24}}]@0',
    ],
    [
      '[(a:b = 1 OR a:c = 2) AND a:d = 3]',
      '[AND{OR{a@2:.b = int(1)@2, a@13:.c = int(2)@13}, a@26:.d = int(3)@26}]@0',
    ],
    ['[((a:b = 1))]', '[a@3:.b = int(1)@3]@0'],
    [
      '[a:b = 1 OR a:c = 2 OR a:d = 3]',
      '[OR{a@1:.b = int(1)@1, a@12:.c = int(2)@12, a@23:.d = int(3)@23}]@0',
    ],
    ['[a:b NOT = 1 AND a:c NOT != 2]', '[AND{a@1:.b NOT = int(1)@1, a@17:.c NOT != int(2)@17}]@0'],
    ['[a:b NOT < 1]', '[a@1:.b NOT < int(1)@1]@0'],
    [
      "[a:b NOT LIKE 'x' AND a:c NOT MATCHES 'y']",
      '[AND{a@1:.b NOT LIKE string("x")@1, a@22:.c NOT MATCHES string("y")@22}]@0',
    ],
  ];
  for (const [p, tree] of trees) {
    it(`parses ${p}`, () => assert.equal(render(parsePattern(p)), tree));
  }

  it('accepts every whitespace character and comments between tokens', () => {
    const p = '[a:b\t=\n1]\rAND\v[c:d\f=\r\n2]\n// line comment\nAND /* block\n comment */ [e:f = 3] // end';
    assert.equal(
      render(parsePattern(p)),
      'AND{[a@1:.b = int(1)@1]@0, [c@15:.d = int(2)@15]@14, [e@67:.f = int(3)@67]@66}',
    );
  });

  it('resumes after a line comment on the next line, not before', () => {
    assert.equal(
      render(parsePattern('[a:b = 1]\n// x\nAND [c:d = 2] WITHIN 5 SECONDS')),
      'AND{[a@1:.b = int(1)@1]@0, [c@20:.d = int(2)@20]@19 WITHIN 5@29}',
    );
  });

  it('collects the comparisons of a tree in source order', () => {
    const ast = parsePattern("([a:b = 1] AND [EXISTS c:d]) FOLLOWEDBY [(e:f = 'x' OR e:g IN (1, 2))]");
    assert.deepEqual(
      collectComparisons(ast).map((c) => ({ type: c.path.objectType, op: c.op, value: c.value })),
      [
        { type: 'a', op: '=', value: { kind: 'int', value: 1 } },
        { type: 'c', op: 'EXISTS', value: undefined },
        { type: 'e', op: '=', value: { kind: 'string', value: 'x' } },
        {
          type: 'e',
          op: 'IN',
          value: [
            { kind: 'int', value: 1 },
            { kind: 'int', value: 2 },
          ],
        },
      ],
    );
    const [first] = collectComparisons(ast);
    assert.deepEqual(first?.path, { objectType: 'a', steps: [{ kind: 'prop', name: 'b' }], pos: 2 });
  });
});

describe('STIX pattern parser: errors', () => {
  it('is a PatternSyntaxError with position, expectation and finding', () => {
    const e = err("[file:name = 'x'");
    assert.equal(e.name, 'PatternSyntaxError');
    assert.ok(e instanceof Error);
    assert.equal(e.position, 16);
    assert.equal(e.expected, "']', 'AND' or 'OR'");
    assert.equal(e.found, 'end of pattern');
  });

  const OPS =
    "'NOT' or a comparison operator ('=', '==', '!=', '<>', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')";
  const NEG_OPS =
    "a comparison operator ('=', '!=', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')";
  const OBS = "an observation expression ('[' or '(')";
  const AFTER = "'AND', 'OR', 'FOLLOWEDBY', a qualifier or end of pattern";
  const invalid: [string, number, string, string][] = [
    ['', 0, OBS, 'end of pattern'],
    ["file:name = 'x'", 0, OBS, "'file'"],
    ["'['file:name = 'x']", 0, OBS, "''[''"],
    ["[file:name = 'x'", 16, "']', 'AND' or 'OR'", 'end of pattern'],
    ["[file:name = 'x]", 13, "closing quote (')", 'end of pattern'],
    ["[file:name = 'x\\", 15, "an escape sequence \\' or \\\\", 'end of pattern'],
    ["[file:name = 'a\\b']", 15, "an escape sequence \\' or \\\\", "'\\b'"],
    ["[file:name 'x']", 11, OPS, "''x''"],
    ["[file:name '=' 'x']", 11, OPS, "''=''"],
    ["[file:name '<' 1]", 11, OPS, "''<''"],
    ["[file:name 'IN' ('x')]", 11, OPS, "''IN''"],
    ["[file:name 'LIKE' 'x']", 11, OPS, "''LIKE''"],
    ["[file:name NOT EXISTS 'x']", 15, NEG_OPS, "'EXISTS'"],
    ['[file:name = 01]', 14, "']', 'AND' or 'OR'", "'1'"],
    ['[file:size > true]', 13, 'an orderable literal (number, string, timestamp, binary, hex)', "'true'"],
    ['[file:size = ]', 13, 'a literal', "']'"],
    ['[file:name LIKE 5]', 16, 'a string literal after LIKE', "'5'"],
    ['[file:name IN (1, 2]', 19, "',' or ')' in the set literal", "']'"],
    ["[file:name IN 'x']", 14, "'(' to start a set literal", "''x''"],
    ['[file:name IN (1,)]', 17, 'a literal', "')'"],
    ["[a:b = h'abc']", 7, "a hex literal h'…' with an even number of hex digits", "'h'abc''"],
    ["[a:b = h'zz']", 7, "a hex literal h'…' with an even number of hex digits", "'h'zz''"],
    ["[a:b = b'YWJ']", 7, "a base64 binary literal b'…'", "'b'YWJ''"],
    ["[a:b = b'Y===']", 7, "a base64 binary literal b'…'", "'b'Y===''"],
    [
      "[a:b = t'2020-13-01T00:00:00Z']",
      7,
      "a timestamp literal t'YYYY-MM-DDThh:mm:ss[.s+]Z'",
      "'t'2020-13-01T00:00:00Z''",
    ],
    [
      "[a:b = t'2020-02-30T00:00:00Z']",
      7,
      "a timestamp literal t'YYYY-MM-DDThh:mm:ss[.s+]Z'",
      "'t'2020-02-30T00:00:00Z''",
    ],
    [
      "[a:b = t'2020-01-01T00:00:00+01:00']",
      7,
      "a timestamp literal t'YYYY-MM-DDThh:mm:ss[.s+]Z'",
      "'t'2020-01-01T00:00:00+01:00''",
    ],
    [
      "[a:b = t'x2020-01-01T00:00:00Z']",
      7,
      "a timestamp literal t'YYYY-MM-DDThh:mm:ss[.s+]Z'",
      "'t'x2020-01-01T00:00:00Z''",
    ],
    [`[a:b = 1] '${'y'.repeat(45)}'`, 10, AFTER, `''${'y'.repeat(39)}…'`],
    [`[a:b = 1] '${'y'.repeat(38)}'`, 10, AFTER, `''${'y'.repeat(38)}''`],
    [`[a:b = 1] '${'y'.repeat(39)}'`, 10, AFTER, `''${'y'.repeat(39)}…'`],
    [
      '[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS',
      27,
      'at most one qualifier of each kind on an observation expression',
      'a second WITHIN qualifier',
    ],
    [
      '[a:b = 1] REPEATS 2 TIMES REPEATS 3 TIMES',
      26,
      'at most one qualifier of each kind on an observation expression',
      'a second REPEATS qualifier',
    ],
    [
      "[a:b = 1] START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00Z' START t'2020-01-01T00:00:00Z' STOP t'2020-01-02T00:00:00Z'",
      69,
      'at most one qualifier of each kind on an observation expression',
      'a second START/STOP qualifier',
    ],
    ['[a:b = 1] REPEATS 0 TIMES', 18, 'a positive integer', "'0'"],
    ['[a:b = 1] REPEATS -2 TIMES', 18, 'a positive integer after REPEATS', "'-2'"],
    ['[a:b = 1] REPEATS 2.5 TIMES', 18, 'a positive integer after REPEATS', "'2.5'"],
    ['[a:b = 1] REPEATS 5', 19, "'TIMES'", 'end of pattern'],
    ['[a:b = 1] REPEATS 5 SECONDS', 20, "'TIMES'", "'SECONDS'"],
    ['[a:b = 1] WITHIN 0 SECONDS', 17, 'a positive number of seconds', "'0'"],
    ['[a:b = 1] WITHIN 0.0 SECONDS', 17, 'a positive number of seconds', "'0.0'"],
    ['[a:b = 1] WITHIN -5 SECONDS', 17, 'a positive number of seconds after WITHIN', "'-5'"],
    ['[a:b = 1] WITHIN -0.5 SECONDS', 17, 'a positive number of seconds after WITHIN', "'-0.5'"],
    ["[a:b = 1] WITHIN '5' SECONDS", 17, 'a positive number of seconds after WITHIN', "''5''"],
    ['[a:b = 1] WITHIN 5', 18, "'SECONDS'", 'end of pattern'],
    ["[a:b = 1] START t'2020-01-01T00:00:00Z'", 39, "'STOP'", 'end of pattern'],
    [
      "[a:b = 1] START '2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00Z'",
      16,
      "a timestamp literal t'…' after START",
      "''2020-01-01T00:00:00Z''",
    ],
    ["[a:b = 1] START t'2020-01-01T00:00:00Z' STOP 5", 45, "a timestamp literal t'…' after STOP", "'5'"],
    ['[a:b = 1] AND', 13, OBS, 'end of pattern'],
    ['[a:b = 1] [c:d = 2]', 10, AFTER, "'['"],
    ["[a:b = 1] 'AND' [c:d = 2]", 10, AFTER, "''AND''"],
    ["[a:b = 1 'OR' a:c = 2]", 9, "']', 'AND' or 'OR'", "''OR''"],
    ['([a:b = 1]', 10, "')', 'AND', 'OR', 'FOLLOWEDBY' or a qualifier", 'end of pattern'],
    ['[(a:b = 1]', 9, "')', 'AND' or 'OR'", "']'"],
    ['[a:x-y = 1]', 3, 'a property name (identifier without hyphen or quoted string)', "'x-y'"],
    ['[a:b.c-d = 1]', 5, "a property name after '.' (identifier without hyphen or quoted string)", "'c-d'"],
    ['[a:b.5 = 1]', 4, OPS, "'.5'"],
    ['[a:b[x] = 1]', 5, "a list index (integer or '*')", "'x'"],
    ["[a:b['*'] = 1]", 5, "a list index (integer or '*')", "''*''"],
    ['[a:b[,] = 1]', 5, "a list index (integer or '*')", "','"],
    ['[a:b[1 = 1]', 7, "']' after the list index", "'='"],
    ['[a b = 1]', 3, "':' after the object type", "'b'"],
    ["['a':b = 1]", 1, "an object path ('type:property')", "''a''"],
    ['[a:LAST = 1]', 3, 'a property name (identifier without hyphen or quoted string)', "'LAST'"],
    ['[a:b = 1] AND ()', 15, OBS, "')'"],
    ['[a:b = 1 AND]', 12, "an object path ('type:property')", "']'"],
    ['[a:b = 1] & [c:d = 2]', 10, 'a valid pattern token', "'&'"],
    ['[a:b = 1] / [c:d = 2]', 10, 'a valid pattern token', "'/'"],
    ['[a:b = 1] /x', 10, 'a valid pattern token', "'/'"],
    ['[a:b = 1] {', 10, 'a valid pattern token', "'{'"],
    ['[a:b = 1] @', 10, 'a valid pattern token', "'@'"],
    ['[a:b = 1] `', 10, 'a valid pattern token', "'`'"],
    ['[a:b = 1] .', 10, AFTER, "'.'"],
    ['[a:b = -x]', 7, 'a number', "'-'"],
    ['[a:b = +]', 7, 'a number', "'+'"],
    ["[a:b = 'x'] /* unterminated", 12, "end of comment ('*/')", 'end of pattern'],
    ['/*/ [a:b = 1]', 0, "end of comment ('*/')", 'end of pattern'],
    ['[a:b = 1] and [c:d = 2]', 10, AFTER, "'and'"],
    ['[a:b = 1] // c\n[c:d = 2]', 15, AFTER, "'['"],
  ];
  for (const [p, pos, expected, found] of invalid) {
    it(`rejects ${JSON.stringify(p)} at ${pos}`, () => {
      const e = err(p);
      assert.equal(e.message, `at position ${pos}: expected ${expected}, found ${found}`);
      assert.equal(e.position, pos);
    });
  }
});
