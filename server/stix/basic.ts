/**
 * The structural checks every object must pass before the store sees it, whatever validator is
 * plugged in: object shape, identifier form and type prefix, spec_version, timestamp forms and
 * order. They also derive what the store needs (type, spec version, version and its sort key).
 * Full STIX 2.1 validation (server/stix/validate.ts) runs in addition to these.
 */
import { versionKey } from './time';

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

/** Returns the object's identity, or the list of problems that make it unacceptable. */
export function basicCheck(
  obj: unknown,
): { identity: Identity; issues: [] } | { identity: null; issues: Issue[] } {
  const issues: Issue[] = [];
  const fail = (rule: string, path: string, message: string) => issues.push({ rule, path, message });
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    fail('object-shape', '$', 'each entry of objects must be a JSON object');
    return { identity: null, issues };
  }
  const o = obj as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !TYPE_RE.test(type)) {
    fail('type', '$.type', 'type must be a string of 3-250 lowercase letters, digits and hyphens');
  }
  const id = o.id;
  if (typeof id !== 'string') {
    fail('id', '$.id', 'id is required and must be a string');
  } else {
    const sep = id.indexOf('--');
    const prefix = sep > 0 ? id.slice(0, sep) : '';
    const uuid = sep > 0 ? id.slice(sep + 2) : '';
    if (!UUID_RE.test(uuid)) fail('id-format', '$.id', 'id must be <type>--<lowercase UUID>');
    else if (typeof type === 'string' && prefix !== type) {
      fail('id-type-prefix', '$.id', `the id's prefix "${prefix}" must equal the type "${type}"`);
    }
  }
  const created = o.created;
  const modified = o.modified;
  let createdKey: string | null = null;
  let modifiedKey: string | null = null;
  if (created !== undefined) {
    createdKey = typeof created === 'string' ? versionKey(created) : null;
    if (createdKey === null)
      fail('timestamp', '$.created', 'created must be an RFC 3339 UTC timestamp ending in Z');
  }
  if (modified !== undefined) {
    modifiedKey = typeof modified === 'string' ? versionKey(modified) : null;
    if (modifiedKey === null)
      fail('timestamp', '$.modified', 'modified must be an RFC 3339 UTC timestamp ending in Z');
  }
  if (createdKey !== null && modifiedKey !== null && modifiedKey < createdKey) {
    fail('modified-after-created', '$.modified', 'modified must not be earlier than created');
  }
  const isSco = typeof type === 'string' && SCO_TYPES.has(type);
  const spec = o.spec_version;
  if (spec === undefined) {
    if (!isSco && !(created === undefined && modified === undefined)) {
      fail('spec-version', '$.spec_version', 'spec_version is required (STIX 2.0 objects are not accepted)');
    }
  } else if (spec !== '2.1') {
    fail('spec-version', '$.spec_version', `spec_version must be "2.1", got ${JSON.stringify(spec)}`);
  }
  if (
    !isSco &&
    typeof type === 'string' &&
    created === undefined &&
    (spec !== undefined || modified !== undefined)
  ) {
    fail('required', '$.created', 'created is required');
  }
  if (issues.length > 0) return { identity: null, issues };
  const version = typeof modified === 'string' ? modified : typeof created === 'string' ? created : null;
  return {
    identity: {
      id: id as string,
      type: type as string,
      specVersion: '2.1',
      version,
      versionKey: version === null ? null : (modifiedKey ?? createdKey),
    },
    issues: [],
  };
}
