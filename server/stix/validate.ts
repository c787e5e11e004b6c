/**
 * STIX 2.1 validation of one object: the per-type ajv schema (compiled once, see registry.ts), then the
 * MUST rules schemas cannot express and the SHOULD rules (warnings; errors under `strict`), see rules.ts.
 */
import { DEFAULT_MAX_DEPTH, excessNesting, nestingMessage } from './depth';
import { addAjvErrors, formatIssues, IssueSink, type ValidationIssue } from './issues';
import { DEFAULT_PATTERN_LIMITS, type PatternLimits } from './pattern';
import { TYPES, validateCustomSco, validateCustomSdo, type ObjectClass } from './registry';
import { runRules, TYPE_NAME_RE } from './rules';
import {
  META_SCHEMAS,
  SCO_SCHEMAS,
  SDO_SCHEMAS,
  SRO_SCHEMAS,
  CUSTOM_SCO_SCHEMA,
  CUSTOM_SDO_SCHEMA,
} from './schemas/objects';

export type { ValidationIssue } from './issues';

export interface ObjectVerdict {
  ok: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export interface ValidateOptions {
  /** Turn SHOULD-rule warnings into errors. */
  strict?: boolean;
  /** Deepest nesting of JSON in the object (default DEFAULT_MAX_DEPTH); deeper is an error. */
  maxDepth?: number;
  /** Bounds on an indicator's STIX pattern (default DEFAULT_PATTERN_LIMITS). */
  pattern?: PatternLimits;
}

type Obj = Record<string, unknown>;

function propertySet(schema: object): ReadonlySet<string> {
  const props = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  return new Set(Object.keys(props));
}

const KNOWN_PROPERTIES = new Map<string, ReadonlySet<string>>();
for (const group of [SDO_SCHEMAS, SRO_SCHEMAS, SCO_SCHEMAS, META_SCHEMAS]) {
  for (const [type, schema] of Object.entries(group)) KNOWN_PROPERTIES.set(type, propertySet(schema));
}
const CUSTOM_SDO_PROPS = propertySet(CUSTOM_SDO_SCHEMA);
const CUSTOM_SCO_PROPS = propertySet(CUSTOM_SCO_SCHEMA);
const EXT_DEF_PREFIX = 'extension-definition--';
// Stryker disable next-line StringLiteral: the rules test a custom object's class only for 'sco'
const CUSTOM_NOT_SCO: ObjectClass = 'sdo';

/** For a custom type: the class declared by a new-sdo / new-sco / new-sro extension, if any. */
function declaredClass(o: Obj): ObjectClass | undefined {
  const exts = o.extensions;
  // (not walked when it is no object: a long string would be walked character by character)
  if (typeof exts !== 'object' || exts === null) return undefined;
  // (an entry that is no object declares nothing; the schema reports it)
  for (const [k, e] of Object.entries(exts)) {
    const t = k.startsWith(EXT_DEF_PREFIX)
      ? (e as { extension_type?: unknown } | null)?.extension_type
      : undefined;
    if (t === 'new-sdo') return 'sdo';
    if (t === 'new-sco') return 'sco';
    if (t === 'new-sro') return 'sro';
  }
  return undefined;
}

/** Validates one STIX 2.1 object. Never throws. */
export function validateStixObject(obj: unknown, opts?: ValidateOptions): ObjectVerdict {
  const sink = new IssueSink();
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    sink.error('object-form', '$', 'a STIX object MUST be a JSON object');
    return finish(sink, opts);
  }
  // Before anything walks the object recursively (the schema validator does).
  const deep = excessNesting(obj, opts?.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (deep !== null) {
    sink.error('nesting-depth', deep, nestingMessage(opts?.maxDepth ?? DEFAULT_MAX_DEPTH));
    return finish(sink, opts);
  }
  const o = obj as Obj;
  const type = o.type;
  if (typeof type !== 'string') {
    sink.error(type === undefined ? 'required-property' : 'property-type', '$.type', 'type MUST be a string');
    return finish(sink, opts);
  }
  const entry = TYPES.get(type);
  let cls: ObjectClass;
  let known: ReadonlySet<string>;
  let custom = false;
  if (entry) {
    cls = entry.cls;
    known = KNOWN_PROPERTIES.get(type) as ReadonlySet<string>;
    if (!entry.validate(o)) addAjvErrors(sink, entry.validate.errors(), o, '$', type);
  } else {
    custom = true;
    if (type === 'bundle') {
      sink.error('object-type', '$.type', 'a bundle is not a STIX object; send its objects');
      return finish(sink, opts);
    }
    if (!TYPE_NAME_RE.test(type)) {
      sink.error('type-name', '$.type', `type '${type}' MUST be 3–250 characters of a–z, 0–9 and hyphen`);
      return finish(sink, opts);
    }
    const declared = declaredClass(o);
    // rules tell a custom object's class apart only as SCO or not (SDO, SRO: one behaviour)
    cls = declared ?? (o.created === undefined && o.modified === undefined ? 'sco' : CUSTOM_NOT_SCO);
    if (!declared && !type.startsWith('x-')) {
      sink.warn(
        'custom-prefix',
        '$.type',
        `custom type '${type}' SHOULD start with x- or be defined by an extension-definition`,
      );
    }
    const v = cls === 'sco' ? validateCustomSco : validateCustomSdo;
    known = cls === 'sco' ? CUSTOM_SCO_PROPS : CUSTOM_SDO_PROPS;
    if (!v(o)) addAjvErrors(sink, v.errors(), o, '$', type);
  }
  runRules({ o, type, cls, known, custom, patternLimits: opts?.pattern ?? DEFAULT_PATTERN_LIMITS }, sink);
  return finish(sink, opts);
}

function finish(sink: IssueSink, opts: ValidateOptions | undefined): ObjectVerdict {
  if (opts?.strict && sink.warnings.length > 0) {
    const errors = sink.errors.concat(sink.warnings);
    return { ok: false, errors, warnings: [] };
  }
  return { ok: sink.errors.length === 0, errors: sink.errors, warnings: sink.warnings };
}

/** One line: errors "rule at path: message; …", then warnings prefixed "warning: ". */
export function formatVerdictMessage(v: { errors: ValidationIssue[]; warnings: ValidationIssue[] }): string {
  const parts: string[] = [];
  if (v.errors.length > 0) parts.push(formatIssues(v.errors));
  if (v.warnings.length > 0) parts.push(`warning: ${formatIssues(v.warnings)}`);
  return parts.join('; ');
}
