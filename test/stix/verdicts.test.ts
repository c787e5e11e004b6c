/**
 * Whole verdicts of the MUST and SHOULD rules (server/stix/rules.ts): every error and warning an
 * object gets, with its rule, path and message — so a rule that fires twice, at the wrong place,
 * with the wrong words or not at all is caught, not just "some error of this rule exists".
 */
import assert from 'node:assert/strict';
import { validateStixObject } from '../../server/stix/validate';
import { TLP1_MARKINGS, TLP2_EXTENSION_ID, TLP2_MARKINGS } from '../../server/stix/markings';
import { IDENTITY_ID, indicator, sdo, TLP_GREEN_1, verdictLines, type Obj } from './helpers';

/** "E rule path: message" for errors, then "W …" for warnings. */
const issues = (o: unknown, strict = false): string[] => verdictLines(o, { strict });

const U = '31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';
const ref = (type: string, uuid = U) => `${type}--${uuid}`;
const sco = (type: string, extra: Obj = {}): Obj => ({
  type,
  spec_version: '2.1',
  id: ref(type, U5),
  ...extra,
});
const tlp1Id = (name: string): string => {
  for (const [id, m] of TLP1_MARKINGS) if (m.name === name) return id;
  throw new Error(name);
};
const tlp2Id = (level: string): string => {
  for (const [id, l] of TLP2_MARKINGS) if (l === level) return id;
  throw new Error(level);
};

describe('STIX verdicts: timestamps', () => {
  it('modified at or after created', () => {
    assert.deepEqual(issues(indicator({ modified: '2016-04-06T20:03:47.999Z' })), [
      'E modified-before-created $.modified: modified (2016-04-06T20:03:47.999Z) MUST be later than or equal to created (2016-04-06T20:03:48.000Z)',
    ]);
    assert.deepEqual(issues(indicator({ modified: '2016-04-06T20:03:48.000Z' })), []);
  });
  it('valid_until strictly after valid_from', () => {
    assert.deepEqual(issues(indicator({ valid_until: '2016-01-01T00:00:00.000Z' })), [
      'E timestamp-order $.valid_until: valid_until (2016-01-01T00:00:00.000Z) MUST be later than valid_from (2016-01-01T00:00:00Z)',
    ]);
    assert.deepEqual(issues(indicator({ valid_until: '2016-01-01T00:00:00.001Z' })), []);
  });
  it('last_seen at or after first_seen', () => {
    const c = (first: string, last: string) =>
      sdo('campaign', { name: 'c', first_seen: first, last_seen: last });
    assert.deepEqual(issues(c('2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z')), []);
    assert.deepEqual(issues(c('2020-01-01T00:00:00.001Z', '2020-01-01T00:00:00Z')), [
      'E timestamp-order $.last_seen: last_seen (2020-01-01T00:00:00Z) MUST be later than or equal to first_seen (2020-01-01T00:00:00.001Z)',
    ]);
  });
});

describe('STIX verdicts: references', () => {
  it('names the allowed targets and the type found', () => {
    assert.deepEqual(issues(indicator({ created_by_ref: ref('malware') })), [
      'E reference-type $.created_by_ref: created_by_ref MUST reference identity, not a malware',
    ]);
    assert.deepEqual(issues(indicator({ object_marking_refs: [TLP_GREEN_1, IDENTITY_ID] })), [
      'E reference-type $.object_marking_refs[1]: object_marking_refs MUST reference marking-definition, not a identity',
    ]);
  });
  it('core, SDO, SCO and SCO-or-SRO targets', () => {
    const rel = (source: string) =>
      sdo('relationship', { relationship_type: 'uses', source_ref: source, target_ref: IDENTITY_ID });
    assert.deepEqual(issues(rel(ref('marking-definition'))), [
      'E reference-type $.source_ref: source_ref MUST reference an SDO or SCO, not a marking-definition',
    ]);
    assert.deepEqual(issues(rel(ref('x-acme-thing'))), []);
    const sighting = (of: string) => sdo('sighting', { sighting_of_ref: of });
    assert.deepEqual(issues(sighting(ref('file'))), [
      'E reference-type $.sighting_of_ref: sighting_of_ref MUST reference an SDO, not a file',
    ]);
    assert.deepEqual(issues(sighting(ref('language-content'))), [
      'E reference-type $.sighting_of_ref: sighting_of_ref MUST reference an SDO, not a language-content',
    ]);
    const od = (refs: string[]) =>
      sdo('observed-data', {
        first_observed: '2020-01-01T00:00:00Z',
        last_observed: '2020-01-01T00:00:00Z',
        number_observed: 1,
        object_refs: refs,
      });
    assert.deepEqual(issues(od([ref('file'), ref('relationship'), ref('sighting'), ref('x-acme-obs')])), []);
    assert.deepEqual(issues(od([ref('malware'), ref('bundle'), ref('extension-definition')])), [
      'E reference-type $.object_refs[0]: object_refs MUST reference an SCO or SRO, not a malware',
      'E reference-type $.object_refs[1]: object_refs MUST reference an SCO or SRO, not a bundle',
      'E reference-type $.object_refs[2]: object_refs MUST reference an SCO or SRO, not a extension-definition',
    ]);
    const ma = (refs: string[]) =>
      sdo('malware-analysis', { product: 'p', result: 'malicious', analysis_sco_refs: refs });
    assert.deepEqual(issues(ma([ref('file'), ref('x-acme-obs')])), []);
    assert.deepEqual(issues(ma([ref('malware'), ref('relationship')])), [
      'E reference-type $.analysis_sco_refs[0]: analysis_sco_refs MUST reference an SCO, not a malware',
      'E reference-type $.analysis_sco_refs[1]: analysis_sco_refs MUST reference an SCO, not a relationship',
    ]);
    assert.deepEqual(
      issues(sdo('report', { name: 'r', published: '2016-01-01T00:00:00Z', object_refs: [ref('bundle')] })),
      [],
    );
  });
  it('lists of allowed types, in extensions too', () => {
    assert.deepEqual(issues(sco('network-traffic', { protocols: ['tcp'], src_ref: ref('file') })), [
      'E reference-type $.src_ref: src_ref MUST reference ipv4-addr or ipv6-addr or mac-addr or domain-name, not a file',
    ]);
    assert.deepEqual(
      issues(
        sco('file', {
          name: 'a.zip',
          extensions: { 'archive-ext': { contains_refs: [ref('file'), ref('process')] } },
        }),
      ),
      [
        "E reference-type $.extensions['archive-ext'].contains_refs[1]: contains_refs MUST reference file or directory, not a process",
      ],
    );
  });
});

describe('STIX verdicts: hashes', () => {
  it('checks values by algorithm and names', () => {
    const f = (hashes: Obj) => sco('file', { hashes });
    assert.deepEqual(issues(f({ MD5: 'A'.repeat(32), 'SHA-256': 'f'.repeat(64), x_custom: 'anything' })), []);
    assert.deepEqual(
      issues(f({ MD5: 'a'.repeat(31), 'SHA-1': 'g'.repeat(40), ab: 'x', 'a.b': 'x', WEIRD: 'x' })),
      [
        `E hash-value $.hashes.MD5: '${'a'.repeat(31)}' is not a valid MD5 hash`,
        `E hash-value $.hashes['SHA-1']: '${'g'.repeat(40)}' is not a valid SHA-1 hash`,
        'E hash-key $.hashes.ab: hash algorithm names MUST be 3–250 characters of [a-zA-Z0-9_-]',
        "E hash-key $.hashes['a.b']: hash algorithm names MUST be 3–250 characters of [a-zA-Z0-9_-]",
        "W hash-algorithm $.hashes.WEIRD: hash algorithm 'WEIRD' SHOULD come from hash-algorithm-ov or start with x_",
      ],
    );
  });
  it('in external references and extension sections', () => {
    assert.deepEqual(
      issues(
        indicator({
          external_references: [{ source_name: 's' }, { source_name: 't', hashes: { MD5: 'x' } }],
        }),
      ),
      ["E hash-value $.external_references[1].hashes.MD5: 'x' is not a valid MD5 hash"],
    );
    assert.deepEqual(
      issues(
        sco('file', {
          name: 'a.exe',
          extensions: {
            'windows-pebinary-ext': {
              pe_type: 'exe',
              file_header_hashes: { MD5: 'y' },
              sections: [{ name: 's' }, { name: 't', hashes: { 'SHA-256': 'z' } }],
            },
            'ntfs-ext': { alternate_data_streams: [{ name: 'ads', hashes: { MD5: 'w' } }] },
          },
        }),
      ),
      [
        "E hash-value $.extensions['windows-pebinary-ext'].file_header_hashes.MD5: 'y' is not a valid MD5 hash",
        "E hash-value $.extensions['windows-pebinary-ext'].sections[1].hashes['SHA-256']: 'z' is not a valid SHA-256 hash",
        "E hash-value $.extensions['ntfs-ext'].alternate_data_streams[0].hashes.MD5: 'w' is not a valid MD5 hash",
      ],
    );
  });
});

describe('STIX verdicts: property names', () => {
  it('custom properties', () => {
    assert.deepEqual(
      issues(
        indicator({
          x_ok: 1,
          my_prop: 1,
          Bad: 1,
          ab: 1,
          severity: 'high',
          x_data_bin: 'YWJj',
          x_bad_bin: 'YWJ',
          x_num_bin: 5,
          x_data_hex: 'abCD',
          x_bad_hex: 'abc',
          x_num_hex: 5,
          x_list: [],
        }),
      ),
      [
        "E property-name $.Bad: property name 'Bad' MUST be 3–250 characters of a–z, 0–9 and _",
        "E property-name $.ab: property name 'ab' MUST be 3–250 characters of a–z, 0–9 and _",
        "E reserved-property $.severity: 'severity' is a reserved property name and MUST NOT be used",
        'E binary-value $.x_bad_bin: a property ending in _bin MUST hold base64 (binary type)',
        'E binary-value $.x_num_bin: a property ending in _bin MUST hold base64 (binary type)',
        'E hex-value $.x_bad_hex: a property ending in _hex MUST hold an even number of hex digits (hex type)',
        'E hex-value $.x_num_hex: a property ending in _hex MUST hold an even number of hex digits (hex type)',
        'E empty-value $.x_list: a list property MUST NOT be empty',
        "W custom-prefix $.my_prop: custom property 'my_prop' SHOULD start with x_",
      ],
    );
  });
  it('reserved names are allowed on SCOs and custom objects, prefixes not asked under a toplevel extension', () => {
    assert.deepEqual(issues(sco('user-account', { user_id: 'u', phone_numbers: ['1'] })), [
      "W custom-prefix $.phone_numbers: custom property 'phone_numbers' SHOULD start with x_",
    ]);
    assert.deepEqual(
      issues(
        indicator({
          my_prop: 1,
          extensions: { [ref('extension-definition')]: { extension_type: 'toplevel-property-extension' } },
        }),
      ),
      [],
    );
  });
});

describe('STIX verdicts: markings', () => {
  it('granular markings', () => {
    assert.deepEqual(
      issues(
        indicator({
          granular_markings: [
            {
              marking_ref: TLP_GREEN_1,
              selectors: ['name', 'indicator_types.[0]', 'indicator_types.[1]', 'nope', 'name.x'],
            },
            { lang: 'en', marking_ref: TLP_GREEN_1, selectors: ['description'] },
            { selectors: ['description'] },
            'not an object',
            { marking_ref: IDENTITY_ID, selectors: ['external_references.[0].source_name', 'pattern.[0]'] },
          ],
          external_references: [{ source_name: 's' }],
        }),
      ),
      [
        'E property-type $.granular_markings[3]: must be object',
        "E marking-selector $.granular_markings[0].selectors[2]: selector 'indicator_types.[1]' MUST refer to a property of this object",
        "E marking-selector $.granular_markings[0].selectors[3]: selector 'nope' MUST refer to a property of this object",
        "E marking-selector $.granular_markings[0].selectors[4]: selector 'name.x' MUST refer to a property of this object",
        'E granular-marking $.granular_markings[1]: a granular marking MUST have exactly one of marking_ref and lang',
        'E granular-marking $.granular_markings[2]: a granular marking MUST have exactly one of marking_ref and lang',
        'E reference-type $.granular_markings[4].marking_ref: marking_ref MUST reference marking-definition, not a identity',
        "E marking-selector $.granular_markings[4].selectors[1]: selector 'pattern.[0]' MUST refer to a property of this object",
      ],
    );
  });
  it('a marking definition does not mark itself', () => {
    const id = ref('marking-definition');
    const md = sdo('marking-definition', {
      id,
      definition_type: 'statement',
      definition: { statement: 's' },
      object_marking_refs: [id],
      granular_markings: [{ marking_ref: id, selectors: ['definition'] }],
    });
    delete md.modified;
    assert.deepEqual(issues(md), [
      'E marking-circular-ref $.object_marking_refs: a marking definition MUST NOT mark itself',
      'E marking-circular-ref $.granular_markings[0].marking_ref: a marking definition MUST NOT mark itself',
    ]);
  });
});

describe('STIX verdicts: TLP marking definitions', () => {
  const base = (id: string, extra: Obj = {}): Obj => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created: '2017-01-20T00:00:00.000Z',
    ...extra,
  });
  it('a TLP 1.0 id must carry the published object', () => {
    const red = tlp1Id('TLP:RED');
    assert.deepEqual(
      issues(base(red, { name: 'TLP:RED', definition_type: 'tlp', definition: { tlp: 'red' } })),
      [],
    );
    assert.deepEqual(
      issues(base(red, { name: 'TLP:WHITE', definition_type: 'tlp', definition: { tlp: 'red', extra: 1 } })),
      [
        'E tlp1-marking $.name: TLP 1.0 marking TLP:RED MUST be the published object (name)',
        'E tlp1-marking $.definition: TLP 1.0 marking TLP:RED MUST be the published object (definition)',
      ],
    );
    assert.deepEqual(
      issues(base(red, { name: 'TLP:RED', definition_type: 'tlp', definition: { tlp: 'amber' } })),
      ['E tlp1-marking $.definition: TLP 1.0 marking TLP:RED MUST be the published object (definition)'],
    );
  });
  it('a home-made TLP marking is refused, naming its level', () => {
    const id = ref('marking-definition');
    assert.deepEqual(issues(base(id, { definition_type: 'tlp', definition: { tlp: 'amber' } })), [
      `E tlp1-marking $.id: TLP markings MUST use the published TLP 1.0 marking definitions; ${id} is not one of them (TLP:AMBER)`,
    ]);
  });
  it('TLP 2.0 ids need their extension, level, name and date', () => {
    const amber = tlp2Id('amber');
    const ext = (level: unknown) => ({
      extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
    });
    assert.deepEqual(
      issues(base(amber, { name: 'TLP:AMBER', created: '2022-10-01T00:00:00.000Z', ...ext('amber') })),
      [],
    );
    assert.deepEqual(issues(base(amber, { name: 'TLP:RED', ...ext('red') })), [
      `E tlp2-marking $.extensions['${TLP2_EXTENSION_ID}'].tlp_2_0: marking ${amber} is TLP:AMBER; tlp_2_0 MUST be 'amber'`,
      "W tlp2-marking $.name: the TLP 2.0 marking name is 'TLP:AMBER'",
      'W tlp2-marking $.created: the published TLP 2.0 markings have created 2022-10-01T00:00:00.000Z',
    ]);
  });
});

describe('STIX verdicts: extensions', () => {
  const EXT = ref('extension-definition');
  it('names what is wrong with each key', () => {
    assert.deepEqual(
      issues(
        indicator({
          extensions: {
            whatever: { a: 1 },
            'x-acme-ext-thing': { a: 1 },
            'archive-ext': { contains_refs: [] },
            [EXT]: { extension_type: 'property-extension' },
            [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'red' },
          },
        }),
      ),
      [
        "E extension-key $.extensions['whatever']: extension keys MUST be an extension-definition id or a predefined extension name ending in -ext",
        `E tlp2-marking $.extensions['${TLP2_EXTENSION_ID}']: the TLP 2.0 extension applies to marking-definition objects only`,
        "W custom-extension $.extensions['x-acme-ext-thing']: custom extensions SHOULD be defined by an extension-definition",
        "W custom-extension $.extensions['archive-ext']: 'archive-ext' is not a predefined extension of indicator",
      ],
    );
  });
  it('validates predefined SCO extensions, and lets unknown ones of custom SCOs pass', () => {
    assert.deepEqual(issues(sco('file', { name: 'f', extensions: { 'archive-ext': {} } })), [
      "E required-property $.extensions['archive-ext'].contains_refs: required property 'contains_refs' is missing",
    ]);
    assert.deepEqual(issues(sco('file', { name: 'f', extensions: { 'acme-ext': { a: 1 } } })), [
      "W custom-extension $.extensions['acme-ext']: 'acme-ext' is not a predefined extension of file",
    ]);
    assert.deepEqual(issues(sco('x-acme-obs', { extensions: { 'acme-ext': { a: 1 } } })), []);
  });
  it('the Incident Core Extension applies to incidents only', () => {
    assert.deepEqual(
      issues(
        indicator({
          extensions: {
            'extension-definition--ef765651-680c-498d-9894-99799f2fa126': {
              extension_type: 'property-extension',
            },
          },
        }),
      ),
      [
        "E incident-core-extension $.extensions['extension-definition--ef765651-680c-498d-9894-99799f2fa126']: the Incident Core Extension applies to incident objects only",
      ],
    );
  });
  it('a malformed extension-definition entry', () => {
    assert.deepEqual(issues(indicator({ extensions: { [EXT]: { extension_type: 'new-thing' } } })), [
      `E enum-value $.extensions['${EXT}'].extension_type: must be one of: new-sdo, new-sco, new-sro, property-extension, toplevel-property-extension`,
    ]);
  });
});

describe('STIX verdicts: patterns', () => {
  const p = (pattern: string, extra: Obj = {}) => issues(indicator({ pattern, ...extra }));
  it('reports syntax errors with the parser message', () => {
    assert.deepEqual(p("[file:name = 'x'"), [
      "E pattern-syntax $.pattern: at position 16: expected ']', 'AND' or 'OR', found end of pattern",
    ]);
  });
  it('checks object types, property names, hash values and regular expressions', () => {
    assert.deepEqual(
      p(
        "[Bad_Type:name = 'x'] AND [acme-widget:name = 'x'] AND [x-acme:name = 'x'] AND [file:Bad = 1]" +
          " AND [file:id = 'x'] AND [file:hashes.sha256 = 'abc'] AND [file:hashes.MD5 != 'abc']" +
          " AND [file:hashes.'SHA-1' = 'a'] AND [file:x_hashes.MD5 = 'q'] AND [file:hashes.MD5 IN ('q')]" +
          " AND [file:hashes.MD5 LIKE 'q'] AND [file:hashes.MD5 = 5] AND [file:hashes.NOPE = 'q']" +
          " AND [process:name MATCHES '(']",
      ),
      [
        "E pattern-object-type $.pattern: 'Bad_Type' (position 1) is not a valid object type name",
        "E pattern-property $.pattern: 'Bad' (position 80) is not a valid property name",
        "E pattern-hash-value $.pattern: 'abc' is not a valid SHA-256 hash",
        "E pattern-hash-value $.pattern: 'abc' is not a valid MD5 hash",
        "E pattern-hash-value $.pattern: 'a' is not a valid SHA-1 hash",
        "E pattern-hash-value $.pattern: 'q' is not a valid MD5 hash",
        "W pattern-object-type $.pattern: 'acme-widget' is not a STIX 2.1 SCO type (custom types SHOULD start with x-)",
        "W pattern-regex $.pattern: MATCHES operand '(' is not a valid regular expression",
      ],
    );
  });
  it('warns on an unknown pattern_version and skips other pattern types', () => {
    assert.deepEqual(p("[file:name = 'x']", { pattern_version: '2.2' }), [
      "W pattern-version $.pattern_version: pattern_version '2.2' is unknown; parsed as 2.1",
    ]);
    assert.deepEqual(p("[file:name = 'x']", { pattern_version: '2.0' }), []);
    assert.deepEqual(p("[file:name = 'x']", { pattern_version: '2.1' }), []);
    assert.deepEqual(p('[[[', { pattern_type: 'sigma' }), []);
  });
});

describe('STIX verdicts: SHOULD rules', () => {
  it('open vocabularies, one value or a list', () => {
    assert.deepEqual(
      issues(indicator({ indicator_types: ['malicious-activity', 'odd', 'anomalous-activity', 'odder'] })),
      [
        "W vocabulary $.indicator_types[1]: 'odd' is not in indicator-type-ov",
        "W vocabulary $.indicator_types[3]: 'odder' is not in indicator-type-ov",
      ],
    );
    assert.deepEqual(issues(indicator({ pattern_type: 'acme', pattern: 'x' })), [
      "W vocabulary $.pattern_type: 'acme' is not in pattern-type-ov",
    ]);
  });
  it('kill chain names', () => {
    assert.deepEqual(
      issues(
        indicator({
          kill_chain_phases: [
            { kill_chain_name: 'mitre-attack', phase_name: 'execution' },
            { kill_chain_name: 'Lockheed Martin', phase_name: 'Recon' },
          ],
        }),
      ),
      [
        'W kill-chain-name $.kill_chain_phases[1].kill_chain_name: kill_chain_name SHOULD be lowercase with hyphens',
        'W kill-chain-name $.kill_chain_phases[1].phase_name: phase_name SHOULD be lowercase with hyphens',
      ],
    );
  });
  it('indicator name and description, deprecated observed-data objects', () => {
    const i = indicator();
    delete i.name;
    delete i.description;
    assert.deepEqual(issues(i), [
      'W indicator-name $.name: an indicator SHOULD have a name',
      'W indicator-description $.description: an indicator SHOULD have a description',
    ]);
  });
  it('relationships to self and summary sightings of nothing', () => {
    assert.deepEqual(
      issues(
        sdo('relationship', {
          relationship_type: 'related-to',
          source_ref: IDENTITY_ID,
          target_ref: IDENTITY_ID,
        }),
      ),
      ['W relationship-self $.target_ref: a relationship from an object to itself is unusual'],
    );
    assert.deepEqual(
      issues(sdo('sighting', { sighting_of_ref: ref('indicator'), count: 0, summary: true })),
      ['W sighting-count $.count: a summary sighting with count 0'],
    );
    assert.deepEqual(
      issues(sdo('sighting', { sighting_of_ref: ref('indicator'), count: 0, summary: false })),
      [],
    );
    assert.deepEqual(
      issues(sdo('sighting', { sighting_of_ref: ref('indicator'), count: 1, summary: true })),
      [],
    );
  });
  it('strict turns every warning into an error, after the errors', () => {
    const v = validateStixObject(indicator({ created_by_ref: ref('malware'), indicator_types: ['odd'] }), {
      strict: true,
    });
    assert.equal(v.ok, false);
    assert.deepEqual(v.warnings, []);
    assert.deepEqual(
      v.errors.map((e) => e.rule),
      ['reference-type', 'vocabulary'],
    );
    assert.deepEqual(validateStixObject(indicator(), { strict: true }), {
      ok: true,
      errors: [],
      warnings: [],
    });
  });
});

describe('STIX verdicts: identifiers', () => {
  it('the id prefix is the type', () => {
    assert.deepEqual(issues(indicator({ id: ref('malware', '8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f') })), [
      "E id-type $.id: the id prefix 'malware' MUST equal the type 'indicator'",
    ]);
  });
  it('UUID versions by object class', () => {
    assert.deepEqual(issues(indicator({ id: ref('indicator', U5) })), [
      'W uuid-version $.id: indicator ids SHOULD use a UUIDv4',
    ]);
    assert.deepEqual(issues(sco('process', { pid: 1, id: ref('process', U5) })), [
      'E uuid-version $.id: a process id MUST use a UUIDv4',
    ]);
    assert.deepEqual(issues(sco('process', { pid: 1, id: ref('process', U) })), []);
    assert.deepEqual(issues(sco('user-account', { display_name: 'd', id: ref('user-account', U5) })), [
      'E uuid-version $.id: with no ID contributing properties, the id MUST use a UUIDv4',
    ]);
    assert.deepEqual(issues(sco('user-account', { display_name: 'd', id: ref('user-account', U) })), []);
    assert.deepEqual(issues(sco('user-account', { user_id: 'u', id: ref('user-account', U) })), [
      'W uuid-version $.id: SCO ids SHOULD be deterministic UUIDv5',
    ]);
    assert.deepEqual(issues(sco('user-account', { user_id: 'u' })), []);
    assert.deepEqual(issues(sco('domain-name', { value: 'example.com', id: ref('domain-name', U) })), [
      'W uuid-version $.id: SCO ids SHOULD be deterministic UUIDv5',
    ]);
  });
  it('process and x509-certificate need a property besides type, id, spec_version and defanged', () => {
    assert.deepEqual(
      issues({
        type: 'x509-certificate',
        spec_version: '2.1',
        id: ref('x509-certificate', U),
        defanged: false,
      }),
      ['E required-property $: a x509-certificate MUST have at least one property besides type and id'],
    );
    assert.deepEqual(
      issues({ type: 'x509-certificate', id: ref('x509-certificate', U), is_self_signed: true }),
      [],
    );
  });
  it('language tags', () => {
    assert.deepEqual(issues(indicator({ lang: 'en-US' })), []);
    assert.deepEqual(issues(indicator({ lang: 'english!' })), [
      "E language-tag $.lang: 'english!' is not an RFC 5646 language tag",
    ]);
    const lc = sdo('language-content', {
      object_ref: ref('indicator'),
      object_modified: '2016-04-06T20:03:48.000Z',
      contents: { de: { name: 'n' }, 'not a tag': { name: 'n' }, 'zh-Hant-TW': { name: 'n' } },
    });
    assert.deepEqual(issues(lc), [
      "E language-tag $.contents['not a tag']: 'not a tag' is not an RFC 5646 language tag",
    ]);
  });
});
