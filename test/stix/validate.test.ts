/**
 * validateStixObject's own decisions (server/stix/validate.ts): what is no STIX object at all, the
 * class of a custom type (declared by an extension-definition, else SDO when it has created or
 * modified, else SCO) and the schema and rules that class brings, options (strict, depth, pattern
 * limits) and the one-line verdict message. Whole verdicts are compared, so an extra issue fails too.
 */
import assert from 'node:assert/strict';
import { formatVerdictMessage, validateStixObject } from '../../server/stix/validate';
import { indicator, sdo, verdictLines, type Obj } from './helpers';

const U4 = '6b616fc1-1505-48e3-8b2c-0d19337bff38';
const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';
const ED = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e';
const ED2 = 'extension-definition--0d3a7d5e-6a9c-4a4e-9c0d-d1f2e6c1b1a0';

const verdict = verdictLines;

const customPrefix = (type: string) =>
  `W custom-prefix $.type: custom type '${type}' SHOULD start with x- or be defined by an extension-definition`;
const scoUuid = 'W uuid-version $.id: SCO ids SHOULD be deterministic UUIDv5';
const sdoUuid = (type: string) => `W uuid-version $.id: ${type} ids SHOULD use a UUIDv4`;

describe('validateStixObject: what is no STIX object', () => {
  it('refuses non-objects', () => {
    for (const v of [null, undefined, 0, 'indicator', [], [indicator()], true]) {
      assert.deepEqual(verdict(v), ['E object-form $: a STIX object MUST be a JSON object'], String(v));
    }
  });
  it('refuses a type that is missing or no string', () => {
    assert.deepEqual(verdict({}), ['E required-property $.type: type MUST be a string']);
    assert.deepEqual(verdict({ type: undefined, id: 'x' }), [
      'E required-property $.type: type MUST be a string',
    ]);
    for (const t of [5, null, ['indicator'], {}]) {
      assert.deepEqual(verdict({ type: t }), ['E property-type $.type: type MUST be a string'], String(t));
    }
  });
  it('refuses bundles and invalid type names, and nothing else is checked then', () => {
    assert.deepEqual(verdict({ type: 'bundle', id: `bundle--${U4}`, objects: [] }), [
      'E object-type $.type: a bundle is not a STIX object; send its objects',
    ]);
    for (const t of ['A', 'ab', 'Acme-thing', 'acme_thing', '-acme', 'acme-', 'a'.repeat(251)]) {
      assert.deepEqual(
        verdict({ type: t, id: 'junk', xy: 1 }),
        [`E type-name $.type: type '${t}' MUST be 3–250 characters of a–z, 0–9 and hyphen`],
        t,
      );
    }
  });
  it('refuses nesting deeper than the limit (default 100) before looking at anything else', () => {
    const nest = (levels: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    // the object is level 1, x_deep level 2: 99 arrays reach level 100
    assert.deepEqual(verdict(indicator({ x_deep: nest(99) })), []);
    assert.deepEqual(verdict({ type: 5, x_deep: nest(100) }), [
      "E nesting-depth $.x_deep: arrays and objects are nested more than 100 levels deep (this hub's limit)",
    ]);
    assert.deepEqual(verdict(indicator({ x_deep: nest(2) }), { maxDepth: 3 }), []);
    assert.deepEqual(verdict({ type: 'bundle', x_deep: nest(3) }, { maxDepth: 3 }), [
      "E nesting-depth $.x_deep: arrays and objects are nested more than 3 levels deep (this hub's limit)",
    ]);
  });
});

describe('validateStixObject: custom types', () => {
  it('x- types need no extension; others get a warning', () => {
    assert.deepEqual(verdict(sdo('x-acme-thing', { name: 'x' })), []);
    assert.deepEqual(verdict(sdo('acme-thing', { name: 'x' })), [customPrefix('acme-thing')]);
    // a property-extension does not define a type
    assert.deepEqual(
      verdict(
        sdo('acme-thing', { name: 'x', extensions: { [ED]: { extension_type: 'property-extension' } } }),
      ),
      [customPrefix('acme-thing')],
    );
  });
  it('with created or modified a custom type is an SDO: its schema requires both', () => {
    const base = { spec_version: '2.1', id: `x-thing--${U4}` };
    assert.deepEqual(verdict({ type: 'x-thing', ...base, created: '2016-04-06T20:03:48.000Z' }), [
      "E required-property $.modified: required property 'modified' is missing",
    ]);
    assert.deepEqual(verdict({ type: 'x-thing', ...base, modified: '2016-04-06T20:03:48.000Z' }), [
      "E required-property $.created: required property 'created' is missing",
    ]);
    // an SDO id SHOULD be a UUIDv4
    assert.deepEqual(verdict(sdo('x-thing', {}, U5)), [sdoUuid('x-thing')]);
    // the common SDO properties are known: an empty list is reported once, by the schema
    assert.deepEqual(verdict(sdo('x-thing', { labels: [] })), [
      'E empty-value $.labels: must NOT have fewer than 1 items',
    ]);
  });
  it('without created and modified it is an SCO: only type and id required, UUIDv5 ids', () => {
    assert.deepEqual(verdict({ type: 'x-sco', id: `x-sco--${U5}`, value: 'v' }), []);
    assert.deepEqual(verdict({ type: 'x-sco', id: `x-sco--${U4}`, value: 'v' }), [scoUuid]);
    assert.deepEqual(verdict({ type: 'x-sco', value: 'v' }), [
      "E required-property $.id: required property 'id' is missing",
    ]);
    // labels is no common SCO property: the custom-property rule reports the empty list
    assert.deepEqual(verdict({ type: 'x-sco', id: `x-sco--${U5}`, labels: [] }), [
      'E empty-value $.labels: a list property MUST NOT be empty',
    ]);
  });
  it('an extension-definition of type new-sdo, new-sco or new-sro declares the class', () => {
    const declaring = (type: string, extensionType: string, uuid: string, extra: Obj = {}): Obj => ({
      type,
      spec_version: '2.1',
      id: `${type}--${uuid}`,
      ...extra,
      extensions: { [ED]: { extension_type: extensionType } },
    });
    const times = { created: '2016-04-06T20:03:48.000Z', modified: '2016-04-06T20:03:48.000Z' };
    assert.deepEqual(verdict(declaring('acme-widget', 'new-sdo', U4, times)), []);
    assert.deepEqual(verdict(declaring('acme-widget', 'new-sdo', U5, times)), [sdoUuid('acme-widget')]);
    assert.deepEqual(verdict(declaring('acme-link', 'new-sro', U5, times)), [sdoUuid('acme-link')]);
    assert.deepEqual(verdict(declaring('acme-link', 'new-sro', U4, times)), []);
    // declared new-sdo without created/modified: the SDO schema asks for them
    assert.deepEqual(verdict(declaring('acme-widget', 'new-sdo', U4)), [
      "E required-property $.created: required property 'created' is missing",
      "E required-property $.modified: required property 'modified' is missing",
    ]);
    // declared new-sco with created: an SCO all the same (created is then a custom property)
    assert.deepEqual(verdict(declaring('acme-obs', 'new-sco', U5, { value: 'v' })), []);
    assert.deepEqual(verdict(declaring('acme-obs', 'new-sco', U4, { value: 'v' })), [scoUuid]);
    assert.deepEqual(verdict(declaring('acme-obs', 'new-sco', U5, times)), []);
  });
  it('only extension-definition entries that are objects declare a class', () => {
    const obs = (extensions: unknown): Obj => ({
      type: 'acme-obs',
      id: `acme-obs--${U5}`,
      value: 'v',
      extensions,
    });
    // a predefined-style key with new-sdo is no declaration: still an SCO, no created asked
    // (and a custom SCO's own -ext keys pass)
    assert.deepEqual(verdict(obs({ 'acme-ext': { extension_type: 'new-sdo' } })), [customPrefix('acme-obs')]);
    // entries that are no objects are skipped (the schema reports them), a later one still counts
    assert.deepEqual(verdict(obs({ [ED2]: null, [ED]: { extension_type: 'new-sco' } })), [
      `E property-type $.extensions['${ED2}']: must be object`,
    ]);
    assert.deepEqual(verdict(obs({ [ED2]: 'new-sdo', [ED]: { extension_type: 'new-sco' } })), [
      `E property-type $.extensions['${ED2}']: must be object`,
    ]);
    assert.deepEqual(
      verdict(obs({ [ED2]: { extension_type: 'property-extension' }, [ED]: { extension_type: 'new-sco' } })),
      [],
    );
    // extensions that are no dictionary: nothing declared
    assert.deepEqual(verdict(obs(null)), [
      'E property-type $.extensions: must be object',
      customPrefix('acme-obs'),
    ]);
    assert.deepEqual(verdict(obs('new-sco')), [
      'E property-type $.extensions: must be object',
      customPrefix('acme-obs'),
    ]);
  });
});

describe('validateStixObject: options and message', () => {
  it('strict turns warnings into errors after the errors; a clean object stays clean', () => {
    const o = sdo('acme-thing', { name: 'x', modified: '2015-01-01T00:00:00.000Z' });
    assert.deepEqual(verdict(o), [
      'E modified-before-created $.modified: modified (2015-01-01T00:00:00.000Z) MUST be later than or equal to created (2016-04-06T20:03:48.000Z)',
      customPrefix('acme-thing'),
    ]);
    assert.deepEqual(verdict(o, { strict: true }), [
      'E modified-before-created $.modified: modified (2015-01-01T00:00:00.000Z) MUST be later than or equal to created (2016-04-06T20:03:48.000Z)',
      customPrefix('acme-thing').replace(/^W /, 'E '),
    ]);
    const clean = validateStixObject(indicator(), { strict: true });
    assert.deepEqual(clean, { ok: true, errors: [], warnings: [] });
    const warned = validateStixObject(sdo('acme-thing', { name: 'x' }), { strict: false });
    assert.equal(warned.ok, true);
    assert.equal(warned.warnings.length, 1);
  });
  it('passes the pattern limits on', () => {
    const three = indicator({ pattern: "[file:name = 'a'] AND [file:name = 'b'] AND [file:name = 'c']" });
    assert.deepEqual(verdict(three), []);
    assert.deepEqual(verdict(three, { pattern: { maxDepth: 10, maxTokens: 5 } }), [
      'E pattern-limit $.pattern: at position 13: expected a pattern of at most 5 tokens, found more',
    ]);
  });
  it('formats the verdict on one line: errors, then warnings', () => {
    const issue = (rule: string, path: string, message: string) => ({ rule, path, message });
    assert.equal(formatVerdictMessage({ errors: [], warnings: [] }), '');
    assert.equal(formatVerdictMessage({ errors: [issue('a', '$.x', 'm')], warnings: [] }), 'a at $.x: m');
    assert.equal(
      formatVerdictMessage({ errors: [], warnings: [issue('w', '$', 'n')] }),
      'warning: w at $: n',
    );
    assert.equal(
      formatVerdictMessage({
        errors: [issue('a', '$.x', 'm'), issue('b', '$.y', 'o')],
        warnings: [issue('w', '$', 'n'), issue('v', '$.z', 'p')],
      }),
      'a at $.x: m; b at $.y: o; warning: w at $: n; v at $.z: p',
    );
  });
});
