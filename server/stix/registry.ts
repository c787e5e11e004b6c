/**
 * Compiles every STIX schema once, at module load, and dispatches by type (a Map type → validator).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  CUSTOM_SCO_SCHEMA,
  CUSTOM_SDO_SCHEMA,
  EXTENSION_ENTRY_SCHEMA,
  INCIDENT_CORE_SCHEMA,
  META_SCHEMAS,
  SCO_EXTENSION_SCHEMAS,
  SCO_SCHEMAS,
  SDO_SCHEMAS,
  SRO_SCHEMAS,
} from './schemas/objects';
import { isValidTimestamp } from './timestamp';

/**
 * type--uuid with an RFC 4122 UUID (versions 1–5, variant 10xx), in lower case: the store and
 * `match[id]` compare ids byte for byte, so `A1…` and `a1…` would be two objects.
 */
export const IDENTIFIER_RE =
  /^([a-z0-9][a-z0-9-]{0,248}[a-z0-9])--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MILLIS_RE = /\.[0-9]{3,}Z$/;

function makeAjv(allErrors: boolean): Ajv {
  const a = new Ajv({ allErrors, strict: false, validateFormats: true });
  addFormats(a, ['uri']);
  // (a format applies to strings: ajv's default)
  a.addFormat('stix-timestamp', isValidTimestamp);
  a.addFormat('stix-timestamp-millis', (s: string) => isValidTimestamp(s) && MILLIS_RE.test(s));
  a.addFormat('stix-identifier', IDENTIFIER_RE);
  return a;
}
/** Fast path: stops at the first error. */
// Stryker disable next-line BooleanLiteral: allErrors only changes how many errors the fast pass collects; only its verdict is read
const fastAjv = makeAjv(false);
/** Reporting path, compiled lazily for a schema the first time an object fails it. */
const reportAjv = makeAjv(true);

/**
 * A compiled schema: `validate` is the fast first-error validator; on failure, `errors` re-runs the
 * all-errors validator (compiled once, on first use) to report every problem.
 */
export interface CompiledSchema {
  (data: unknown): boolean;
  errors: () => ErrorObject[];
}

function compile(schema: object): CompiledSchema {
  const fast = fastAjv.compile(schema);
  let full: ValidateFunction | undefined;
  let last: unknown;
  const fn = ((data: unknown) => {
    last = data;
    return fast(data);
  }) as CompiledSchema;
  fn.errors = () => {
    full ??= reportAjv.compile(schema);
    full(last);
    // Stryker disable next-line ArrayDeclaration: the all-errors pass fails whatever the fast pass failed (one schema), so it has errors
    return full.errors ?? [];
  };
  return fn;
}

export type ObjectClass = 'sdo' | 'sro' | 'sco' | 'meta';

export interface TypeEntry {
  cls: ObjectClass;
  validate: CompiledSchema;
}

function compileAll(schemas: Record<string, object>, cls: ObjectClass, into: Map<string, TypeEntry>): void {
  for (const [type, schema] of Object.entries(schemas)) into.set(type, { cls, validate: compile(schema) });
}

export const TYPES = new Map<string, TypeEntry>();
// Stryker disable next-line StringLiteral: the rules tell a class apart only as 'sco' or not
compileAll(SDO_SCHEMAS, 'sdo', TYPES);
// Stryker disable next-line StringLiteral: the rules tell a class apart only as 'sco' or not
compileAll(SRO_SCHEMAS, 'sro', TYPES);
compileAll(SCO_SCHEMAS, 'sco', TYPES);
// Stryker disable next-line StringLiteral: the rules tell a class apart only as 'sco' or not
compileAll(META_SCHEMAS, 'meta', TYPES);

export const SCO_EXTENSIONS = new Map<string, CompiledSchema>();
for (const [key, schema] of Object.entries(SCO_EXTENSION_SCHEMAS)) SCO_EXTENSIONS.set(key, compile(schema));

export const validateCustomSdo = compile(CUSTOM_SDO_SCHEMA);
export const validateCustomSco = compile(CUSTOM_SCO_SCHEMA);
export const validateIncidentCore = compile(INCIDENT_CORE_SCHEMA);
export const validateExtensionEntry = compile(EXTENSION_ENTRY_SCHEMA);

export const SCO_TYPES: ReadonlySet<string> = new Set(Object.keys(SCO_SCHEMAS));
export const SDO_TYPES: ReadonlySet<string> = new Set(Object.keys(SDO_SCHEMAS));
