import assert from 'node:assert/strict';
import { formatVerdictMessage, validateStixObject } from '../../server/stix/validate';
import { TLP1_MARKINGS, TLP2_MARKINGS, tlp2Marking, TLP2_EXTENSION_ID } from '../../server/stix/markings';
import {
  expectError,
  expectOk,
  expectWarning,
  IDENTITY_ID,
  indicator,
  sdo,
  TLP_GREEN_1,
  without,
  type Obj,
} from './helpers';

const SHA256 = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877';

describe('STIX validation: interface', () => {
  it('accepts a valid indicator without warnings', () => {
    const v = expectOk(indicator());
    assert.deepEqual(v.warnings, []);
    assert.equal(formatVerdictMessage(v), '');
  });
  it('rejects non-objects and objects without a type', () => {
    expectError(42, 'object-form', '$');
    expectError([], 'object-form', '$');
    expectError({}, 'required-property', '$.type');
  });
  it('formats one line with errors then warnings', () => {
    const v = validateStixObject(
      indicator({ modified: '2015-01-01T00:00:00.000Z', indicator_types: ['odd'] }),
    );
    const msg = formatVerdictMessage(v);
    assert.match(
      msg,
      /^modified-before-created at \$\.modified: .*; warning: vocabulary at \$\.indicator_types\[0\]: /,
    );
    assert.ok(!msg.includes('\n'));
  });
});

describe('STIX validation: schemas', () => {
  it('requires the common properties', () => {
    for (const k of ['spec_version', 'id', 'created', 'modified']) {
      expectError(without(indicator(), k), 'required-property', `$.${k}`);
    }
  });
  it('requires type-specific properties', () => {
    expectError(without(indicator(), 'pattern'), 'required-property', '$.pattern');
    expectError(sdo('malware', { is_family: true }), 'required-property', '$.name');
    expectOk(sdo('malware', { is_family: false }));
    expectError(
      sdo('report', { name: 'r', published: '2016-01-01T00:00:00Z' }),
      'required-property',
      '$.object_refs',
    );
    expectError(
      sdo('relationship', { relationship_type: 'uses', source_ref: IDENTITY_ID }),
      'required-property',
      '$.target_ref',
    );
  });
  it('checks spec_version, enums and types', () => {
    expectError(indicator({ spec_version: '2.0' }), 'enum-value', '$.spec_version');
    expectError(sdo('opinion', { opinion: 'maybe', object_refs: [IDENTITY_ID] }), 'enum-value', '$.opinion');
    expectError(indicator({ name: 5 }), 'property-type', '$.name');
    expectError(indicator({ labels: [] }), 'empty-value', '$.labels');
  });
  it('checks confidence 0–100', () => {
    expectOk(indicator({ confidence: 0 }));
    expectOk(indicator({ confidence: 100 }));
    expectError(indicator({ confidence: 101 }), 'value-range', '$.confidence');
    expectError(indicator({ confidence: -1 }), 'value-range', '$.confidence');
    expectError(indicator({ confidence: 50.5 }), 'property-type', '$.confidence');
  });
  it('checks external references and kill chain phases', () => {
    expectError(indicator({ external_references: [{ url: 'https://x' }] }), 'required-property');
    expectError(indicator({ kill_chain_phases: [{ kill_chain_name: 'x' }] }), 'required-property');
    expectWarning(
      indicator({ kill_chain_phases: [{ kill_chain_name: 'Lockheed', phase_name: 'x' }] }),
      'kill-chain-name',
    );
  });
  it('checks location and observed-data combinations', () => {
    expectError(sdo('location', { name: 'nowhere' }), 'property-combination', '$');
    expectError(sdo('location', { latitude: 10 }), 'property-dependency');
    expectOk(sdo('location', { region: 'europe' }));
    expectError(sdo('location', { latitude: 91, longitude: 0 }), 'value-range', '$.latitude');
  });
});

describe('STIX validation: MUST rules', () => {
  it('modified ≥ created', () => {
    expectError(indicator({ modified: '2016-04-06T20:03:47.999Z' }), 'modified-before-created', '$.modified');
    expectOk(indicator({ created: '2016-04-06T20:03:48.000Z', modified: '2016-04-06T20:03:48.000Z' }));
  });
  it('valid_until > valid_from', () => {
    expectError(indicator({ valid_until: '2016-01-01T00:00:00.000Z' }), 'timestamp-order', '$.valid_until');
    expectOk(indicator({ valid_until: '2016-01-01T00:00:00.001Z' }));
  });
  it('last_seen ≥ first_seen', () => {
    for (const t of ['campaign', 'intrusion-set', 'threat-actor', 'infrastructure']) {
      const o = sdo(t, { name: 'x', first_seen: '2020-01-02T00:00:00Z', last_seen: '2020-01-01T00:00:00Z' });
      expectError(o, 'timestamp-order', '$.last_seen');
    }
    expectError(
      sdo('sighting', {
        sighting_of_ref: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        first_seen: '2020-01-02T00:00:00Z',
        last_seen: '2020-01-01T00:00:00Z',
      }),
      'timestamp-order',
    );
  });
  it('stop_time > start_time on relationships', () => {
    const rel = sdo('relationship', {
      relationship_type: 'uses',
      source_ref: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
      target_ref: 'attack-pattern--7e33a43e-e34b-40ec-89da-36c9bb2cacd5',
      start_time: '2020-01-01T00:00:00Z',
      stop_time: '2020-01-01T00:00:00Z',
    });
    expectError(rel, 'timestamp-order', '$.stop_time');
  });
  it('observed-data: first/last_observed and number_observed 1..999999999', () => {
    const od = (extra: Obj): Obj =>
      sdo('observed-data', {
        first_observed: '2020-01-01T00:00:00Z',
        last_observed: '2020-01-01T00:00:00Z',
        number_observed: 1,
        object_refs: ['ipv4-addr--efcd5e80-570d-4131-b213-62cb18eaa6a8'],
        ...extra,
      });
    expectOk(od({}));
    expectError(od({ number_observed: 0 }), 'value-range', '$.number_observed');
    expectError(od({ number_observed: 1000000000 }), 'value-range', '$.number_observed');
    expectError(od({ last_observed: '2019-12-31T23:59:59Z' }), 'timestamp-order', '$.last_observed');
    expectError(od({ object_refs: ['malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b'] }), 'reference-type');
  });
  it('id prefix equals type, and ids are <type>--<RFC 4122 UUID>', () => {
    expectError(indicator({ id: 'malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f' }), 'id-type', '$.id');
    expectError(indicator({ id: 'indicator--8e2e2d2b-17d4-4cbf-938f' }), 'identifier-format', '$.id');
    expectError(
      indicator({ id: 'indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f' }),
      'identifier-format',
      '$.id',
    );
    expectError(
      indicator({ id: 'indicator--8e2e2d2b-17d4-4cbf-138f-98ee46b3cd3f' }),
      'identifier-format',
      '$.id',
    );
  });
  it('reference types', () => {
    expectError(
      indicator({ created_by_ref: 'malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b' }),
      'reference-type',
      '$.created_by_ref',
    );
    expectError(
      indicator({ object_marking_refs: [IDENTITY_ID] }),
      'reference-type',
      '$.object_marking_refs[0]',
    );
    expectOk(indicator({ object_marking_refs: [TLP_GREEN_1] }));
    expectError(
      sdo('sighting', { sighting_of_ref: 'relationship--31b940d4-6f7f-459a-80ea-9c1f17b5891b' }),
      'reference-type',
      '$.sighting_of_ref',
    );
    expectOk(sdo('sighting', { sighting_of_ref: 'x-mitre-tactic--31b940d4-6f7f-459a-80ea-9c1f17b5891b' }));
    expectError(
      sdo('sighting', {
        sighting_of_ref: 'indicator--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
        where_sighted_refs: ['malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b'],
      }),
      'reference-type',
      '$.where_sighted_refs[0]',
    );
    expectError(
      sdo('relationship', {
        relationship_type: 'uses',
        source_ref: 'relationship--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
        target_ref: IDENTITY_ID,
      }),
      'reference-type',
      '$.source_ref',
    );
    expectOk(
      sdo('relationship', {
        relationship_type: 'related-to',
        source_ref: 'ipv4-addr--31b940d4-6f7f-459a-80ea-9c1f17b5891b',
        target_ref: IDENTITY_ID,
      }),
    );
    expectError(
      indicator({ granular_markings: [{ marking_ref: IDENTITY_ID, selectors: ['name'] }] }),
      'reference-type',
      '$.granular_markings[0].marking_ref',
    );
  });
  it('granular marking selectors and marking_ref/lang exclusivity', () => {
    expectOk(
      indicator({
        granular_markings: [{ marking_ref: TLP_GREEN_1, selectors: ['name', 'indicator_types.[0]'] }],
      }),
    );
    expectError(
      indicator({ granular_markings: [{ marking_ref: TLP_GREEN_1, selectors: ['nope'] }] }),
      'marking-selector',
    );
    expectError(
      indicator({ granular_markings: [{ marking_ref: TLP_GREEN_1, lang: 'en', selectors: ['name'] }] }),
      'granular-marking',
    );
  });
  it('property names: 3–250 characters of [a-z0-9_]', () => {
    expectError(indicator({ xy: 1 }), 'property-name', '$.xy');
    expectError(indicator({ 'x-bad': 1 }), 'property-name');
    expectError(indicator({ X_Upper: 1 }), 'property-name');
    expectError(indicator({ ['x_' + 'a'.repeat(249)]: 1 }), 'property-name');
    expectOk(indicator({ x_acme_score: 1 }));
    expectError(indicator({ x_acme_list: [] }), 'empty-value');
    expectError(indicator({ severity: 'high' }), 'reserved-property', '$.severity');
  });
  it('timestamp forms: RFC 3339 UTC with Z, calendar-valid, millisecond created/modified', () => {
    expectError(indicator({ valid_from: '2016-01-01T00:00:00+00:00' }), 'timestamp-format', '$.valid_from');
    expectError(indicator({ valid_from: '2016-01-01 00:00:00Z' }), 'timestamp-format');
    expectError(indicator({ valid_from: '2016-02-30T00:00:00Z' }), 'timestamp-format');
    expectError(indicator({ valid_from: '2016-01-01T12:00:60Z' }), 'timestamp-format');
    expectOk(indicator({ valid_from: '2016-12-31T23:59:60Z' }));
    expectOk(indicator({ valid_from: '2016-02-29T00:00:00.123456Z' }));
    expectError(indicator({ created: '2016-04-06T20:03:48Z' }), 'timestamp-format', '$.created');
  });
  it('hash values by algorithm', () => {
    const file = (hashes: Obj): Obj => ({
      type: 'file',
      spec_version: '2.1',
      id: 'file--5a27d487-c542-5f97-a131-a8866b477b46',
      hashes,
    });
    expectOk(
      file({ MD5: 'a'.repeat(32), 'SHA-1': 'b'.repeat(40), 'SHA-256': SHA256, 'SHA-512': 'c'.repeat(128) }),
    );
    expectOk(
      file({
        'SHA3-256': 'd'.repeat(64),
        'SHA3-512': 'e'.repeat(128),
        SSDEEP: '96:abc+/def:ghi',
        TLSH: 'T1' + 'A'.repeat(70),
      }),
    );
    expectError(file({ MD5: 'a'.repeat(31) }), 'hash-value', '$.hashes.MD5');
    expectError(file({ 'SHA-1': 'z'.repeat(40) }), 'hash-value');
    expectError(file({ 'SHA-256': SHA256 + 'a' }), 'hash-value');
    expectError(file({ 'SHA-512': 'a'.repeat(64) }), 'hash-value');
    expectError(file({ 'SHA3-256': 'a'.repeat(63) }), 'hash-value');
    expectError(file({ SSDEEP: 'not an ssdeep' }), 'hash-value');
    expectError(file({ TLSH: 'xyz' }), 'hash-value');
    expectWarning(file({ sha256: SHA256 }), 'hash-algorithm');
    expectError(
      indicator({ external_references: [{ source_name: 'x', url: 'https://x', hashes: { MD5: 'xx' } }] }),
      'hash-value',
    );
  });
  it('patterns of pattern_type stix are parsed, others stored as-is', () => {
    expectError(indicator({ pattern: "[file:name = 'x'" }), 'pattern-syntax', '$.pattern');
    const v = validateStixObject(indicator({ pattern: "[file:name = 'x'" }));
    assert.match(v.errors[0]?.message ?? '', /position 16/);
    expectOk(indicator({ pattern_type: 'yara', pattern: 'rule x { condition: true' }));
    expectOk(indicator({ pattern_type: 'snort', pattern: 'not a stix pattern [' }));
    expectError(indicator({ pattern: "[file:hashes.MD5 = 'abc']" }), 'pattern-hash-value');
    expectError(indicator({ pattern: "[Bad_Type:name = 'x']" }), 'pattern-object-type');
    expectWarning(indicator({ pattern: "[acme-widget:name = 'x']" }), 'pattern-object-type');
  });
  it('SCO rules', () => {
    const nt = (extra: Obj): Obj => ({
      type: 'network-traffic',
      spec_version: '2.1',
      id: 'network-traffic--f8ae967a-3dc3-5cdf-8f94-8505abff00c2',
      protocols: ['tcp'],
      ...extra,
    });
    expectError(nt({}), 'property-combination');
    expectOk(nt({ src_ref: 'ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53' }));
    expectError(nt({ src_ref: 'file--4d22aae0-2bf9-5427-8819-e4f6abf20a53' }), 'reference-type', '$.src_ref');
    expectError(
      nt({ dst_ref: 'ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53', dst_port: 70000 }),
      'value-range',
    );
    expectError(
      nt({
        dst_ref: 'ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53',
        start: '2020-01-02T00:00:00Z',
        end: '2020-01-01T00:00:00Z',
      }),
      'timestamp-order',
    );
    expectError(
      nt({
        dst_ref: 'ipv4-addr--4d22aae0-2bf9-5427-8819-e4f6abf20a53',
        extensions: { 'icmp-ext': { icmp_type_hex: '0' } },
      }),
      'required-property',
    );
    expectError(
      { type: 'mac-addr', id: 'mac-addr--65cfcf98-8a6e-5a1b-8f61-379ac4f92d00', value: 'D2:FB:49:24:37:18' },
      'value-format',
    );
    expectError(
      { type: 'process', id: 'process--f52a906a-0dfc-40bd-92f1-e7778ead38a9' },
      'required-property',
      '$',
    );
    expectError(
      { type: 'process', id: 'process--f52a906a-0dfc-50bd-92f1-e7778ead38a9', pid: 1 },
      'uuid-version',
    );
    expectError({ type: 'file', id: 'file--5a27d487-c542-5f97-a131-a8866b477b46' }, 'property-combination');
    expectError(
      {
        type: 'artifact',
        id: 'artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641',
        payload_bin: 'YWJj',
        url: 'https://x',
        hashes: { MD5: 'a'.repeat(32) },
      },
      'property-combination',
    );
    expectError(
      {
        type: 'email-message',
        id: 'email-message--0c57a381-2a17-5e61-8754-5ef96efb286c',
        is_multipart: false,
        body_multipart: [{ body: 'x' }],
      },
      'property-combination',
    );
    expectOk({
      type: 'domain-name',
      spec_version: '2.1',
      id: 'domain-name--3c10e93f-798e-5a26-a0c1-08156efab7f5',
      value: 'example.com',
    });
  });
  it('extension keys', () => {
    expectError(indicator({ extensions: { whatever: { a: 1 } } }), 'extension-key');
    expectError(
      indicator({
        extensions: {
          'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e': { extension_type: 'new-thing' },
        },
      }),
      'enum-value',
    );
    expectOk(
      indicator({
        x_toplevel: 1,
        extensions: {
          'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e': {
            extension_type: 'toplevel-property-extension',
          },
        },
      }),
    );
  });
});

describe('STIX validation: custom objects', () => {
  it('accepts x- custom objects and ATT&CK x-mitre types', () => {
    expectOk(sdo('x-mitre-tactic', { name: 'Collection', x_mitre_shortname: 'collection' }));
    expectWarning(sdo('acme-thing', { name: 'x' }), 'custom-prefix');
  });
  it('accepts new-sdo objects defined by an extension-definition', () => {
    const v = expectOk(
      sdo('acme-widget', {
        name: 'x',
        extensions: {
          'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e': { extension_type: 'new-sdo' },
        },
      }),
    );
    assert.deepEqual(v.warnings, []);
  });
  it('rejects invalid type names and bundles', () => {
    expectError(sdo('X_Bad'), 'type-name');
    expectError(
      { type: 'bundle', id: 'bundle--6b616fc1-1505-48e3-8b2c-0d19337bff38', objects: [] },
      'object-type',
    );
  });
});

describe('STIX validation: SHOULD rules are warnings unless strict', () => {
  it('open vocabularies', () => {
    expectWarning(indicator({ indicator_types: ['evil'] }), 'vocabulary');
    expectWarning(sdo('malware', { is_family: false, malware_types: ['mystery'] }), 'vocabulary');
    expectWarning(sdo('identity', { name: 'x', identity_class: 'alien' }), 'vocabulary');
  });
  it('UUID versions', () => {
    expectWarning(indicator({ id: 'indicator--8e2e2d2b-17d4-1cbf-938f-98ee46b3cd3f' }), 'uuid-version');
    expectWarning(
      { type: 'domain-name', id: 'domain-name--3c10e93f-798e-4a26-a0c1-08156efab7f5', value: 'x.com' },
      'uuid-version',
    );
  });
  it('indicator name/description, deprecated properties, custom prefixes', () => {
    expectWarning(without(indicator(), 'name'), 'indicator-name');
    expectWarning(without(indicator(), 'description'), 'indicator-description');
    expectWarning(indicator({ acme_score: 1 }), 'custom-prefix');
    expectWarning(
      sdo('observed-data', {
        first_observed: '2020-01-01T00:00:00Z',
        last_observed: '2020-01-01T00:00:00Z',
        number_observed: 1,
        objects: { '0': { type: 'ipv4-addr', value: '1.2.3.4' } },
      }),
      'deprecated-property',
    );
  });
  it('strict turns warnings into errors', () => {
    const o = indicator({ indicator_types: ['evil'] });
    assert.equal(validateStixObject(o).ok, true);
    const v = validateStixObject(o, { strict: true });
    assert.equal(v.ok, false);
    assert.equal(v.errors[0]?.rule, 'vocabulary');
    assert.deepEqual(v.warnings, []);
    assert.equal(validateStixObject(indicator(), { strict: true }).ok, true);
  });
});

describe('STIX validation: TLP markings', () => {
  it('accepts the published TLP 1.0 marking definitions', () => {
    for (const m of TLP1_MARKINGS.values()) assert.deepEqual(validateStixObject(m).errors, []);
  });
  it('rejects altered TLP 1.0 markings and home-made TLP markings', () => {
    const green = TLP1_MARKINGS.get(TLP_GREEN_1) as unknown as Obj;
    expectError({ ...green, created: '2018-01-01T00:00:00.000Z' }, 'tlp1-marking', '$.created');
    expectError({ ...green, definition: { tlp: 'red' } }, 'tlp1-marking', '$.definition');
    expectError({ ...green, name: 'green' }, 'tlp1-marking', '$.name');
    expectError(
      { ...green, id: 'marking-definition--0d3a7d5e-6a9c-4a4e-9c0d-d1f2e6c1b1a0' },
      'tlp1-marking',
      '$.id',
    );
    expectError({ ...green, definition: { tlp: 'purple' } }, 'enum-value');
  });
  it('accepts statement markings', () => {
    expectOk({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168',
      created: '2017-06-01T00:00:00.000Z',
      created_by_ref: IDENTITY_ID,
      definition_type: 'statement',
      definition: { statement: 'Copyright 2017, The MITRE Corporation' },
    });
    expectError(
      {
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168',
        created: '2017-06-01T00:00:00.000Z',
        definition_type: 'statement',
        definition: { text: 'x' },
      },
      'required-property',
      '$.definition.statement',
    );
  });
  it('recognises the five TLP 2.0 marking definitions', () => {
    for (const level of TLP2_MARKINGS.values()) {
      const m = tlp2Marking(level);
      const v = validateStixObject(m);
      assert.deepEqual(v.errors, [], level);
      assert.deepEqual(v.warnings, [], level);
    }
  });
  it('rejects TLP 2.0 markings with the wrong level', () => {
    const red = tlp2Marking('red') as Obj;
    expectError(
      {
        ...red,
        extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'clear' } },
      },
      'tlp2-marking',
    );
    expectError(
      {
        ...red,
        extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'pink' } },
        id: 'marking-definition--0d3a7d5e-6a9c-4a4e-9c0d-d1f2e6c1b1a0',
      },
      'tlp2-marking',
    );
    expectError(
      indicator({
        extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: 'red' } },
      }),
      'tlp2-marking',
    );
  });
  it('objects may reference TLP 2.0 markings', () => {
    expectOk(indicator({ object_marking_refs: [...TLP2_MARKINGS.keys()] }));
  });
});

describe('STIX validation: Incident Core Extension', () => {
  const EXT = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
  const incident = (ext: Obj): Obj => sdo('incident', { name: 'Phishing wave', extensions: { [EXT]: ext } });
  const good = {
    extension_type: 'property-extension',
    determination: 'successful-attempt',
    investigation_status: 'open',
    criticality: 70,
    detection_methods: ['user-reporting'],
    impacted_entity_counts: { individual: 100, system: 3 },
    incident_types: ['unauthorized-access'],
    recoverability: 'regular',
    scores: [{ name: 'Acme Exposure Score', value: 7.5 }],
  };
  it('accepts a full extension', () => {
    const v = expectOk(incident(good));
    assert.deepEqual(v.warnings, []);
  });
  it('requires determination, investigation_status and extension_type', () => {
    expectError(incident(without(good, 'determination')), 'required-property');
    expectError(incident(without(good, 'investigation_status')), 'required-property');
    expectError(incident(without(good, 'extension_type')), 'required-property');
  });
  it('checks enumerations, ranges and counts', () => {
    expectError(incident({ ...good, determination: 'maybe' }), 'enum-value');
    expectError(incident({ ...good, recoverability: 'soon' }), 'enum-value');
    expectError(incident({ ...good, criticality: 101 }), 'value-range');
    expectError(incident({ ...good, impacted_entity_counts: { individual: -1 } }), 'value-range');
    expectError(incident({ ...good, scores: [{ value: 1 }] }), 'required-property');
    expectError(incident({ ...good, extension_type: 'new-sdo' }), 'enum-value');
  });
  it('warns on open vocabulary values', () => {
    expectWarning(incident({ ...good, investigation_status: 'pending' }), 'vocabulary');
    expectWarning(incident({ ...good, incident_types: ['weird'] }), 'vocabulary');
  });
  it('applies to incidents only', () => {
    expectError(indicator({ extensions: { [EXT]: good } }), 'incident-core-extension');
  });
});
