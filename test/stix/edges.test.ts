/**
 * Edges of the MUST and SHOULD rules (server/stix/rules.ts): values of the wrong JSON type get the
 * schema's one issue — never a second from a rule that read them as if they were well formed, never
 * a throw — and the branches of the marking, extension, pattern and language rules not reached by
 * well-formed objects. Whole verdicts are compared (rule, path, message of every issue).
 */
import assert from 'node:assert/strict';
import { TLP2_EXTENSION_ID, tlp2Marking } from '../../server/stix/markings';
import { indicator, sdo, TLP_GREEN_1, verdictLines, type Obj } from './helpers';

const verdict = verdictLines;

const U = '31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';
const ED = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e';
const INCIDENT_CORE = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
const IND = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const HOME_MD = 'marking-definition--0d3a7d5e-6a9c-4a4e-9c0d-d1f2e6c1b1a0';
const TLP2_AMBER = 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421';
const TLP2_EXT = `$.extensions['${TLP2_EXTENSION_ID}']`;

const incident = (core: Obj): Obj =>
  sdo('incident', {
    name: 'i',
    extensions: {
      [INCIDENT_CORE]: { extension_type: 'property-extension', determination: 'successful-attempt', ...core },
    },
  });
const file = (extra: Obj): Obj => ({
  type: 'file',
  spec_version: '2.1',
  id: `file--${U5}`,
  name: 'a',
  ...extra,
});
const md = (extra: Obj): Obj => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id: HOME_MD,
  created: '2017-01-20T00:00:00.000Z',
  ...extra,
});

describe('STIX rules: values of the wrong type get the schema issue only', () => {
  it('timestamps given as lists are not compared', () => {
    assert.deepEqual(verdict(indicator({ created: ['2016-04-06T20:03:49.000Z'] })), [
      'E property-type $.created: must be string',
    ]);
    assert.deepEqual(verdict(indicator({ modified: ['2016-04-06T20:03:47.000Z'] })), [
      'E property-type $.modified: must be string',
    ]);
    assert.deepEqual(verdict(indicator({ valid_until: ['2015-01-01T00:00:00Z'] })), [
      'E property-type $.valid_until: must be string',
    ]);
    assert.deepEqual(
      verdict(indicator({ valid_from: ['2017-01-01T00:00:00Z'], valid_until: '2016-06-01T00:00:00Z' })),
      ['E property-type $.valid_from: must be string'],
    );
    // a string that is no timestamp is not compared either
    assert.deepEqual(verdict(indicator({ created: 'yesterday' })), [
      'E timestamp-format $.created: must be an RFC 3339 UTC timestamp with millisecond precision (YYYY-MM-DDThh:mm:ss.sssZ)',
    ]);
    assert.deepEqual(verdict(indicator({ valid_until: 'soon' })), [
      'E timestamp-format $.valid_until: must be an RFC 3339 timestamp in UTC with a Z designator (YYYY-MM-DDThh:mm:ss[.s+]Z)',
    ]);
  });
  it('identifiers: <type>--<UUID> exactly, nothing before or after', () => {
    const form = 'E identifier-format $.created_by_ref: must be an identifier <type>--<RFC 4122 UUID>';
    for (const bad of [`Identity--${U}`, `identity--${U}x`, `identity--${U.toUpperCase()}`]) {
      assert.deepEqual(verdict(indicator({ created_by_ref: bad })), [form], bad);
    }
  });
  it('references nested in lists are not read as identifiers', () => {
    assert.deepEqual(verdict(indicator({ object_marking_refs: [[TLP_GREEN_1]] })), [
      'E property-type $.object_marking_refs[0]: must be string',
    ]);
  });
  it('hashes that are no dictionary, hash values that are no string', () => {
    assert.deepEqual(verdict(file({ hashes: ['x'] })), ['E property-type $.hashes: must be object']);
    assert.deepEqual(verdict(file({ hashes: 'abc' })), ['E property-type $.hashes: must be object']);
    assert.deepEqual(verdict(file({ hashes: { MD5: 5 } })), ['E property-type $.hashes.MD5: must be string']);
    assert.deepEqual(verdict(indicator({ external_references: [null] })), [
      'E property-type $.external_references[0]: must be object',
    ]);
    assert.deepEqual(
      verdict(
        file({
          extensions: {
            'windows-pebinary-ext': { pe_type: 'exe', sections: [null, { name: 's', hashes: { MD5: 'x' } }] },
          },
        }),
      ),
      [
        "E property-type $.extensions['windows-pebinary-ext'].sections[0]: must be object",
        "E hash-value $.extensions['windows-pebinary-ext'].sections[1].hashes.MD5: 'x' is not a valid MD5 hash",
      ],
    );
  });
  it('_bin and _hex custom properties must be strings of their form, not lists of them', () => {
    assert.deepEqual(verdict(indicator({ x_data_bin: ['YWJj'], x_data_hex: ['ab'] })), [
      'E binary-value $.x_data_bin: a property ending in _bin MUST hold base64 (binary type)',
      'E hex-value $.x_data_hex: a property ending in _hex MUST hold an even number of hex digits (hex type)',
    ]);
    assert.deepEqual(verdict(indicator({ x_data_bin: 'YWJj', x_data_hex: 'ab01' })), []);
  });
  it('extensions that are no dictionary, entries that are no object', () => {
    assert.deepEqual(verdict(indicator({ extensions: [{ a: 1 }] })), [
      'E property-type $.extensions: must be object',
    ]);
    assert.deepEqual(verdict(indicator({ extensions: { 'x-acme': 'x' } })), [
      "E property-type $.extensions['x-acme']: must be object",
    ]);
    assert.deepEqual(verdict(incident({ investigation_status: 5 })), [
      `E property-type $.extensions['${INCIDENT_CORE}'].investigation_status: must be string`,
    ]);
  });
  it('granular markings without selectors, or with selectors that are no strings', () => {
    assert.deepEqual(verdict(indicator({ granular_markings: [{ marking_ref: TLP_GREEN_1 }] })), [
      "E required-property $.granular_markings[0].selectors: required property 'selectors' is missing",
    ]);
    assert.deepEqual(
      verdict(indicator({ granular_markings: [{ marking_ref: TLP_GREEN_1, selectors: [5] }] })),
      ['E property-type $.granular_markings[0].selectors[0]: must be string'],
    );
  });
  it('one failure reached by two schema paths is one issue', () => {
    // definition is checked as an object under properties and under the tlp then branch
    assert.deepEqual(verdict(md({ definition_type: 'tlp', definition: null })), [
      'E property-type $.definition: must be object',
      `E tlp1-marking $.id: TLP markings MUST use the published TLP 1.0 marking definitions; ${HOME_MD} is not one of them`,
    ]);
  });
});

describe('STIX rules: markings', () => {
  it('a selector steps into objects and lists only, never into a string or list property', () => {
    assert.deepEqual(
      verdict(
        indicator({
          granular_markings: [
            {
              marking_ref: TLP_GREEN_1,
              selectors: ['name.length', 'indicator_types.length', 'name', 'indicator_types'],
            },
          ],
        }),
      ),
      [
        "E marking-selector $.granular_markings[0].selectors[0]: selector 'name.length' MUST refer to a property of this object",
        "E marking-selector $.granular_markings[0].selectors[1]: selector 'indicator_types.length' MUST refer to a property of this object",
      ],
    );
  });
  it('only a marking definition can mark itself; other objects get the reference rule', () => {
    assert.deepEqual(verdict(indicator({ object_marking_refs: [IND] })), [
      'E reference-type $.object_marking_refs[0]: object_marking_refs MUST reference marking-definition, not a indicator',
    ]);
    assert.deepEqual(verdict(indicator({ granular_markings: [{ marking_ref: IND, selectors: ['name'] }] })), [
      'E reference-type $.granular_markings[0].marking_ref: marking_ref MUST reference marking-definition, not a indicator',
    ]);
    const statement = { definition_type: 'statement', definition: { statement: 's' } };
    assert.deepEqual(
      verdict(
        md({ ...statement, granular_markings: [{ marking_ref: TLP_GREEN_1, selectors: ['definition'] }] }),
      ),
      [],
    );
    assert.deepEqual(
      verdict(
        md({
          ...statement,
          object_marking_refs: [HOME_MD],
          granular_markings: [{ marking_ref: HOME_MD, selectors: ['definition'] }],
        }),
      ),
      [
        'E marking-circular-ref $.object_marking_refs: a marking definition MUST NOT mark itself',
        'E marking-circular-ref $.granular_markings[0].marking_ref: a marking definition MUST NOT mark itself',
      ],
    );
  });
  it('home-made TLP 1.0 markings: the level is named when the definition gives one as a string', () => {
    const refused = `E tlp1-marking $.id: TLP markings MUST use the published TLP 1.0 marking definitions; ${HOME_MD} is not one of them`;
    assert.deepEqual(verdict(md({ definition_type: 'tlp', definition: { tlp: 'green' } })), [
      `${refused} (TLP:GREEN)`,
    ]);
    assert.deepEqual(verdict(md({ definition_type: 'tlp', definition: { tlp: 5 } })), [
      'E property-type $.definition.tlp: must be string',
      'E enum-value $.definition.tlp: must be one of: white, green, amber, red',
      refused,
    ]);
    // an id that is no string is named as nothing
    assert.deepEqual(verdict(md({ id: 5, definition_type: 'tlp', definition: { tlp: 'green' } })), [
      'E property-type $.id: must be string',
      'E tlp1-marking $.id: TLP markings MUST use the published TLP 1.0 marking definitions;  is not one of them (TLP:GREEN)',
    ]);
  });
  it('TLP 2.0: the published ids need the extension; the name is optional', () => {
    assert.deepEqual(verdict({ ...tlp2Marking('amber'), extensions: undefined }), [
      'E property-combination $: a marking-definition MUST have definition_type and definition, or extensions',
      `E tlp2-marking $.extensions: TLP 2.0 marking ${TLP2_AMBER} MUST carry the TLP 2.0 extension (${TLP2_EXTENSION_ID})`,
    ]);
    assert.deepEqual(verdict({ ...tlp2Marking('amber'), name: undefined }), []);
  });
  it('TLP 2.0 extension on another id: a known level is a warning, anything else an error', () => {
    const ext = (tlp_2_0: unknown): Obj =>
      md({ extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0 } } });
    assert.deepEqual(verdict(ext('green')), [
      'W tlp2-marking $.id: TLP:GREEN SHOULD use the published TLP 2.0 marking-definition id',
    ]);
    assert.deepEqual(verdict(ext('amber+strict')), [
      'W tlp2-marking $.id: TLP:AMBER+STRICT SHOULD use the published TLP 2.0 marking-definition id',
    ]);
    const bad = `E tlp2-marking ${TLP2_EXT}.tlp_2_0: tlp_2_0 MUST be one of clear, green, amber, amber+strict, red`;
    assert.deepEqual(verdict(ext('pink')), [bad]);
    assert.deepEqual(verdict(ext('GREEN')), [bad]);
    assert.deepEqual(verdict(ext(5)), [bad]);
  });
});

describe('STIX rules: extensions', () => {
  it('only a toplevel-property-extension spares custom properties the x_ prefix', () => {
    const prefix = "W custom-prefix $.acme_score: custom property 'acme_score' SHOULD start with x_";
    assert.deepEqual(
      verdict(indicator({ acme_score: 1, extensions: { [ED]: { extension_type: 'property-extension' } } })),
      [prefix],
    );
    assert.deepEqual(verdict(indicator({ acme_score: 1, extensions: { 'x-acme-ext': { a: 1 } } })), [
      "W custom-extension $.extensions['x-acme-ext']: 'x-acme-ext' is not a predefined extension of indicator",
      prefix,
    ]);
    assert.deepEqual(
      verdict(
        indicator({ acme_score: 1, extensions: { [ED]: { extension_type: 'toplevel-property-extension' } } }),
      ),
      [],
    );
  });
  it('Incident Core vocabulary warnings name the extension property', () => {
    const p = `$.extensions['${INCIDENT_CORE}']`;
    assert.deepEqual(
      verdict(
        incident({
          investigation_status: 'pending',
          incident_types: ['weird'],
          detection_methods: ['magic'],
        }),
      ),
      [
        `W vocabulary ${p}.investigation_status: 'pending' is not in incident-investigation-ov`,
        `W vocabulary ${p}.incident_types[0]: 'weird' is not in incident-type-ov`,
        `W vocabulary ${p}.detection_methods[0]: 'magic' is not in detection-methods-ov`,
      ],
    );
  });
});

describe('STIX rules: patterns', () => {
  const pattern = (p: string) => verdict(indicator({ pattern: p }));
  it('hash values: only a string compared with = or != under a hashes property, any spelling of the algorithm', () => {
    assert.deepEqual(pattern("[file:hashes.'SHA-256' = 'abc']"), [
      "E pattern-hash-value $.pattern: 'abc' is not a valid SHA-256 hash",
    ]);
    assert.deepEqual(pattern("[file:hashes.sha256 != 'abc' AND file:hashes.MD5 IN ('a', 'b')]"), [
      "E pattern-hash-value $.pattern: 'abc' is not a valid SHA-256 hash",
    ]);
    assert.deepEqual(pattern("[file:hashes.'sha3-256' = 'abc']"), [
      "E pattern-hash-value $.pattern: 'abc' is not a valid SHA3-256 hash",
    ]);
    assert.deepEqual(pattern("[file:hashes.MD5 = 'x'] AND [EXISTS file:hashes.MD5]"), [
      "E pattern-hash-value $.pattern: 'x' is not a valid MD5 hash",
    ]);
    assert.deepEqual(pattern('[file:hashes.MD5 = 5]'), []);
    assert.deepEqual(pattern("[file:hashes.MD5 LIKE 'x%']"), []);
    assert.deepEqual(pattern("[file:hashes.acme = 'x']"), []);
    assert.deepEqual(pattern("[file:x_hashes[0] = 'abc']"), []);
    assert.deepEqual(pattern("[file:hashes[0] = 'abc']"), []);
    assert.deepEqual(pattern("[file:name = 'abc']"), []);
  });
  it('property names: the first step, id excepted', () => {
    assert.deepEqual(pattern("[file:Name = 'a']"), [
      "E pattern-property $.pattern: 'Name' (position 1) is not a valid property name",
    ]);
    assert.deepEqual(pattern("[file:id = 'a']"), []);
    assert.deepEqual(pattern("[file:parent_directory_ref.Path = 'a']"), []);
  });
  it('regular expressions of MATCHES only', () => {
    assert.deepEqual(pattern("[file:name MATCHES '(']"), [
      "W pattern-regex $.pattern: MATCHES operand '(' is not a valid regular expression",
    ]);
    assert.deepEqual(pattern("[file:name LIKE '(']"), []);
    assert.deepEqual(pattern("[file:name MATCHES '^a(b)$']"), []);
    assert.deepEqual(pattern('[EXISTS file:name]'), []);
  });
});

describe('STIX rules: language tags', () => {
  it('lang is an RFC 5646 tag', () => {
    assert.deepEqual(verdict(indicator({ lang: 'en-US' })), []);
    assert.deepEqual(verdict(indicator({ lang: 'zh-Hant-TW' })), []);
    assert.deepEqual(verdict(indicator({ lang: 5 })), ['E property-type $.lang: must be string']);
    for (const bad of ['english language', 'en-', 'x1', 'e', 'en_US', 'en-US-', 'toolonglang']) {
      assert.deepEqual(
        verdict(indicator({ lang: bad })),
        [`E language-tag $.lang: '${bad}' is not an RFC 5646 language tag`],
        bad,
      );
    }
  });
});

describe('STIX rules: SCO references by id', () => {
  it('an id without -- is left to the identifier rule; its prefix is compared from the first --', () => {
    assert.deepEqual(verdict(indicator({ id: U })), [
      'E identifier-format $.id: must be an identifier <type>--<RFC 4122 UUID>',
    ]);
    assert.deepEqual(verdict(indicator({ id: `--${U}` })), [
      'E identifier-format $.id: must be an identifier <type>--<RFC 4122 UUID>',
    ]);
  });
});

describe('STIX rules: more values of the wrong type', () => {
  it('vocabulary properties', () => {
    assert.deepEqual(verdict(indicator({ indicator_types: 5 })), [
      'E property-type $.indicator_types: must be array',
    ]);
    assert.deepEqual(verdict(indicator({ indicator_types: [5, 'evil'] })), [
      'E property-type $.indicator_types[0]: must be string',
      "W vocabulary $.indicator_types[1]: 'evil' is not in indicator-type-ov",
    ]);
  });
  it('kill chain phases', () => {
    assert.deepEqual(verdict(indicator({ kill_chain_phases: [null] })), [
      'E property-type $.kill_chain_phases[0]: must be object',
    ]);
    assert.deepEqual(
      verdict(indicator({ kill_chain_phases: [{ kill_chain_name: ['X'], phase_name: 'p' }] })),
      ['E property-type $.kill_chain_phases[0].kill_chain_name: must be string'],
    );
  });
  it('a pattern that is no string is not parsed', () => {
    assert.deepEqual(verdict(indicator({ pattern: 5 })), ['E property-type $.pattern: must be string']);
    assert.deepEqual(verdict(indicator({ pattern: ["[file:name = 'x']"] })), [
      'E property-type $.pattern: must be string',
    ]);
  });
  it('an id given as a list', () => {
    assert.deepEqual(verdict(indicator({ id: [IND] })), ['E property-type $.id: must be string']);
  });
  it('a relationship without its ends is not "to itself"', () => {
    assert.deepEqual(verdict(sdo('relationship', { relationship_type: 'uses' })), [
      "E required-property $.source_ref: required property 'source_ref' is missing",
      "E required-property $.target_ref: required property 'target_ref' is missing",
    ]);
  });
  it('language-content contents that are no dictionary', () => {
    const lc = (contents: unknown): Obj =>
      sdo('language-content', { object_ref: IND, object_modified: '2016-04-06T20:03:48.000Z', contents });
    assert.deepEqual(verdict(lc('abc')), ['E property-type $.contents: must be object']);
    assert.deepEqual(verdict(lc({ de: { name: 'x' }, 'Not A Tag': { name: 'y' } })), [
      "E language-tag $.contents['Not A Tag']: 'Not A Tag' is not an RFC 5646 language tag",
    ]);
  });
});

describe('STIX rules: per-type SHOULD rules, exactly', () => {
  it('deprecated observed-data objects', () => {
    assert.deepEqual(
      verdict(
        sdo('observed-data', {
          first_observed: '2020-01-01T00:00:00Z',
          last_observed: '2020-01-01T00:00:00Z',
          number_observed: 1,
          objects: { '0': { type: 'ipv4-addr', value: '10.0.0.1' } },
        }),
      ),
      ['W deprecated-property $.objects: objects is deprecated; use object_refs'],
    );
  });
  it('summary sightings of nothing', () => {
    assert.deepEqual(verdict(sdo('sighting', { sighting_of_ref: IND, count: 0, summary: true })), [
      'W sighting-count $.count: a summary sighting with count 0',
    ]);
    assert.deepEqual(verdict(sdo('sighting', { sighting_of_ref: IND, count: 0 })), []);
    assert.deepEqual(verdict(sdo('sighting', { sighting_of_ref: IND, count: 1, summary: true })), []);
  });
  it('process and x509-certificate: type, id, spec_version and defanged are not enough', () => {
    const p = { type: 'process', id: 'process--f52a906a-0dfc-40bd-92f1-e7778ead38a9' };
    const none = 'E required-property $: a process MUST have at least one property besides type and id';
    assert.deepEqual(verdict(p), [none]);
    assert.deepEqual(verdict({ ...p, spec_version: '2.1', defanged: false }), [none]);
    assert.deepEqual(verdict({ ...p, spec_version: '2.1', pid: 4 }), []);
    const x = { type: 'x509-certificate', id: 'x509-certificate--f52a906a-0dfc-40bd-92f1-e7778ead38a9' };
    assert.deepEqual(verdict({ ...x, defanged: true }), [
      'E required-property $: a x509-certificate MUST have at least one property besides type and id',
    ]);
    assert.deepEqual(verdict({ ...x, is_self_signed: true }), []);
  });
  it('MATCHES is checked as a Unicode regular expression; hashes only under a hashes property', () => {
    assert.deepEqual(verdict(indicator({ pattern: "[file:name MATCHES '{']" })), [
      "W pattern-regex $.pattern: MATCHES operand '{' is not a valid regular expression",
    ]);
    assert.deepEqual(verdict(indicator({ pattern: "[file:x_meta.MD5 = 'x']" })), []);
  });
});

describe('STIX schemas: common data types', () => {
  const PROC = 'process--f52a906a-0dfc-40bd-92f1-e7778ead38a9';
  it('integer, boolean and number properties', () => {
    assert.deepEqual(verdict({ type: 'process', id: PROC, pid: 'x' }), [
      'E property-type $.pid: must be integer',
    ]);
    assert.deepEqual(verdict({ type: 'process', id: PROC, pid: 1, is_hidden: 'yes' }), [
      'E property-type $.is_hidden: must be boolean',
    ]);
    assert.deepEqual(verdict({ type: 'process', id: PROC, pid: 1, is_hidden: true }), []);
    assert.deepEqual(
      verdict(
        file({
          extensions: { 'windows-pebinary-ext': { pe_type: 'exe', sections: [{ name: 's', entropy: 'x' }] } },
        }),
      ),
      ["E property-type $.extensions['windows-pebinary-ext'].sections[0].entropy: must be number"],
    );
  });
  it('binary properties hold base64', () => {
    assert.deepEqual(verdict({ type: 'artifact', id: `artifact--${U5}`, payload_bin: 'YWJ' }), [
      'E value-format $.payload_bin: must match pattern "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"',
    ]);
    assert.deepEqual(verdict({ type: 'artifact', id: `artifact--${U5}`, payload_bin: 'YWI=' }), []);
  });
  it('an SCO that gives spec_version gives 2.1', () => {
    assert.deepEqual(
      verdict({ type: 'ipv4-addr', spec_version: '2.0', id: `ipv4-addr--${U5}`, value: '10.0.0.1' }),
      ['E enum-value $.spec_version: must be one of: 2.1'],
    );
  });
});
