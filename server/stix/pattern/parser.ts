/**
 * Hand-written lexer and recursive-descent parser for the STIX 2.1 patterning language
 * (STIX 2.1 specification, section 9 and its ANTLR grammar, re-expressed here).
 *
 * Precedence, lowest first:
 *   observation level: FOLLOWEDBY < OR < AND < qualifiers (WITHIN, REPEATS, START/STOP)
 *   comparison level:  OR < AND
 *
 * Hostile patterns are bounded (PatternLimits): the parser recurses once per level of parentheses
 * or brackets, so their nesting is limited before it could exhaust the stack, and the lexer stops
 * after a number of tokens, which bounds the parser's work and memory. The lexer reads each
 * character a bounded number of times (linear in the pattern's length).
 */
import type {
  ComparisonExpression,
  ComparisonOperator,
  Literal,
  ObjectPath,
  ObservationExpression,
  PathStep,
  Qualifier,
} from './ast';
import { isValidTimestamp } from '../timestamp';

export class PatternSyntaxError extends Error {
  constructor(
    /** Zero-based character offset in the pattern. */
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`at position ${position}: expected ${expected}, found ${found}`);
    this.name = 'PatternSyntaxError';
  }
}

/** A pattern beyond the parser's limits: reported like a syntax error, with its position. */
export class PatternLimitError extends PatternSyntaxError {
  constructor(position: number, expected: string, found: string) {
    super(position, expected, found);
    this.name = 'PatternLimitError';
  }
}

export interface PatternLimits {
  /** Deepest nesting of parentheses and brackets. */
  maxDepth: number;
  /** Most tokens in one pattern. */
  maxTokens: number;
}

/**
 * Far above real patterns (a few levels of nesting; a 10,000-value IN list is about 20,000
 * tokens), far below what costs anything: parsing 100,000 tokens takes a few tens of milliseconds.
 */
export const DEFAULT_PATTERN_LIMITS: PatternLimits = { maxDepth: 100, maxTokens: 100_000 };

type TokenType =
  | 'int'
  | 'float'
  | 'string'
  | 'bool'
  | 'timestamp'
  | 'binary'
  | 'hex'
  | 'ident' // IdentifierWithoutHyphen
  | 'identh' // IdentifierWithHyphen
  | 'kw'
  | 'punct'
  | 'eof';

interface Token {
  type: TokenType;
  /** Decoded value (string content, keyword, punctuation) or raw number text. */
  text: string;
  pos: number;
  /** Raw source text, for messages. */
  raw: string;
}

const KEYWORDS = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'LAST',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
]);

const IDENT_RE = /[a-zA-Z_][a-zA-Z0-9_-]*/y;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function describe(tok: Token): string {
  if (tok.type === 'eof') return 'end of pattern';
  return `'${tok.raw.length > 40 ? tok.raw.slice(0, 40) + '…' : tok.raw}'`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** Reads a quoted string body starting after the opening quote; returns decoded text and end index. */
function readQuoted(src: string, start: number, tokenPos: number): { value: string; end: number } {
  let out = '';
  let i = start;
  let chunk = i;
  for (;;) {
    const c = src.charCodeAt(i); // NaN past the end
    if (Number.isNaN(c)) throw new PatternSyntaxError(tokenPos, "closing quote (')", 'end of pattern');
    if (c === 39 /* ' */) {
      out += src.slice(chunk, i);
      return { value: out, end: i + 1 };
    }
    if (c === 92 /* \ */) {
      const n = src[i + 1];
      if (n !== "'" && n !== '\\') {
        throw new PatternSyntaxError(
          i,
          "an escape sequence \\' or \\\\",
          n === undefined ? 'end of pattern' : `'\\${n}'`,
        );
      }
      out += src.slice(chunk, i) + n;
      i += 2;
      chunk = i;
      continue;
    }
    i++;
  }
}

export function tokenize(src: string, maxTokens = DEFAULT_PATTERN_LIMITS.maxTokens): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  const push = (t: Token) => {
    if (tokens.length >= maxTokens) {
      throw new PatternLimitError(t.pos, `a pattern of at most ${maxTokens} tokens`, 'more');
    }
    tokens.push(t);
  };
  /** End of the last run of digits scanned (see numbers below). */
  let runEnd = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const ch = src[i] as string;
    // comments: /* ... */ and // ... (allowed by the grammar)
    if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end === -1) throw new PatternSyntaxError(i, "end of comment ('*/')", 'end of pattern');
      i = end + 2;
      continue;
    }
    if (ch === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i + 2);
      i = end === -1 ? n : end + 1;
      continue;
    }
    const start = i;
    // typed literals t'..' b'..' h'..'
    if ((ch === 't' || ch === 'b' || ch === 'h') && src[i + 1] === "'") {
      const { value, end } = readQuoted(src, i + 2, start);
      const raw = src.slice(start, end);
      if (ch === 't') {
        if (!isValidTimestamp(value)) {
          throw new PatternSyntaxError(start, "a timestamp literal t'YYYY-MM-DDThh:mm:ss[.s+]Z'", `'${raw}'`);
        }
        push({ type: 'timestamp', text: value, pos: start, raw });
      } else if (ch === 'b') {
        if (!BASE64_RE.test(value)) {
          throw new PatternSyntaxError(start, "a base64 binary literal b'…'", `'${raw}'`);
        }
        push({ type: 'binary', text: value, pos: start, raw });
      } else {
        if (!HEX_RE.test(value)) {
          throw new PatternSyntaxError(
            start,
            "a hex literal h'…' with an even number of hex digits",
            `'${raw}'`,
          );
        }
        push({ type: 'hex', text: value, pos: start, raw });
      }
      i = end;
      continue;
    }
    if (ch === "'") {
      const { value, end } = readQuoted(src, i + 1, start);
      push({ type: 'string', text: value, pos: start, raw: src.slice(start, end) });
      i = end;
      continue;
    }
    if (isDigit(c) || ch === '+' || ch === '-' || ch === '.') {
      // FloatLiteral [+-]?[0-9]*\.[0-9]+ or IntLiteral [+-]?(0|[1-9][0-9]*), the longer (float on a
      // tie). Whether a float matches depends on what follows the whole run of digits, and '0000…'
      // is one integer token per digit: the end of the run is found once and remembered for the
      // tokens inside it (trying a regular expression at every position rescans the run from each
      // digit, quadratic in its length).
      const digits = ch === '+' || ch === '-' ? i + 1 : i;
      let d = digits;
      if (digits < runEnd) d = runEnd;
      else {
        while (d < n && isDigit(src.charCodeAt(d))) d++;
        runEnd = d;
      }
      if (src.charCodeAt(d) === 46 /* . */ && isDigit(src.charCodeAt(d + 1))) {
        let f = d + 1;
        while (f < n && isDigit(src.charCodeAt(f))) f++;
        const raw = src.slice(i, f);
        push({ type: 'float', text: raw, pos: start, raw });
        i = f;
        continue;
      }
      if (d > digits) {
        const end = src.charCodeAt(digits) === 48 /* 0 */ ? digits + 1 : d;
        const raw = src.slice(i, end);
        push({ type: 'int', text: raw, pos: start, raw });
        i = end;
        continue;
      }
      if (ch === '.') {
        push({ type: 'punct', text: '.', pos: start, raw: '.' });
        i++;
        continue;
      }
      throw new PatternSyntaxError(start, 'a number', `'${ch}'`);
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) {
      IDENT_RE.lastIndex = i;
      const m = IDENT_RE.exec(src) as RegExpExecArray;
      const word = m[0];
      i += word.length;
      if (word.includes('-')) push({ type: 'identh', text: word, pos: start, raw: word });
      else if (KEYWORDS.has(word)) push({ type: 'kw', text: word, pos: start, raw: word });
      else if (word === 'true' || word === 'false') push({ type: 'bool', text: word, pos: start, raw: word });
      else push({ type: 'ident', text: word, pos: start, raw: word });
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      const text = two === '==' ? '=' : two === '<>' ? '!=' : two;
      push({ type: 'punct', text, pos: start, raw: two });
      i += 2;
      continue;
    }
    if ('=<>:,()[]*'.includes(ch)) {
      push({ type: 'punct', text: ch, pos: start, raw: ch });
      i++;
      continue;
    }
    throw new PatternSyntaxError(start, 'a valid pattern token', `'${ch}'`);
  }
  // Stryker disable next-line StringLiteral: the end token's text and raw are never read (every check tests its type first)
  tokens.push({ type: 'eof', text: '', pos: n, raw: '' });
  return tokens;
}

const ORDER_OPS = new Set(['<', '<=', '>', '>=']);

class Parser {
  private i = 0;
  /** Parentheses and brackets open at the current token. */
  private depth = 0;
  constructor(
    private readonly toks: Token[],
    private readonly maxDepth: number,
  ) {}

  /** Consumes an opening parenthesis or bracket, refusing one nested beyond the limit. */
  private open(): void {
    const t = this.next();
    if (++this.depth > this.maxDepth) {
      throw new PatternLimitError(
        t.pos,
        `at most ${this.maxDepth} levels of nested parentheses and brackets`,
        `a deeper '${t.text}'`,
      );
    }
  }

  /** Consumes the closing parenthesis or bracket that matches the last open(). */
  private close(p: ')' | ']', expected: string): void {
    this.expectPunct(p, expected);
    this.depth--;
  }

  private peek(): Token {
    return this.toks[this.i] as Token;
  }
  private next(): Token {
    return this.toks[this.i++] as Token;
  }
  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.type === 'punct' && t.text === p;
  }
  private isKw(k: string): boolean {
    const t = this.peek();
    return t.type === 'kw' && t.text === k;
  }
  private fail(expected: string): never {
    const t = this.peek();
    throw new PatternSyntaxError(t.pos, expected, describe(t));
  }
  private expectPunct(p: string, expected: string): Token {
    if (!this.isPunct(p)) this.fail(expected);
    return this.next();
  }

  parsePattern(): ObservationExpression {
    const expr = this.obsFollowedBy();
    if (this.peek().type !== 'eof') this.fail("'AND', 'OR', 'FOLLOWEDBY', a qualifier or end of pattern");
    return expr;
  }

  private obsFollowedBy(): ObservationExpression {
    const first = this.obsOr();
    if (!this.isKw('FOLLOWEDBY')) return first;
    const operands = [first];
    while (this.isKw('FOLLOWEDBY')) {
      this.next();
      operands.push(this.obsOr());
    }
    return { kind: 'followedby', operands };
  }

  private obsOr(): ObservationExpression {
    const first = this.obsAnd();
    if (!this.isKw('OR')) return first;
    const operands = [first];
    while (this.isKw('OR')) {
      this.next();
      operands.push(this.obsAnd());
    }
    return { kind: 'or', operands };
  }

  private obsAnd(): ObservationExpression {
    const first = this.obsUnit();
    if (!this.isKw('AND')) return first;
    const operands = [first];
    while (this.isKw('AND')) {
      this.next();
      operands.push(this.obsUnit());
    }
    return { kind: 'and', operands };
  }

  private obsUnit(): ObservationExpression {
    const t = this.peek();
    let node: ObservationExpression & { qualifiers: Qualifier[] };
    if (this.isPunct('[')) {
      this.open();
      const comparison = this.cmpOr();
      this.close(']', "']', 'AND' or 'OR'");
      node = { kind: 'observation', comparison, qualifiers: [], pos: t.pos };
    } else if (this.isPunct('(')) {
      this.open();
      const inner = this.obsFollowedBy();
      this.close(')', "')', 'AND', 'OR', 'FOLLOWEDBY' or a qualifier");
      node = { kind: 'group', inner, qualifiers: [], pos: t.pos };
    } else {
      this.fail("an observation expression ('[' or '(')");
    }
    this.qualifiers(node.qualifiers);
    return node;
  }

  private qualifiers(out: Qualifier[]): void {
    for (;;) {
      const t = this.peek();
      let q: Qualifier;
      if (this.isKw('WITHIN')) {
        this.next();
        const v = this.peek();
        if ((v.type !== 'int' && v.type !== 'float') || v.text.startsWith('-')) {
          this.fail('a positive number of seconds after WITHIN');
        }
        this.next();
        const seconds = Number(v.text);
        if (!(seconds > 0)) throw new PatternSyntaxError(v.pos, 'a positive number of seconds', describe(v));
        if (!this.isKw('SECONDS')) this.fail("'SECONDS'");
        this.next();
        q = { kind: 'within', seconds, pos: t.pos };
      } else if (this.isKw('REPEATS')) {
        this.next();
        const v = this.peek();
        if (v.type !== 'int' || v.text.startsWith('-')) this.fail('a positive integer after REPEATS');
        this.next();
        const times = Number(v.text);
        if (!(times > 0)) throw new PatternSyntaxError(v.pos, 'a positive integer', describe(v));
        if (!this.isKw('TIMES')) this.fail("'TIMES'");
        this.next();
        q = { kind: 'repeats', times, pos: t.pos };
      } else if (this.isKw('START')) {
        this.next();
        const s = this.peek();
        if (s.type !== 'timestamp') this.fail("a timestamp literal t'…' after START");
        this.next();
        if (!this.isKw('STOP')) this.fail("'STOP'");
        this.next();
        const e = this.peek();
        if (e.type !== 'timestamp') this.fail("a timestamp literal t'…' after STOP");
        this.next();
        q = { kind: 'startstop', start: s.text, stop: e.text, pos: t.pos };
      } else {
        return;
      }
      if (out.some((o) => o.kind === q.kind)) {
        throw new PatternSyntaxError(
          t.pos,
          'at most one qualifier of each kind on an observation expression',
          `a second ${q.kind === 'startstop' ? 'START/STOP' : q.kind.toUpperCase()} qualifier`,
        );
      }
      out.push(q);
    }
  }

  private cmpOr(): ComparisonExpression {
    const first = this.cmpAnd();
    if (!this.isKw('OR')) return first;
    const operands = [first];
    while (this.isKw('OR')) {
      this.next();
      operands.push(this.cmpAnd());
    }
    return { kind: 'or', operands };
  }

  private cmpAnd(): ComparisonExpression {
    const first = this.propTest();
    if (!this.isKw('AND')) return first;
    const operands = [first];
    while (this.isKw('AND')) {
      this.next();
      operands.push(this.propTest());
    }
    return { kind: 'and', operands };
  }

  private propTest(): ComparisonExpression {
    const t = this.peek();
    if (this.isPunct('(')) {
      this.open();
      const inner = this.cmpOr();
      this.close(')', "')', 'AND' or 'OR'");
      return inner;
    }
    if (this.isKw('EXISTS')) {
      this.next();
      return { kind: 'exists', path: this.objectPath(), pos: t.pos };
    }
    const path = this.objectPath();
    let negated = false;
    if (this.isKw('NOT')) {
      this.next();
      negated = true;
    }
    const opTok = this.peek();
    let op: ComparisonOperator;
    if (opTok.type === 'punct' && (opTok.text === '=' || opTok.text === '!=')) {
      op = opTok.text;
      this.next();
      return { kind: 'test', path, op, negated, value: this.primitiveLiteral(false), pos: t.pos };
    }
    if (opTok.type === 'punct' && ORDER_OPS.has(opTok.text)) {
      op = opTok.text as ComparisonOperator;
      this.next();
      return { kind: 'test', path, op, negated, value: this.primitiveLiteral(true), pos: t.pos };
    }
    if (opTok.type === 'kw' && opTok.text === 'IN') {
      this.next();
      return { kind: 'test', path, op: 'IN', negated, value: this.setLiteral(), pos: t.pos };
    }
    if (
      opTok.type === 'kw' &&
      (opTok.text === 'LIKE' ||
        opTok.text === 'MATCHES' ||
        opTok.text === 'ISSUBSET' ||
        opTok.text === 'ISSUPERSET')
    ) {
      op = opTok.text;
      this.next();
      const v = this.peek();
      if (v.type !== 'string') this.fail(`a string literal after ${op}`);
      this.next();
      return { kind: 'test', path, op, negated, value: { kind: 'string', value: v.text }, pos: t.pos };
    }
    return this.fail(
      negated
        ? "a comparison operator ('=', '!=', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')"
        : "'NOT' or a comparison operator ('=', '==', '!=', '<>', '<', '<=', '>', '>=', 'IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET')",
    );
  }

  private objectPath(): ObjectPath {
    const t = this.peek();
    if (t.type !== 'ident' && t.type !== 'identh') this.fail("an object path ('type:property')");
    this.next();
    this.expectPunct(':', "':' after the object type");
    const steps: PathStep[] = [];
    const first = this.peek();
    if (first.type === 'ident' || first.type === 'string') {
      this.next();
      steps.push({ kind: 'prop', name: first.text });
    } else {
      this.fail('a property name (identifier without hyphen or quoted string)');
    }
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const p = this.peek();
        if (p.type !== 'ident' && p.type !== 'string') {
          this.fail("a property name after '.' (identifier without hyphen or quoted string)");
        }
        this.next();
        steps.push({ kind: 'prop', name: p.text });
      } else if (this.isPunct('[')) {
        this.next();
        const p = this.peek();
        if (p.type === 'punct' && p.text === '*') {
          this.next();
          steps.push({ kind: 'index', index: '*' });
        } else if (p.type === 'int') {
          this.next();
          steps.push({ kind: 'index', index: Number(p.text) });
        } else {
          this.fail("a list index (integer or '*')");
        }
        this.expectPunct(']', "']' after the list index");
      } else {
        return { objectType: t.text, steps, pos: t.pos };
      }
    }
  }

  private primitiveLiteral(orderable: boolean): Literal {
    const t = this.peek();
    switch (t.type) {
      case 'string':
        this.next();
        return { kind: 'string', value: t.text };
      case 'int':
        this.next();
        return { kind: 'int', value: Number(t.text) };
      case 'float':
        this.next();
        return { kind: 'float', value: Number(t.text) };
      case 'timestamp':
        this.next();
        return { kind: 'timestamp', value: t.text };
      case 'binary':
        this.next();
        return { kind: 'binary', value: t.text };
      case 'hex':
        this.next();
        return { kind: 'hex', value: t.text };
      case 'bool':
        if (!orderable) {
          this.next();
          return { kind: 'bool', value: t.text === 'true' };
        }
        break;
    }
    return this.fail(
      orderable ? 'an orderable literal (number, string, timestamp, binary, hex)' : 'a literal',
    );
  }

  private setLiteral(): Literal[] {
    this.expectPunct('(', "'(' to start a set literal");
    const out: Literal[] = [];
    if (this.isPunct(')')) {
      this.next();
      return out;
    }
    for (;;) {
      out.push(this.primitiveLiteral(false));
      if (this.isPunct(',')) {
        this.next();
        continue;
      }
      this.expectPunct(')', "',' or ')' in the set literal");
      return out;
    }
  }
}

/**
 * Parses a STIX 2.1 pattern; throws PatternSyntaxError with the position and what was expected
 * (PatternLimitError, a PatternSyntaxError, when the pattern exceeds `limits`).
 */
export function parsePattern(
  src: string,
  limits: PatternLimits = DEFAULT_PATTERN_LIMITS,
): ObservationExpression {
  return new Parser(tokenize(src, limits.maxTokens), limits.maxDepth).parsePattern();
}
