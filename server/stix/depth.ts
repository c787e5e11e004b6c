/**
 * How deeply JSON values nest, measured without recursion. Deep nesting is harmless to V8's
 * JSON.parse but overflows the stack of every recursive walk after it (JSON.stringify, the schema
 * validator), so ingest and the validator refuse an object nested deeper than a limit before
 * walking it (README: "Limits").
 */

import { child } from './issues';

/**
 * Default limit: far above real STIX (the ATT&CK and OASIS examples nest 4 levels deep), equal to
 * MongoDB's own limit on nested documents, far below what any recursive walk of the hub survives.
 */
export const DEFAULT_MAX_DEPTH = 100;

/** The message of the failure an object nested too deeply gets. */
export function nestingMessage(max: number): string {
  return `arrays and objects are nested more than ${max} levels deep (this hub's limit)`;
}

/**
 * Where `root` first nests deeper than `max` levels (the root object or array is level 1), as the
 * JSON path of the root's property (or element) that holds the excess, or null when it does not.
 * Iterative, and stops at the first excess, so it costs at most one visit of each value.
 */
export function excessNesting(root: unknown, max: number): string | null {
  if (root === null || typeof root !== 'object') return null;
  if (max < 1) return '$';
  // Containers still to look into, each with its level and the root's key it lies under.
  // Stryker disable next-line ArrayDeclaration: a stray first element is no container, and walking it finds nothing
  const stack: { value: object; depth: number; under: string | number }[] = [];
  const excess = (value: unknown, depth: number, under: string | number): boolean => {
    if (value === null || typeof value !== 'object') return false;
    if (depth > max) return true;
    stack.push({ value, depth, under });
    return false;
  };
  if (Array.isArray(root)) {
    for (const [i, v] of root.entries()) if (excess(v, 2, i)) return child('$', i);
  } else {
    for (const k of Object.keys(root)) {
      if (excess((root as Record<string, unknown>)[k], 2, k)) return child('$', k);
    }
  }
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value, depth, under } = top;
    if (Array.isArray(value)) {
      for (const v of value) if (excess(v, depth + 1, under)) return child('$', under);
    } else {
      for (const k in value) {
        if (excess((value as Record<string, unknown>)[k], depth + 1, under)) return child('$', under);
      }
    }
  }
  return null;
}
