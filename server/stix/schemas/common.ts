/**
 * JSON Schema fragments for the STIX 2.1 common data types (specification sections 2 and 3).
 * Written for Tessera from the specification text; formats named "stix-*" are registered in ../registry.ts.
 */
import type { SchemaObject } from 'ajv';

export type Props = Record<string, SchemaObject>;

export const str: SchemaObject = { type: 'string' };
export const bool: SchemaObject = { type: 'boolean' };
export const int: SchemaObject = { type: 'integer' };
export const nonNegInt: SchemaObject = { type: 'integer', minimum: 0 };
export const num: SchemaObject = { type: 'number' };
export const timestamp: SchemaObject = { type: 'string', format: 'stix-timestamp' };
/** created / modified: millisecond precision (STIX 2.1 §3.2, §5.1). */
export const timestampMillis: SchemaObject = { type: 'string', format: 'stix-timestamp-millis' };
export const identifier: SchemaObject = { type: 'string', format: 'stix-identifier' };
export const hex: SchemaObject = { type: 'string', pattern: '^([a-fA-F0-9]{2})*$' };
export const binary: SchemaObject = {
  type: 'string',
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
};
export const url: SchemaObject = { type: 'string', format: 'uri' };
export const listOf = (items: SchemaObject): SchemaObject => ({ type: 'array', items, minItems: 1 });
export const strList = listOf(str);
export const idList = listOf(identifier);
export const enumOf = (...values: string[]): SchemaObject => ({ type: 'string', enum: values });
export const range = (minimum: number, maximum: number): SchemaObject => ({
  type: 'integer',
  minimum,
  maximum,
});

/** STIX dictionary: keys ASCII, ≤ 250 characters, [a-zA-Z0-9_-] (STIX 2.1 §2.8). */
export const dictionary: SchemaObject = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[a-zA-Z0-9_-]{1,250}$' },
};

/** Hashes: dictionary of algorithm → string value; value forms are checked in rules.ts. */
export const hashes: SchemaObject = {
  type: 'object',
  minProperties: 1,
  propertyNames: { maxLength: 250 },
  additionalProperties: { type: 'string' },
};

export const externalReference: SchemaObject = {
  type: 'object',
  properties: { source_name: str, description: str, url, hashes, external_id: str },
  required: ['source_name'],
};

export const killChainPhase: SchemaObject = {
  type: 'object',
  properties: { kill_chain_name: str, phase_name: str },
  required: ['kill_chain_name', 'phase_name'],
};

export const granularMarking: SchemaObject = {
  type: 'object',
  properties: { lang: str, marking_ref: identifier, selectors: strList },
  required: ['selectors'],
};

/** An entry of the `extensions` dictionary (STIX 2.1 §7.3 and §3.3). */
export const extensionsProp: SchemaObject = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { type: 'object' },
};

export const commonSdoProps: Props = {
  type: str,
  spec_version: { type: 'string', enum: ['2.1'] },
  id: identifier,
  created_by_ref: identifier,
  created: timestampMillis,
  modified: timestampMillis,
  revoked: bool,
  labels: strList,
  confidence: range(0, 100),
  lang: str,
  external_references: listOf(externalReference),
  object_marking_refs: idList,
  granular_markings: listOf(granularMarking),
  extensions: extensionsProp,
};
export const commonSdoRequired = ['type', 'spec_version', 'id', 'created', 'modified'];

export const commonScoProps: Props = {
  type: str,
  spec_version: { type: 'string', enum: ['2.1'] },
  id: identifier,
  object_marking_refs: idList,
  granular_markings: listOf(granularMarking),
  defanged: bool,
  extensions: extensionsProp,
};
export const commonScoRequired = ['type', 'id'];

export function obj(properties: Props, required: string[] = [], extra: SchemaObject = {}): SchemaObject {
  return { type: 'object', properties, required, ...extra };
}
