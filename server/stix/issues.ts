import type { ErrorObject } from 'ajv';

export interface ValidationIssue {
  rule: string;
  path: string;
  message: string;
}

/**
 * Issues on one line: "rule at path: message; …" (what status messages and `tessera validate`
 * print). With `maxChars`, the line is cut to about that length, ending "… (N more)" when whole
 * issues were left out: a status message never grows with what a hostile object makes of it.
 */
export function formatIssues(issues: ValidationIssue[], maxChars = Infinity): string {
  let out = '';
  for (let k = 0; k < issues.length; k++) {
    const i = issues[k] as ValidationIssue;
    const part = `${k > 0 ? '; ' : ''}${i.rule} at ${i.path}: ${i.message}`.replace(/[\r\n]+/g, ' ');
    if (out.length + part.length > maxChars) {
      const left = issues.length - k - 1;
      const tail = `…${left > 0 ? ` (${left} more)` : ''}`;
      return `${out}${part.slice(0, Math.max(0, maxChars - out.length - tail.length))}${tail}`;
    }
    out += part;
  }
  return out;
}

export class IssueSink {
  readonly errors: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];
  error(rule: string, path: string, message: string): void {
    this.errors.push({ rule, path, message });
  }
  warn(rule: string, path: string, message: string): void {
    this.warnings.push({ rule, path, message });
  }
}

/**
 * "/a/0/b" → "$.a[0].b", relative to `base` ("$" or "$.extensions['x']"). `data` is the instance the
 * pointer points into: a segment of digits is an array index only where the instance has an array
 * ("/hashes/0" under an object is the key "0": "$.hashes['0']").
 */
export function jsonPath(pointer: string, data: unknown, base = '$'): string {
  if (pointer === '') return base;
  let out = base;
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = Array.isArray(node) ? `${out}[${seg}]` : child(out, seg);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}['${key}']`;
}

const COMBINATOR_MESSAGES: Record<string, string> = {
  'location/anyOf': 'a location MUST have region, country, or latitude and longitude',
  'malware-analysis/anyOf': 'malware-analysis MUST have result or analysis_sco_refs',
  'observed-data/oneOf': 'observed-data MUST have exactly one of objects and object_refs',
  'file/anyOf': 'a file MUST have hashes or name',
  'network-traffic/anyOf': 'network-traffic MUST have src_ref or dst_ref',
  'network-traffic/not': 'end MUST NOT be present when is_active is true',
  'artifact/not': 'an artifact MUST NOT have both payload_bin and url',
  'email-message/not': 'body_multipart only with is_multipart true, body only with is_multipart false',
  'email-message/anyOf': 'a MIME part MUST have body or body_raw_ref',
  'marking-definition/anyOf': 'a marking-definition MUST have definition_type and definition, or extensions',
};

function ruleFor(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'required-property';
    case 'format': {
      const f = String(e.params.format);
      if (f.startsWith('stix-timestamp')) return 'timestamp-format';
      if (f === 'stix-identifier') return 'identifier-format';
      return 'url-format';
    }
    case 'enum':
    case 'const':
      return 'enum-value';
    case 'type':
      return 'property-type';
    case 'minimum':
    case 'maximum':
      return 'value-range';
    case 'minItems':
    case 'minProperties':
      return 'empty-value';
    case 'pattern':
      return 'value-format';
    case 'propertyNames':
      return 'dictionary-key';
    case 'dependencies':
      return 'property-dependency';
    default:
      return 'property-combination';
  }
}

/** Converts ajv errors, keeping the combinator errors and dropping their branch noise. */
export function addAjvErrors(
  sink: IssueSink,
  errors: ErrorObject[],
  data: unknown,
  base: string,
  type: string,
): void {
  // one failure reached by two schema paths (a property checked under `properties` and again
  // under an if/then branch) is one issue
  const seen = new Set<string>();
  for (const e of errors) {
    // a branch of anyOf / oneOf ('#/anyOf/1/required'): the combinator's own error reports it once
    if (e.schemaPath.includes('/anyOf/') || e.schemaPath.includes('/oneOf/')) continue;
    // the failed `if` of if/then/else: the then or else branch's own error says what is wrong
    if (e.keyword === 'if') continue;
    // an error about one key (pattern, maxLength, … under propertyNames): the propertyNames error names it
    if (e.propertyName !== undefined) continue;
    const rule = ruleFor(e);
    let path = jsonPath(e.instancePath, data, base);
    let message: string;
    if (e.keyword === 'required') {
      path = child(path, String(e.params.missingProperty));
      message = `required property '${String(e.params.missingProperty)}' is missing`;
    } else if (e.keyword === 'propertyNames') {
      message = `invalid key '${String(e.params.propertyName)}' (keys: ASCII [a-zA-Z0-9_-], at most 250 characters)`;
    } else if (e.keyword === 'format') {
      const f = String(e.params.format);
      message =
        f === 'stix-timestamp'
          ? 'must be an RFC 3339 timestamp in UTC with a Z designator (YYYY-MM-DDThh:mm:ss[.s+]Z)'
          : f === 'stix-timestamp-millis'
            ? 'must be an RFC 3339 UTC timestamp with millisecond precision (YYYY-MM-DDThh:mm:ss.sssZ)'
            : f === 'stix-identifier'
              ? 'must be an identifier <type>--<RFC 4122 UUID>'
              : `must be a valid ${f}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    } else if (e.keyword === 'const') {
      message = `must be '${String(e.params.allowedValue)}'`;
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'not') {
      message = COMBINATOR_MESSAGES[`${type}/${e.keyword}`] ?? `properties do not satisfy ${e.keyword}`;
    } else {
      message = e.message ?? e.keyword;
    }
    const key = `${rule} ${path} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sink.error(rule, path, message);
  }
}
