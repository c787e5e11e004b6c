/**
 * The structural checks every object must pass before the store sees it, whatever validator is
 * plugged in: object shape, identifier form and type prefix, spec_version, timestamp forms and
 * order. They also derive what the store needs (type, spec version, version and its sort key).
 * Full STIX 2.1 validation (server/stix/validate.ts) runs in addition to these; both speak one
 * rule vocabulary (issues.ts), so an object gets the same rule names whichever check caught it.
 */
import { versionKey } from '../time';
import { DEFAULT_MAX_DEPTH, excessNesting, nestingMessage } from './depth';

export interface Issue {
  rule: string;
  path: string;
  message: string;
}

export interface Identity {
  id: string;
  type: string;
  specVersion: string;
  version: string | null;
  versionKey: string | null;
}

export const SCO_TYPES: ReadonlySet<string> = new Set([
  'artifact',
  'autonomous-system',
  'directory',
  'domain-name',
  'email-addr',
  'email-message',
  'file',
  'ipv4-addr',
  'ipv6-addr',
  'mac-addr',
  'mutex',
  'network-traffic',
  'process',
  'software',
  'url',
  'user-account',
  'windows-registry-key',
  'x509-certificate',
]);

const TYPE_RE = /^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$/;
const TIMESTAMP_MESSAGE =
  'must be an RFC 3339 timestamp in UTC with a Z designator (YYYY-MM-DDThh:mm:ss[.s+]Z)';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Best-effort id and version of anything, for status entries of objects that failed. */
export function describe(obj: unknown): { id: string; version: string } {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    return { id: 'unknown', version: 'unknown' };
  const o = obj as Record<string, unknown>;
  const id = typeof o.id === 'string' && o.id !== '' ? o.id : 'unknown';
  const version =
    typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : 'unknown';
  return { id, version };
}

/**
 * Returns the object's identity, or the list of problems that make it unacceptable. An object
 * nested deeper than `maxDepth` is refused first, so that nothing walks it recursively later.
 */
export function basicCheck(
  obj: unknown,
  maxDepth: number = DEFAULT_MAX_DEPTH,
): { identity: Identity; issues: [] } | { identity: null; issues: Issue[] } {
  const issues: Issue[] = [];
  const fail = (rule: string, path: string, message: string) => issues.push({ rule, path, message });
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    fail('object-form', '$', 'a STIX object MUST be a JSON object');
    return { identity: null, issues };
  }
  const deep = excessNesting(obj, maxDepth);
  if (deep !== null) {
    fail('nesting-depth', deep, nestingMessage(maxDepth));
    return { identity: null, issues };
  }
  const o = obj as Record<string, unknown>;
  const type = o.type;
  if (type === undefined) fail('required-property', '$.type', "required property 'type' is missing");
  else if (typeof type !== 'string') fail('property-type', '$.type', 'type MUST be a string');
  else if (!TYPE_RE.test(type)) {
    fail('type-name', '$.type', `type '${type}' MUST be 3–250 characters of a–z, 0–9 and hyphen`);
  }
  const id = o.id;
  if (id === undefined) fail('required-property', '$.id', "required property 'id' is missing");
  else if (typeof id !== 'string') fail('property-type', '$.id', 'id MUST be a string');
  else {
    const sep = id.indexOf('--');
    // Stryker disable next-line StringLiteral: any text that is no UUID serves (no '--' after a prefix: refused)
    const uuid = sep > 0 ? id.slice(sep + 2) : '';
    if (!UUID_RE.test(uuid)) {
      fail('identifier-format', '$.id', 'must be an identifier <type>--<RFC 4122 UUID> in lower case');
    } else if (typeof type === 'string' && id.slice(0, sep) !== type) {
      fail('id-type', '$.id', `the id prefix '${id.slice(0, sep)}' MUST equal the type '${type}'`);
    }
  }
  const created = o.created;
  const modified = o.modified;
  let createdKey: string | null = null;
  let modifiedKey: string | null = null;
  if (created !== undefined) {
    createdKey = typeof created === 'string' ? versionKey(created) : null;
    if (createdKey === null) fail('timestamp-format', '$.created', TIMESTAMP_MESSAGE);
  }
  if (modified !== undefined) {
    modifiedKey = typeof modified === 'string' ? versionKey(modified) : null;
    if (modifiedKey === null) fail('timestamp-format', '$.modified', TIMESTAMP_MESSAGE);
  }
  if (createdKey !== null && modifiedKey !== null && modifiedKey < createdKey) {
    fail(
      'modified-before-created',
      '$.modified',
      `modified (${String(modified)}) MUST be later than or equal to created (${String(created)})`,
    );
  }
  const isSco = SCO_TYPES.has(type as string);
  const spec = o.spec_version;
  if (spec === undefined) {
    if (!isSco && !(created === undefined && modified === undefined)) {
      fail(
        'required-property',
        '$.spec_version',
        "required property 'spec_version' is missing (STIX 2.0 objects are not accepted)",
      );
    }
  } else if (spec !== '2.1') {
    fail('enum-value', '$.spec_version', `must be '2.1', got ${JSON.stringify(spec)}`);
  }
  if (
    !isSco &&
    typeof type === 'string' &&
    created === undefined &&
    (spec !== undefined || modified !== undefined)
  ) {
    fail('required-property', '$.created', "required property 'created' is missing");
  }
  if (issues.length > 0) return { identity: null, issues };
  const version = typeof modified === 'string' ? modified : typeof created === 'string' ? created : null;
  return {
    identity: {
      id: id as string,
      type: type as string,
      specVersion: '2.1',
      version,
      versionKey: modifiedKey ?? createdKey,
    },
    issues: [],
  };
}
