/**
 * The seam between ingest and the full STIX 2.1 validator (server/stix/validate.ts): every object
 * that enters the hub (TAXII POST, `tessera import`, feeds) passes through the validator returned here.
 */
import type { ObjectValidator } from '../ingest';
import type { PatternLimits } from './pattern';
import { validateStixObject, type ValidateOptions } from './validate';

/** The validator's bounds on hostile content (defaults: see ./depth and ./pattern). */
export interface ValidationLimits {
  /** Deepest nesting of JSON in one object. */
  maxDepth: number;
  pattern: PatternLimits;
}

export function stixValidator(strict: boolean, limits?: ValidationLimits): ObjectValidator {
  const opts: ValidateOptions = limits
    ? { strict, maxDepth: limits.maxDepth, pattern: limits.pattern }
    : { strict };
  return (obj) => validateStixObject(obj, opts);
}
