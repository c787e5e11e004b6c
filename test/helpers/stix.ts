/**
 * STIX object factories for tests, and the conversion to the store's NewObjectVersion.
 */
import { randomUUID } from 'node:crypto';
import type { NewObjectVersion } from '../../server/store/contract';
import { classify } from '../../server/access/tlp';
import { versionKey } from '../../server/time';

/** A STIX object as parsed JSON: the few common properties typed, the rest open. */
export interface StixObject {
  type: string;
  id: string;
  spec_version?: string;
  created?: string;
  modified?: string;
  [property: string]: unknown;
}

/** Default created/modified/valid_from of factory objects (fixed, so tests are deterministic). */
export const DEFAULT_TIMESTAMP = '2025-01-01T00:00:00.000Z';

/** A valid STIX 2.1 indicator with a random UUIDv4 id; `overrides` replace any property. */
export function makeIndicator(overrides: Partial<StixObject> = {}): StixObject {
  const created = overrides.created ?? DEFAULT_TIMESTAMP;
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${randomUUID()}`,
    created,
    modified: created,
    name: 'Test indicator',
    pattern: "[ipv4-addr:value = '198.51.100.1']",
    pattern_type: 'stix',
    valid_from: created,
    ...overrides,
  };
}

/** A valid STIX 2.1 malware object with a random UUIDv4 id. */
export function makeMalware(overrides: Partial<StixObject> = {}): StixObject {
  const created = overrides.created ?? DEFAULT_TIMESTAMP;
  return {
    type: 'malware',
    spec_version: '2.1',
    id: `malware--${randomUUID()}`,
    created,
    modified: created,
    name: 'Test malware',
    is_family: false,
    ...overrides,
  };
}

/** A valid STIX 2.1 ipv4-addr SCO (no created/modified, so the store picks its version). */
export function makeIpv4Addr(overrides: Partial<StixObject> = {}): StixObject {
  return {
    type: 'ipv4-addr',
    spec_version: '2.1',
    id: `ipv4-addr--${randomUUID()}`,
    value: '198.51.100.1',
    ...overrides,
  };
}

/** A copy of `obj` with another `modified`, i.e. another version of the same object. */
export function withModified(obj: StixObject, modified: string): StixObject {
  return { ...obj, modified };
}

/**
 * The store's view of one object version: version = modified ?? created ?? null, its versionKey,
 * and body = JSON.stringify(obj). An object without spec_version is STIX 2.0.
 */
export function toNewVersion(obj: StixObject): NewObjectVersion {
  const version = obj.modified ?? obj.created ?? null;
  let key: string | null = null;
  if (version !== null) {
    key = versionKey(version);
    if (key === null) throw new Error(`toNewVersion: not a STIX timestamp: ${version}`);
  }
  return {
    tlp: classify(obj),
    id: obj.id,
    type: obj.type,
    specVersion: obj.spec_version ?? '2.0',
    version,
    versionKey: key,
    body: JSON.stringify(obj),
  };
}
