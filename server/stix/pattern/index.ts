export {
  DEFAULT_PATTERN_LIMITS,
  parsePattern,
  PatternLimitError,
  PatternSyntaxError,
  tokenize,
  type PatternLimits,
} from './parser';
export type * from './ast';
import type {
  ComparisonExpression,
  ObservationExpression,
  ObjectPath,
  ComparisonOperator,
  Literal,
} from './ast';

export interface ComparisonVisit {
  path: ObjectPath;
  op: ComparisonOperator | 'EXISTS';
  value: Literal | Literal[] | undefined;
}

function visitComparison(c: ComparisonExpression, out: ComparisonVisit[]): void {
  if (c.kind === 'test') out.push({ path: c.path, op: c.op, value: c.value });
  else if (c.kind === 'exists') out.push({ path: c.path, op: 'EXISTS', value: undefined });
  else for (const o of c.operands) visitComparison(o, out);
}

/** Every comparison of a parsed pattern, in source order. */
export function collectComparisons(e: ObservationExpression, out: ComparisonVisit[] = []): ComparisonVisit[] {
  if (e.kind === 'observation') visitComparison(e.comparison, out);
  else if (e.kind === 'group') collectComparisons(e.inner, out);
  else for (const o of e.operands) collectComparisons(o, out);
  return out;
}
