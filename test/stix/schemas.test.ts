/**
 * The per-type property tables of STIX 2.1, restated from the specification (sections 4–7: each
 * SDO, SRO, SCO and meta object; section 6's predefined SCO extensions and their nested types;
 * the Incident Core Extension 2.0) and checked through the validator's public entry point, entry
 * by entry: each required property removed is refused at its path, each property given a value
 * of the wrong JSON type is refused at exactly its path, a value of the right type is accepted,
 * and each enumeration takes every one of its values and refuses one that is not.
 */
import assert from 'node:assert/strict';
import { validateStixObject } from '../../server/stix/validate';
import type { Obj } from './helpers';

const U4 = '31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const ref = (type: string) => `${type}--${U4}`;
const T = '2020-01-01T00:00:00Z';

/** The errors of a verdict, one line each: "rule path: message" (warnings are not asserted here). */
function errors(o: unknown): string[] {
  return validateStixObject(o).errors.map((e) => `${e.rule} ${e.path}: ${e.message}`);
}

const sdo = (type: string, extra: Obj = {}): Obj => ({
  type,
  spec_version: '2.1',
  id: ref(type),
  created: '2020-01-01T00:00:00.000Z',
  modified: '2020-01-01T00:00:00.000Z',
  ...extra,
});
const sco = (type: string, extra: Obj = {}): Obj => ({ type, spec_version: '2.1', id: ref(type), ...extra });

/**
 * A property's type: a value of that type, and values of other types with the issue each gets
 * ("@" stands for the property's path).
 */
interface Kind {
  ok: unknown;
  bad: [unknown, string | string[]][];
}
const kind = (ok: unknown, ...bad: [unknown, string | string[]][]): Kind => ({ ok, bad });
const STR = kind(
  'some text',
  [1, 'property-type @: must be string'],
  [['a'], 'property-type @: must be string'],
);
const BOOL = kind(
  true,
  ['true', 'property-type @: must be boolean'],
  [1, 'property-type @: must be boolean'],
);
const INT = kind(-7, [1.5, 'property-type @: must be integer'], ['7', 'property-type @: must be integer']);
const NONNEG = kind(0, [-1, 'value-range @: must be >= 0'], [2.5, 'property-type @: must be integer']);
const NUM = kind(1.5, ['1.5', 'property-type @: must be number']);
const TS = kind(T, [20200101, 'property-type @: must be string']);
const HEX = kind('0a1B', [10, 'property-type @: must be string']);
const STRS = kind(
  ['a', 'b'],
  ['a', 'property-type @: must be array'],
  [[1], 'property-type @[0]: must be string'],
);
const DICT = kind(
  { some_key: 'v' },
  ['k', 'property-type @: must be object'],
  [['k'], 'property-type @: must be object'],
);
const HASHES = kind({ MD5: 'd41d8cd98f00b204e9800998ecf8427e' }, ['x', 'property-type @: must be object']);
/** A reference to an object of the type (the first target the specification allows). */
const REF = (type: string) => kind(ref(type), [1, 'property-type @: must be string']);
const REFS = (type: string) =>
  kind(
    [ref(type)],
    [ref(type), 'property-type @: must be array'],
    [[1], 'property-type @[0]: must be string'],
  );
const KCP = kind(
  [{ kill_chain_name: 'lockheed-martin-cyber-kill-chain', phase_name: 'reconnaissance' }],
  [{ kill_chain_name: 'k', phase_name: 'p' }, 'property-type @: must be array'],
  [
    [{ kill_chain_name: 'k' }],
    "required-property @[0].phase_name: required property 'phase_name' is missing",
  ],
);
/** The same text in the other case: enumerations are case-sensitive. */
const flip = (s: string) => (s === s.toUpperCase() ? s.toLowerCase() : s.toUpperCase());
const enumMessage = (values: string[]) => `must be one of: ${values.join(', ')}`;

/**
 * One place the specification defines properties: a STIX object, or a nested structure placed
 * into a valid object by `wrap` at JSON path `at`.
 */
interface Shape {
  name: string;
  /** A minimal valid content (its required properties, and what a constraint asks for). */
  base: Obj;
  /** Puts a content into a whole object (default: the content is the object). */
  wrap?: (content: Obj) => unknown;
  at?: string;
  /** Required properties of this shape (for objects: beyond the common ones). */
  required: string[];
  props: Record<string, Kind>;
  /** Enumerations: property → every allowed value, in the specification's order. */
  enums?: Record<string, string[]>;
  /** All of its properties are optional, and at least one MUST be present. */
  atLeastOne?: boolean;
}

const propPath = (at: string, p: string) =>
  /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `${at}.${p}` : `${at}['${p}']`;

const SDOS: Shape[] = [
  {
    name: 'attack-pattern',
    base: sdo('attack-pattern', { name: 'Spear Phishing' }),
    required: ['name'],
    props: { name: STR, description: STR, aliases: STRS, kill_chain_phases: KCP },
  },
  {
    name: 'campaign',
    base: sdo('campaign', { name: 'Green Group Attacks Against Finance' }),
    required: ['name'],
    props: { name: STR, description: STR, aliases: STRS, first_seen: TS, last_seen: TS, objective: STR },
  },
  {
    name: 'course-of-action',
    base: sdo('course-of-action', { name: 'Add TCP port 80 Filter Rule' }),
    required: ['name'],
    props: { name: STR, description: STR },
  },
  {
    name: 'grouping',
    base: sdo('grouping', { context: 'suspicious-activity', object_refs: [ref('indicator')] }),
    required: ['context', 'object_refs'],
    props: { name: STR, description: STR, context: STR, object_refs: REFS('indicator') },
  },
  {
    name: 'identity',
    base: sdo('identity', { name: 'John Smith' }),
    required: ['name'],
    props: {
      name: STR,
      description: STR,
      roles: STRS,
      identity_class: STR,
      sectors: STRS,
      contact_information: STR,
    },
  },
  {
    name: 'incident',
    base: sdo('incident', { name: 'Breach' }),
    required: ['name'],
    props: { name: STR, description: STR, kill_chain_phases: KCP },
  },
  {
    name: 'indicator',
    base: sdo('indicator', {
      pattern: "[ipv4-addr:value = '198.51.100.1']",
      pattern_type: 'stix',
      valid_from: '2016-01-01T00:00:00Z',
    }),
    required: ['pattern', 'pattern_type', 'valid_from'],
    props: {
      name: STR,
      description: STR,
      indicator_types: STRS,
      pattern: kind("[url:value = 'http://x.example/']", [1, 'property-type @: must be string']),
      pattern_type: kind('snort', [1, 'property-type @: must be string']),
      pattern_version: kind('2.1', [2.1, 'property-type @: must be string']),
      valid_from: TS,
      valid_until: TS,
      kill_chain_phases: KCP,
    },
  },
  {
    name: 'infrastructure',
    base: sdo('infrastructure', { name: 'Poison Ivy C2' }),
    required: ['name'],
    props: {
      name: STR,
      description: STR,
      infrastructure_types: STRS,
      aliases: STRS,
      kill_chain_phases: KCP,
      first_seen: TS,
      last_seen: TS,
    },
  },
  {
    name: 'intrusion-set',
    base: sdo('intrusion-set', { name: 'Bobcat Breakin' }),
    required: ['name'],
    props: {
      name: STR,
      description: STR,
      aliases: STRS,
      first_seen: TS,
      last_seen: TS,
      goals: STRS,
      resource_level: STR,
      primary_motivation: STR,
      secondary_motivations: STRS,
    },
  },
  {
    name: 'location',
    base: sdo('location', { latitude: 48.8566, longitude: 2.3522 }),
    required: [],
    props: {
      name: STR,
      description: STR,
      latitude: kind(48.8566, ['48.8', 'property-type @: must be number']),
      longitude: kind(2.3522, ['2.3', 'property-type @: must be number']),
      precision: kind(1000.0, ['1000', 'property-type @: must be number']),
      region: STR,
      country: STR,
      administrative_area: STR,
      city: STR,
      street_address: STR,
      postal_code: STR,
    },
  },
  {
    name: 'malware',
    base: sdo('malware', { is_family: false }),
    required: ['is_family'],
    props: {
      name: STR,
      description: STR,
      malware_types: STRS,
      is_family: kind(false, ['true', 'property-type @: must be boolean']),
      aliases: STRS,
      kill_chain_phases: KCP,
      first_seen: TS,
      last_seen: TS,
      operating_system_refs: REFS('software'),
      architecture_execution_envs: STRS,
      implementation_languages: STRS,
      capabilities: STRS,
      sample_refs: REFS('file'),
    },
  },
  {
    name: 'malware-analysis',
    base: sdo('malware-analysis', { product: 'microsoft', result: 'malicious' }),
    required: ['product'],
    props: {
      product: STR,
      version: STR,
      host_vm_ref: REF('software'),
      operating_system_ref: REF('software'),
      installed_software_refs: REFS('software'),
      configuration_version: STR,
      modules: STRS,
      analysis_engine_version: STR,
      analysis_definition_version: STR,
      submitted: TS,
      analysis_started: TS,
      analysis_ended: TS,
      result_name: STR,
      result: STR,
      analysis_sco_refs: REFS('file'),
      sample_ref: REF('file'),
    },
  },
  {
    name: 'note',
    base: sdo('note', { content: 'This note indicates…', object_refs: [ref('campaign')] }),
    required: ['content', 'object_refs'],
    props: { abstract: STR, content: STR, authors: STRS, object_refs: REFS('campaign') },
  },
  {
    name: 'observed-data',
    base: sdo('observed-data', {
      first_observed: T,
      last_observed: T,
      number_observed: 50,
      object_refs: [ref('ipv4-addr')],
    }),
    required: ['first_observed', 'last_observed', 'number_observed'],
    props: {
      first_observed: TS,
      last_observed: TS,
      number_observed: kind(999999999, [1.5, 'property-type @: must be integer']),
      object_refs: REFS('ipv4-addr'),
    },
  },
  {
    name: 'opinion',
    base: sdo('opinion', { opinion: 'agree', object_refs: [ref('indicator')] }),
    required: ['opinion', 'object_refs'],
    props: { explanation: STR, authors: STRS, object_refs: REFS('indicator') },
    enums: { opinion: ['strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'] },
  },
  {
    name: 'report',
    base: sdo('report', {
      name: 'The Black Vine Cyberespionage Group',
      published: T,
      object_refs: [ref('indicator')],
    }),
    required: ['name', 'published', 'object_refs'],
    props: { name: STR, description: STR, report_types: STRS, published: TS, object_refs: REFS('indicator') },
  },
  {
    name: 'threat-actor',
    base: sdo('threat-actor', { name: 'Evil Org' }),
    required: ['name'],
    props: {
      name: STR,
      description: STR,
      threat_actor_types: STRS,
      aliases: STRS,
      first_seen: TS,
      last_seen: TS,
      roles: STRS,
      goals: STRS,
      sophistication: STR,
      resource_level: STR,
      primary_motivation: STR,
      secondary_motivations: STRS,
      personal_motivations: STRS,
    },
  },
  {
    name: 'tool',
    base: sdo('tool', { name: 'VNC' }),
    required: ['name'],
    props: {
      name: STR,
      description: STR,
      tool_types: STRS,
      aliases: STRS,
      kill_chain_phases: KCP,
      tool_version: STR,
    },
  },
  {
    name: 'vulnerability',
    base: sdo('vulnerability', { name: 'CVE-2016-1234' }),
    required: ['name'],
    props: { name: STR, description: STR },
  },
  {
    name: 'relationship',
    base: sdo('relationship', {
      relationship_type: 'indicates',
      source_ref: ref('indicator'),
      target_ref: ref('malware'),
    }),
    required: ['relationship_type', 'source_ref', 'target_ref'],
    props: {
      relationship_type: kind('targets', [1, 'property-type @: must be string']),
      description: STR,
      source_ref: REF('indicator'),
      target_ref: REF('malware'),
      start_time: TS,
      stop_time: kind('2030-01-01T00:00:00Z', [1, 'property-type @: must be string']),
    },
  },
  {
    name: 'sighting',
    base: sdo('sighting', { sighting_of_ref: ref('indicator') }),
    required: ['sighting_of_ref'],
    props: {
      description: STR,
      first_seen: TS,
      last_seen: TS,
      count: kind(0, [1.5, 'property-type @: must be integer']),
      sighting_of_ref: REF('indicator'),
      observed_data_refs: REFS('observed-data'),
      where_sighted_refs: REFS('identity'),
      summary: BOOL,
    },
  },
  {
    name: 'language-content',
    base: sdo('language-content', {
      object_ref: ref('campaign'),
      contents: { de: { name: 'Bank Angriff 1' } },
    }),
    required: ['object_ref', 'contents'],
    props: {
      object_ref: REF('campaign'),
      object_modified: kind('2017-02-08T21:31:22.007Z', [1, 'property-type @: must be string']),
      contents: kind({ fr: { description: 'x' } }, ['x', 'property-type @: must be object']),
    },
  },
  {
    name: 'extension-definition',
    base: sdo('extension-definition', {
      created_by_ref: ref('identity'),
      name: 'Extension Foo Bar',
      schema: 'https://www.example.com/schema-foo-1/v1/',
      version: '1.2.1',
      extension_types: ['new-sdo'],
    }),
    required: ['created_by_ref', 'name', 'schema', 'version', 'extension_types'],
    props: {
      name: STR,
      description: STR,
      schema: STR,
      version: STR,
      extension_types: kind(['property-extension'], ['new-sdo', 'property-type @: must be array']),
      extension_properties: STRS,
    },
  },
];

const TLP_GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';
const STATEMENT = {
  type: 'marking-definition',
  spec_version: '2.1',
  id: ref('marking-definition'),
  created: '2016-08-01T00:00:00.000Z',
  definition_type: 'statement',
  definition: { statement: 'Copyright 2019, Example Corp' },
};
const MARKING: Shape = {
  name: 'marking-definition',
  base: STATEMENT,
  required: ['spec_version', 'id', 'created'],
  props: {
    spec_version: kind('2.1', [
      2.1,
      ['property-type @: must be string', 'enum-value @: must be one of: 2.1'],
    ]),
    id: REF('marking-definition'),
    created_by_ref: REF('identity'),
    created: kind('2016-08-01T00:00:00.123Z', [1, 'property-type @: must be string']),
    external_references: kind(
      [{ source_name: 'x' }],
      [{ source_name: 'x' }, 'property-type @: must be array'],
    ),
    object_marking_refs: kind([TLP_GREEN], [TLP_GREEN, 'property-type @: must be array']),
    granular_markings: kind(
      [{ marking_ref: TLP_GREEN, selectors: ['definition'] }],
      ['x', 'property-type @: must be array'],
    ),
    extensions: kind({ [`extension-definition--${U4}`]: { extension_type: 'property-extension' } }, [
      'x',
      'property-type @: must be object',
    ]),
    name: STR,
    definition_type: kind('statement', [1, 'property-type @: must be string']),
  },
};

const SCOS: Shape[] = [
  {
    name: 'artifact',
    base: sco('artifact', { mime_type: 'image/jpeg', payload_bin: 'VBORw0KGgoAAAANSUhEUgAAADI==' }),
    required: [],
    props: {
      mime_type: STR,
      payload_bin: kind('aGVsbG8=', [1, 'property-type @: must be string']),
      hashes: HASHES,
      decryption_key: STR,
    },
    enums: { encryption_algorithm: ['AES-256-GCM', 'ChaCha20-Poly1305', 'mime-type-indicated'] },
  },
  {
    name: 'autonomous-system',
    base: sco('autonomous-system', { number: 15139 }),
    required: ['number'],
    props: { number: NONNEG, name: STR, rir: STR },
  },
  {
    name: 'directory',
    base: sco('directory', { path: 'C:\\Windows\\System32' }),
    required: ['path'],
    props: { path: STR, path_enc: STR, ctime: TS, mtime: TS, atime: TS, contains_refs: REFS('file') },
  },
  {
    name: 'domain-name',
    base: sco('domain-name', { value: 'example.com' }),
    required: ['value'],
    props: {
      value: kind('www.example.com', [1, 'property-type @: must be string']),
      resolves_to_refs: REFS('ipv4-addr'),
    },
  },
  {
    name: 'email-addr',
    base: sco('email-addr', { value: 'john@example.com' }),
    required: ['value'],
    props: {
      value: kind('jane@example.com', [1, 'property-type @: must be string']),
      display_name: STR,
      belongs_to_ref: REF('user-account'),
    },
  },
  {
    name: 'email-message',
    base: sco('email-message', { is_multipart: false }),
    required: ['is_multipart'],
    props: {
      is_multipart: kind(false, ['false', 'property-type @: must be boolean']),
      date: TS,
      content_type: STR,
      from_ref: REF('email-addr'),
      sender_ref: REF('email-addr'),
      to_refs: REFS('email-addr'),
      cc_refs: REFS('email-addr'),
      bcc_refs: REFS('email-addr'),
      message_id: STR,
      subject: STR,
      received_lines: STRS,
      additional_header_fields: DICT,
      body: STR,
      raw_email_ref: REF('artifact'),
    },
  },
  {
    name: 'file',
    base: sco('file', { name: 'qwerty.dll' }),
    required: [],
    props: {
      hashes: HASHES,
      size: NONNEG,
      name: STR,
      name_enc: STR,
      magic_number_hex: HEX,
      mime_type: STR,
      ctime: TS,
      mtime: TS,
      atime: TS,
      parent_directory_ref: REF('directory'),
      contains_refs: REFS('file'),
      content_ref: REF('artifact'),
    },
  },
  {
    name: 'ipv4-addr',
    base: sco('ipv4-addr', { value: '198.51.100.3' }),
    required: ['value'],
    props: {
      value: kind('198.51.100.0/24', [1, 'property-type @: must be string']),
      resolves_to_refs: REFS('mac-addr'),
      belongs_to_refs: REFS('autonomous-system'),
    },
  },
  {
    name: 'ipv6-addr',
    base: sco('ipv6-addr', { value: '2001:0db8:85a3:0000:0000:8a2e:0370:7334' }),
    required: ['value'],
    props: {
      value: kind('2001:0db8::/96', [1, 'property-type @: must be string']),
      resolves_to_refs: REFS('mac-addr'),
      belongs_to_refs: REFS('autonomous-system'),
    },
  },
  {
    name: 'mac-addr',
    base: sco('mac-addr', { value: 'd2:fb:49:24:37:18' }),
    required: ['value'],
    props: { value: kind('00:00:5e:00:53:af', [1, 'property-type @: must be string']) },
  },
  {
    name: 'mutex',
    base: sco('mutex', { name: '__CLEANSWEEP__' }),
    required: ['name'],
    props: { name: STR },
  },
  {
    name: 'network-traffic',
    base: sco('network-traffic', { src_ref: ref('ipv4-addr'), protocols: ['ipv4', 'tcp'] }),
    required: ['protocols'],
    props: {
      start: TS,
      end: kind('2030-01-01T00:00:00Z', [1, 'property-type @: must be string']),
      is_active: kind(false, ['false', 'property-type @: must be boolean']),
      src_ref: REF('ipv4-addr'),
      dst_ref: REF('ipv6-addr'),
      src_port: kind(0, [80.5, 'property-type @: must be integer']),
      dst_port: kind(65535, ['80', 'property-type @: must be integer']),
      protocols: kind(['ipv6', 'udp'], ['tcp', 'property-type @: must be array']),
      src_byte_count: NONNEG,
      dst_byte_count: NONNEG,
      src_packets: NONNEG,
      dst_packets: NONNEG,
      ipfix: DICT,
      src_payload_ref: REF('artifact'),
      dst_payload_ref: REF('artifact'),
      encapsulates_refs: REFS('network-traffic'),
      encapsulated_by_ref: REF('network-traffic'),
    },
  },
  {
    name: 'process',
    base: sco('process', { pid: 1221 }),
    required: [],
    props: {
      is_hidden: BOOL,
      pid: INT,
      created_time: TS,
      cwd: STR,
      command_line: STR,
      environment_variables: DICT,
      opened_connection_refs: REFS('network-traffic'),
      creator_user_ref: REF('user-account'),
      image_ref: REF('file'),
      parent_ref: REF('process'),
      child_refs: REFS('process'),
    },
  },
  {
    name: 'software',
    base: sco('software', { name: 'Word' }),
    required: ['name'],
    props: { name: STR, cpe: STR, swid: STR, languages: STRS, vendor: STR, version: STR },
  },
  {
    name: 'url',
    base: sco('url', { value: 'https://example.com/research/index.html' }),
    required: ['value'],
    props: { value: kind('https://example.org/', [1, 'property-type @: must be string']) },
  },
  {
    name: 'user-account',
    base: sco('user-account', { user_id: '1001' }),
    required: [],
    props: {
      user_id: STR,
      credential: STR,
      account_login: STR,
      account_type: STR,
      display_name: STR,
      is_service_account: BOOL,
      is_privileged: BOOL,
      can_escalate_privs: BOOL,
      is_disabled: BOOL,
      account_created: TS,
      account_expires: TS,
      credential_last_changed: TS,
      account_first_login: TS,
      account_last_login: TS,
    },
  },
  {
    name: 'windows-registry-key',
    base: sco('windows-registry-key', { key: 'hkey_local_machine\\system\\bar\\foo' }),
    required: [],
    props: {
      key: STR,
      values: kind(
        [{ name: 'Foo', data: 'qwerty', data_type: 'REG_SZ' }],
        [{ name: 'Foo' }, 'property-type @: must be array'],
      ),
      modified_time: TS,
      creator_user_ref: REF('user-account'),
      number_of_subkeys: NONNEG,
    },
  },
  {
    name: 'x509-certificate',
    base: sco('x509-certificate', {
      serial_number: '36:f7:d4:32:f4:ab:70:ea:d3:ce:98:6e:ea:99:93:49:32:0a:b7:06',
    }),
    required: [],
    props: {
      is_self_signed: BOOL,
      hashes: HASHES,
      version: STR,
      serial_number: STR,
      signature_algorithm: STR,
      issuer: STR,
      validity_not_before: TS,
      validity_not_after: TS,
      subject: STR,
      subject_public_key_algorithm: STR,
      subject_public_key_modulus: STR,
      subject_public_key_exponent: NONNEG,
      x509_v3_extensions: kind({ basic_constraints: 'CA:TRUE' }, ['x', 'property-type @: must be object']),
    },
  },
];

/** A nested structure of an SCO (or an extension) inside a valid parent. */
function inside(
  name: string,
  parent: Obj,
  at: string,
  place: (content: Obj) => Obj,
): Pick<Shape, 'name' | 'wrap' | 'at'> {
  return { name, wrap: (c) => ({ ...parent, ...place(c) }), at };
}
const ext = (parent: Obj, extName: string) =>
  inside(`${String(parent.type)} ${extName}`, parent, `$.extensions['${extName}']`, (c) => ({
    extensions: { [extName]: c },
  }));
const FILE = sco('file', { name: 'foo.exe' });
const TRAFFIC = sco('network-traffic', { src_ref: ref('ipv4-addr'), protocols: ['tcp'] });
const PROCESS = sco('process', { pid: 314 });
const ACCOUNT = sco('user-account', { user_id: '1001' });

const NESTED: Shape[] = [
  {
    ...inside(
      'email-message MIME part',
      sco('email-message', { is_multipart: true }),
      '$.body_multipart[0]',
      (c) => ({
        body_multipart: [c],
      }),
    ),
    base: { content_type: 'text/plain; charset=utf-8', body: 'Cats are funny!' },
    required: [],
    props: { body: STR, body_raw_ref: REF('artifact'), content_type: STR, content_disposition: STR },
  },
  {
    ...inside(
      'windows-registry-key value',
      sco('windows-registry-key', { key: 'hkey_local_machine\\x' }),
      '$.values[0]',
      (c) => ({
        values: [c],
      }),
    ),
    base: { name: 'Foo' },
    required: [],
    props: { name: STR, data: STR },
    enums: {
      data_type: [
        'REG_NONE',
        'REG_SZ',
        'REG_EXPAND_SZ',
        'REG_BINARY',
        'REG_DWORD',
        'REG_DWORD_BIG_ENDIAN',
        'REG_DWORD_LITTLE_ENDIAN',
        'REG_LINK',
        'REG_MULTI_SZ',
        'REG_RESOURCE_LIST',
        'REG_FULL_RESOURCE_DESCRIPTION',
        'REG_RESOURCE_REQUIREMENTS_LIST',
        'REG_QWORD',
        'REG_INVALID_TYPE',
      ],
    },
    atLeastOne: true,
  },
  {
    ...inside(
      'x509 v3 extensions',
      sco('x509-certificate', { serial_number: '01' }),
      '$.x509_v3_extensions',
      (c) => ({
        x509_v3_extensions: c,
      }),
    ),
    base: { basic_constraints: 'critical,CA:TRUE, pathlen:0' },
    required: [],
    props: {
      basic_constraints: STR,
      name_constraints: STR,
      policy_constraints: STR,
      key_usage: STR,
      extended_key_usage: STR,
      subject_key_identifier: STR,
      authority_key_identifier: STR,
      subject_alternative_name: STR,
      issuer_alternative_name: STR,
      subject_directory_attributes: STR,
      crl_distribution_points: STR,
      inhibit_any_policy: STR,
      private_key_usage_period_not_before: TS,
      private_key_usage_period_not_after: TS,
      certificate_policies: STR,
      policy_mappings: STR,
    },
  },
  {
    ...ext(FILE, 'archive-ext'),
    base: { contains_refs: [ref('file')] },
    required: ['contains_refs'],
    props: { contains_refs: REFS('file'), comment: STR },
  },
  {
    ...ext(FILE, 'ntfs-ext'),
    base: { sid: '1234567' },
    required: [],
    props: {
      sid: STR,
      alternate_data_streams: kind(
        [{ name: 'second.stream', size: 25536 }],
        [{ name: 's' }, 'property-type @: must be array'],
      ),
    },
    atLeastOne: true,
  },
  {
    ...inside(
      'ntfs-ext alternate data stream',
      FILE,
      "$.extensions['ntfs-ext'].alternate_data_streams[0]",
      (c) => ({
        extensions: { 'ntfs-ext': { alternate_data_streams: [c] } },
      }),
    ),
    base: { name: 'second.stream' },
    required: ['name'],
    props: { name: STR, hashes: HASHES, size: NONNEG },
  },
  {
    ...ext(FILE, 'pdf-ext'),
    base: { version: '1.7' },
    required: [],
    props: { version: STR, is_optimized: BOOL, document_info_dict: DICT, pdfid0: STR, pdfid1: STR },
    atLeastOne: true,
  },
  {
    ...ext(FILE, 'raster-image-ext'),
    base: { image_height: 768 },
    required: [],
    props: { image_height: INT, image_width: INT, bits_per_pixel: INT, exif_tags: DICT },
    atLeastOne: true,
  },
  {
    ...ext(FILE, 'windows-pebinary-ext'),
    base: { pe_type: 'exe' },
    required: ['pe_type'],
    props: {
      pe_type: STR,
      imphash: STR,
      machine_hex: HEX,
      number_of_sections: NONNEG,
      time_date_stamp: TS,
      pointer_to_symbol_table_hex: HEX,
      number_of_symbols: NONNEG,
      size_of_optional_header: NONNEG,
      characteristics_hex: HEX,
      file_header_hashes: HASHES,
      optional_header: kind({ magic_hex: '010b' }, ['x', 'property-type @: must be object']),
      sections: kind(
        [{ name: '.data', size: 4096, entropy: 7.98 }],
        [{ name: '.data' }, 'property-type @: must be array'],
      ),
    },
  },
  {
    ...inside(
      'windows-pebinary-ext section',
      FILE,
      "$.extensions['windows-pebinary-ext'].sections[0]",
      (c) => ({
        extensions: { 'windows-pebinary-ext': { pe_type: 'dll', sections: [c] } },
      }),
    ),
    base: { name: '.text' },
    required: ['name'],
    props: { name: STR, size: NONNEG, entropy: NUM, hashes: HASHES },
  },
  {
    ...ext(TRAFFIC, 'http-request-ext'),
    base: { request_method: 'get', request_value: '/download.html' },
    required: ['request_method', 'request_value'],
    props: {
      request_method: STR,
      request_value: STR,
      request_version: STR,
      request_header: DICT,
      message_body_length: NONNEG,
      message_body_data_ref: REF('artifact'),
    },
  },
  {
    ...ext(TRAFFIC, 'icmp-ext'),
    base: { icmp_type_hex: '08', icmp_code_hex: '00' },
    required: ['icmp_type_hex', 'icmp_code_hex'],
    props: { icmp_type_hex: HEX, icmp_code_hex: HEX },
  },
  {
    ...ext(TRAFFIC, 'socket-ext'),
    base: { address_family: 'AF_INET' },
    required: ['address_family'],
    props: {
      is_blocking: BOOL,
      is_listening: BOOL,
      options: kind(
        { SO_TEST: 1000 },
        ['x', 'property-type @: must be object'],
        [{ SO_TEST: 'on' }, 'property-type @.SO_TEST: must be integer'],
      ),
      socket_descriptor: NONNEG,
      socket_handle: INT,
    },
    enums: {
      address_family: [
        'AF_UNSPEC',
        'AF_INET',
        'AF_IPX',
        'AF_APPLETALK',
        'AF_NETBIOS',
        'AF_INET6',
        'AF_IRDA',
        'AF_BTH',
      ],
      socket_type: ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_RDM', 'SOCK_SEQPACKET'],
    },
  },
  {
    ...ext(TRAFFIC, 'tcp-ext'),
    base: { src_flags_hex: '00000002' },
    required: [],
    props: { src_flags_hex: HEX, dst_flags_hex: HEX },
    atLeastOne: true,
  },
  {
    ...ext(PROCESS, 'windows-process-ext'),
    base: { aslr_enabled: true },
    required: [],
    props: {
      aslr_enabled: BOOL,
      dep_enabled: BOOL,
      priority: STR,
      owner_sid: STR,
      window_title: STR,
      startup_info: DICT,
    },
    enums: { integrity_level: ['low', 'medium', 'high', 'system'] },
    atLeastOne: true,
  },
  {
    ...ext(PROCESS, 'windows-service-ext'),
    base: { service_name: 'sirvizio' },
    required: [],
    props: {
      service_name: STR,
      descriptions: STRS,
      display_name: STR,
      group_name: STR,
      service_dll_refs: REFS('file'),
    },
    enums: {
      start_type: [
        'SERVICE_AUTO_START',
        'SERVICE_BOOT_START',
        'SERVICE_DEMAND_START',
        'SERVICE_DISABLED',
        'SERVICE_SYSTEM_ALERT',
      ],
      service_type: [
        'SERVICE_KERNEL_DRIVER',
        'SERVICE_FILE_SYSTEM_DRIVER',
        'SERVICE_WIN32_OWN_PROCESS',
        'SERVICE_WIN32_SHARE_PROCESS',
      ],
      service_status: [
        'SERVICE_CONTINUE_PENDING',
        'SERVICE_PAUSE_PENDING',
        'SERVICE_PAUSED',
        'SERVICE_RUNNING',
        'SERVICE_START_PENDING',
        'SERVICE_STOP_PENDING',
        'SERVICE_STOPPED',
      ],
    },
    atLeastOne: true,
  },
  {
    ...ext(ACCOUNT, 'unix-account-ext'),
    base: { gid: 1001 },
    required: [],
    props: { gid: INT, groups: STRS, home_dir: STR, shell: STR },
    atLeastOne: true,
  },
];

const INCIDENT_CORE = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
const CORE_AT = `$.extensions['${INCIDENT_CORE}']`;
const CORE: Shape = {
  ...inside('incident core extension', sdo('incident', { name: 'Phishing' }), CORE_AT, (c) => ({
    extensions: { [INCIDENT_CORE]: c },
  })),
  base: { extension_type: 'property-extension', determination: 'suspected', investigation_status: 'new' },
  required: ['extension_type', 'determination', 'investigation_status'],
  props: {
    investigation_status: kind('closed', [1, 'property-type @: must be string']),
    criticality: kind(95, [9.5, 'property-type @: must be integer']),
    detection_methods: STRS,
    impacted_entity_counts: kind(
      { individual: 0, system: 1000 },
      ['x', 'property-type @: must be object'],
      [{ individual: 1.5 }, 'property-type @.individual: must be integer'],
    ),
    incident_types: STRS,
    scores: kind(
      [{ name: 'Automated Exposure Score', value: 8.5 }],
      [{ name: 's', value: 1 }, 'property-type @: must be array'],
    ),
  },
  enums: {
    determination: [
      'blocked',
      'successful-attempt',
      'failed-attempt',
      'false-positive',
      'low-value',
      'suspected',
    ],
    recoverability: ['extended', 'not-applicable', 'not-recoverable', 'regular', 'supplemented'],
  },
};
const CORE_SCORE: Shape = {
  ...inside('incident core score', sdo('incident', { name: 'Phishing' }), `${CORE_AT}.scores[0]`, (c) => ({
    extensions: { [INCIDENT_CORE]: { ...CORE.base, scores: [c] } },
  })),
  base: { name: 'Tool X Score', value: 42 },
  required: ['name', 'value'],
  props: { name: STR, value: NUM, description: STR },
};

const SHAPES: Shape[] = [...SDOS, MARKING, ...SCOS, ...NESTED, CORE, CORE_SCORE];

function check(shape: Shape): void {
  const at = shape.at ?? '$';
  const whole = (content: Obj) => (shape.wrap ? shape.wrap(content) : content);
  const withOut = (p: string) => {
    const c = { ...shape.base };
    delete c[p];
    return whole(c);
  };
  describe(shape.name, () => {
    it('its minimal form is valid', () => {
      assert.deepEqual(errors(whole(shape.base)), []);
    });
    if (shape.required.length > 0) {
      it(`requires ${shape.required.join(', ')}`, () => {
        for (const p of shape.required) {
          assert.deepEqual(errors(withOut(p)), [
            `required-property ${propPath(at, p)}: required property '${p}' is missing`,
          ]);
        }
      });
    }
    if (shape.atLeastOne) {
      it('holds at least one property', () => {
        assert.deepEqual(errors(whole({})), [`empty-value ${at}: must NOT have fewer than 1 properties`]);
      });
    }
    it('property types', () => {
      for (const [p, k] of Object.entries(shape.props)) {
        assert.deepEqual(errors(whole({ ...shape.base, [p]: k.ok })), [], `${p}: ${JSON.stringify(k.ok)}`);
        for (const [value, line] of k.bad) {
          assert.deepEqual(
            errors(whole({ ...shape.base, [p]: value })),
            (Array.isArray(line) ? line : [line]).map((l) => l.replace('@', propPath(at, p))),
            `${p}: ${JSON.stringify(value)}`,
          );
        }
      }
    });
    if (shape.enums) {
      it(`enumerations: ${Object.keys(shape.enums).join(', ')}`, () => {
        for (const [p, values] of Object.entries(shape.enums ?? {})) {
          for (const v of values)
            assert.deepEqual(errors(whole({ ...shape.base, [p]: v })), [], `${p}: ${v}`);
          for (const v of ['x', flip(values[0] ?? '')]) {
            assert.deepEqual(
              errors(whole({ ...shape.base, [p]: v })),
              [`enum-value ${propPath(at, p)}: ${enumMessage(values)}`],
              `${p}: ${v}`,
            );
          }
        }
      });
    }
  });
}

describe('STIX schemas: the specification’s property tables', () => {
  for (const shape of SHAPES) check(shape);
});

const TLP: [string, string][] = [
  ['white', '613f2e26-407d-48c7-9eca-b8e91df99dc9'],
  ['green', '34098fce-860f-48ae-8e50-ebd3cc5e41da'],
  ['amber', 'f88d31f6-486f-44da-b317-01333bde0b82'],
  ['red', '5e57c739-391a-4eb3-b6be-7d15ca92d5ed'],
];
/** A published TLP 1.0 marking definition (STIX 2.1 §7.2.1.4). */
const tlp = (colour: string, uuid: string, definition: Obj = { tlp: colour }): Obj => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id: `marking-definition--${uuid}`,
  created: '2017-01-20T00:00:00.000Z',
  definition_type: 'tlp',
  name: `TLP:${colour.toUpperCase()}`,
  definition,
});

describe('STIX schemas: constraints between properties and value ranges', () => {
  it('location: region, country, or latitude and longitude; latitude and longitude go together, precision needs both', () => {
    const loc = (extra: Obj) => sdo('location', extra);
    for (const o of [{ region: 'south-eastern-asia' }, { country: 'ca' }, { latitude: 0, longitude: 0 }])
      assert.deepEqual(errors(loc(o)), [], JSON.stringify(o));
    const anyOf = 'property-combination $: a location MUST have region, country, or latitude and longitude';
    assert.deepEqual(errors(loc({ name: 'x', city: 'Paris' })), [anyOf]);
    assert.deepEqual(errors(loc({ region: 'europe', latitude: 1 })), [
      'property-dependency $: must have property longitude when property latitude is present',
    ]);
    assert.deepEqual(errors(loc({ region: 'europe', longitude: 1 })), [
      'property-dependency $: must have property latitude when property longitude is present',
    ]);
    assert.deepEqual(errors(loc({ region: 'europe', precision: 10 })), [
      'property-dependency $: must have properties latitude, longitude when property precision is present',
    ]);
    assert.deepEqual(errors(loc({ latitude: 1, longitude: 1, precision: 10 })), []);
  });
  it('location: latitude −90…90, longitude −180…180, precision ≥ 0 (metres)', () => {
    const at = (latitude: number, longitude: number, precision = 0) =>
      errors(sdo('location', { latitude, longitude, precision }));
    assert.deepEqual(at(-90, -180), []);
    assert.deepEqual(at(90, 180), []);
    assert.deepEqual(at(-90.5, -180.5, -0.5), [
      'value-range $.latitude: must be >= -90',
      'value-range $.longitude: must be >= -180',
      'value-range $.precision: must be >= 0',
    ]);
    assert.deepEqual(at(90.5, 180.5), [
      'value-range $.latitude: must be <= 90',
      'value-range $.longitude: must be <= 180',
    ]);
  });
  it('malware: name is required when is_family is true', () => {
    assert.deepEqual(errors(sdo('malware', { is_family: true })), [
      "required-property $.name: required property 'name' is missing",
    ]);
    assert.deepEqual(errors(sdo('malware', { is_family: true, name: 'Cryptolocker' })), []);
    assert.deepEqual(errors(sdo('malware', { is_family: false })), []);
    // without is_family: only that is missing (the name rule is about a family)
    assert.deepEqual(errors(sdo('malware', {})), [
      "required-property $.is_family: required property 'is_family' is missing",
    ]);
  });
  it('malware-analysis: result or analysis_sco_refs', () => {
    const ma = (extra: Obj) => sdo('malware-analysis', { product: 'av', ...extra });
    assert.deepEqual(errors(ma({ result: 'benign' })), []);
    assert.deepEqual(errors(ma({ analysis_sco_refs: [ref('file')] })), []);
    assert.deepEqual(errors(ma({ version: '1' })), [
      'property-combination $: malware-analysis MUST have result or analysis_sco_refs',
    ]);
  });
  it('observed-data: exactly one of objects and object_refs; number_observed 1…999,999,999', () => {
    const od = (extra: Obj) =>
      sdo('observed-data', { first_observed: T, last_observed: T, number_observed: 1, ...extra });
    const oneOf = 'property-combination $: observed-data MUST have exactly one of objects and object_refs';
    assert.deepEqual(errors(od({ objects: { '0': { type: 'ipv4-addr', value: '198.51.100.1' } } })), []);
    assert.deepEqual(errors(od({})), [oneOf]);
    assert.deepEqual(
      errors(od({ objects: { '0': { type: 'url', value: 'x' } }, object_refs: [ref('url')] })),
      [oneOf],
    );
    assert.deepEqual(errors(od({ objects: {} })), [
      'empty-value $.objects: must NOT have fewer than 1 properties',
    ]);
    assert.deepEqual(errors(od({ objects: { o1: 'x' } })), ['property-type $.objects.o1: must be object']);
    assert.deepEqual(errors(od({ objects: 'x' })), ['property-type $.objects: must be object']);
    const n = (number_observed: number) => errors(od({ number_observed, object_refs: [ref('url')] }));
    assert.deepEqual(n(1), []);
    assert.deepEqual(n(0), ['value-range $.number_observed: must be >= 1']);
    assert.deepEqual(n(1000000000), ['value-range $.number_observed: must be <= 999999999']);
  });
  it('sighting: count 0…999,999,999', () => {
    const s = (count: number) => errors(sdo('sighting', { sighting_of_ref: ref('indicator'), count }));
    assert.deepEqual(s(999999999), []);
    assert.deepEqual(s(-1), ['value-range $.count: must be >= 0']);
    assert.deepEqual(s(1000000000), ['value-range $.count: must be <= 999999999']);
  });
  it('relationship: relationship_type of lower-case ASCII letters, digits and hyphens', () => {
    const r = (relationship_type: string) =>
      errors(
        sdo('relationship', { relationship_type, source_ref: ref('indicator'), target_ref: ref('malware') }),
      );
    assert.deepEqual(r('x-acme-derived-2'), []);
    for (const bad of ['Uses', 'derived_from', 'uses '])
      assert.deepEqual(r(bad), ['value-format $.relationship_type: must match pattern "^[a-z0-9-]+$"'], bad);
  });
  it('language-content: contents is a non-empty dictionary of non-empty dictionaries', () => {
    const lc = (contents: unknown) =>
      errors(sdo('language-content', { object_ref: ref('campaign'), contents }));
    assert.deepEqual(lc({}), ['empty-value $.contents: must NOT have fewer than 1 properties']);
    assert.deepEqual(lc({ de: {} }), ['empty-value $.contents.de: must NOT have fewer than 1 properties']);
    assert.deepEqual(lc({ de: 'x' }), ['property-type $.contents.de: must be object']);
  });
  it('extension-definition: extension_types from extension-type-enum, at least one', () => {
    const values = ['new-sdo', 'new-sco', 'new-sro', 'property-extension', 'toplevel-property-extension'];
    const ed = (extension_types: unknown) =>
      errors(
        sdo('extension-definition', {
          created_by_ref: ref('identity'),
          name: 'n',
          schema: 's',
          version: '1',
          extension_types,
        }),
      );
    for (const v of values) assert.deepEqual(ed([v]), [], v);
    assert.deepEqual(ed(values), []);
    assert.deepEqual(ed(['new-sdo', 'New-sro']), [`enum-value $.extension_types[1]: ${enumMessage(values)}`]);
    assert.deepEqual(ed([]), ['empty-value $.extension_types: must NOT have fewer than 1 items']);
  });
  it('an extension-definition entry of extensions: extension_type from extension-type-enum', () => {
    const values = ['new-sdo', 'new-sco', 'new-sro', 'property-extension', 'toplevel-property-extension'];
    const key = `extension-definition--${U4}`;
    const entry = (extension_type: string) =>
      errors(sdo('campaign', { name: 'c', extensions: { [key]: { extension_type } } }));
    for (const v of ['property-extension', 'toplevel-property-extension']) assert.deepEqual(entry(v), [], v);
    for (const v of ['x', 'Property-extension'])
      assert.deepEqual(
        entry(v),
        [`enum-value $.extensions['${key}'].extension_type: ${enumMessage(values)}`],
        v,
      );
  });
  it('marking-definition: definition_type with definition, or extensions', () => {
    const { definition_type: _t, definition: _d, ...bare } = STATEMENT;
    const key = `extension-definition--${U4}`;
    assert.deepEqual(
      errors({ ...bare, extensions: { [key]: { extension_type: 'property-extension' } } }),
      [],
    );
    assert.deepEqual(errors(bare), [
      'property-combination $: a marking-definition MUST have definition_type and definition, or extensions',
    ]);
    assert.deepEqual(errors({ ...bare, definition_type: 'statement' }), [
      'property-dependency $: must have property definition when property definition_type is present',
    ]);
    // a definition without definition_type is neither a statement's nor a TLP marking's
    assert.deepEqual(errors({ ...bare, definition: { terms: 'x' } }), [
      'property-combination $: a marking-definition MUST have definition_type and definition, or extensions',
      'property-dependency $: must have property definition_type when property definition is present',
    ]);
    for (const definition_type of ['statement', 'x-acme-terms'])
      assert.deepEqual(errors({ ...STATEMENT, definition_type, definition: 'x' }), [
        'property-type $.definition: must be object',
      ]);
  });
  it('marking-definition: a statement definition has a statement string', () => {
    assert.deepEqual(errors({ ...STATEMENT, definition: {} }), [
      "required-property $.definition.statement: required property 'statement' is missing",
    ]);
    assert.deepEqual(errors({ ...STATEMENT, definition: { statement: 1 } }), [
      'property-type $.definition.statement: must be string',
    ]);
    // a definition_type other than statement and tlp: its definition is not the statement's
    assert.deepEqual(errors({ ...STATEMENT, definition_type: 'x-acme', definition: { terms: 'x' } }), []);
  });
  it('marking-definition: a tlp definition has tlp white, green, amber or red', () => {
    for (const [colour, uuid] of TLP) assert.deepEqual(errors(tlp(colour, uuid)), [], colour);
    const [white, uuid] = TLP[0] as [string, string];
    assert.deepEqual(errors(tlp(white, uuid, {})), [
      "required-property $.definition.tlp: required property 'tlp' is missing",
      'tlp1-marking $.definition: TLP 1.0 marking TLP:WHITE MUST be the published object (definition)',
    ]);
    assert.deepEqual(
      errors(tlp(white, uuid, { tlp: 'WHITE' }))[0],
      'enum-value $.definition.tlp: must be one of: white, green, amber, red',
    );
  });
  it('artifact: payload_bin or url, not both; url needs hashes', () => {
    const md5 = { MD5: 'd41d8cd98f00b204e9800998ecf8427e' };
    assert.deepEqual(errors(sco('artifact', { url: 'https://example.com/a.bin', hashes: md5 })), []);
    assert.deepEqual(
      errors(sco('artifact', { payload_bin: 'aGk=', url: 'https://example.com/a.bin', hashes: md5 })),
      ['property-combination $: an artifact MUST NOT have both payload_bin and url'],
    );
    assert.deepEqual(errors(sco('artifact', { url: 'https://example.com/a.bin', mime_type: 'x/y' })), [
      'property-dependency $: must have property hashes when property url is present',
    ]);
  });
  it('email-message: body only when not multipart, body_multipart only when multipart', () => {
    const part = { body: 'hello' };
    assert.deepEqual(errors(sco('email-message', { is_multipart: true, body_multipart: [part] })), []);
    assert.deepEqual(errors(sco('email-message', { is_multipart: false, body: 'hello' })), []);
    const not =
      'property-combination $: body_multipart only with is_multipart true, body only with is_multipart false';
    assert.deepEqual(errors(sco('email-message', { is_multipart: false, body_multipart: [part] })), [not]);
    assert.deepEqual(errors(sco('email-message', { is_multipart: true, body: 'hello' })), [not]);
  });
  it('email-message MIME part: body or body_raw_ref (a bug: a part with neither was accepted)', () => {
    const parts = (...body_multipart: Obj[]) =>
      errors(sco('email-message', { is_multipart: true, body_multipart }));
    assert.deepEqual(parts({ body_raw_ref: ref('file'), content_type: 'image/png' }), []);
    assert.deepEqual(parts({ body: 'a' }, { content_type: 'image/png', content_disposition: 'attachment' }), [
      'property-combination $.body_multipart[1]: a MIME part MUST have body or body_raw_ref',
    ]);
  });
  it('windows-registry-key value: at least one property (a bug: an empty value was accepted)', () => {
    const key = (...values: Obj[]) =>
      errors(sco('windows-registry-key', { key: 'hkey_local_machine\\x', values }));
    assert.deepEqual(key({ data: '1' }, { data_type: 'REG_NONE' }), []);
    assert.deepEqual(key({ name: '' }, {}), [
      'empty-value $.values[1]: must NOT have fewer than 1 properties',
    ]);
  });
  it('file: hashes or name', () => {
    assert.deepEqual(errors(sco('file', { hashes: { MD5: 'd41d8cd98f00b204e9800998ecf8427e' } })), []);
    assert.deepEqual(errors(sco('file', { size: 1 })), [
      'property-combination $: a file MUST have hashes or name',
    ]);
  });
  it('mac-addr: colon-delimited lower-case MAC-48', () => {
    const mac = (value: string) => errors(sco('mac-addr', { value }));
    assert.deepEqual(mac('00:00:5e:00:53:af'), []);
    for (const bad of ['00:00:5E:00:53:AF', '00-00-5e-00-53-af', '00:00:5e:00:53', '00:00:5e:00:53:af:01'])
      assert.deepEqual(
        mac(bad),
        ['value-format $.value: must match pattern "^([0-9a-f]{2}:){5}[0-9a-f]{2}$"'],
        bad,
      );
  });
  it('network-traffic: src_ref or dst_ref; no end while active; ports 0…65535', () => {
    const nt = (extra: Obj) => errors(sco('network-traffic', { protocols: ['tcp'], ...extra }));
    assert.deepEqual(nt({ dst_ref: ref('ipv6-addr') }), []);
    assert.deepEqual(nt({ protocols: ['udp'] }), [
      'property-combination $: network-traffic MUST have src_ref or dst_ref',
    ]);
    const src = { src_ref: ref('ipv4-addr') };
    assert.deepEqual(nt({ ...src, is_active: true, start: T }), []);
    assert.deepEqual(nt({ ...src, is_active: false, end: T }), []);
    assert.deepEqual(nt({ ...src, end: T }), []);
    assert.deepEqual(nt({ ...src, is_active: true, end: T }), [
      'property-combination $: end MUST NOT be present when is_active is true',
    ]);
    assert.deepEqual(nt({ ...src, src_port: -1, dst_port: 65536 }), [
      'value-range $.src_port: must be >= 0',
      'value-range $.dst_port: must be <= 65535',
    ]);
  });
  it('windows-pebinary-ext: optional_header holds at least one property', () => {
    assert.deepEqual(
      errors({ ...FILE, extensions: { 'windows-pebinary-ext': { pe_type: 'exe', optional_header: {} } } }),
      [
        "empty-value $.extensions['windows-pebinary-ext'].optional_header: must NOT have fewer than 1 properties",
      ],
    );
  });
  it('incident core extension: extension_type property-extension, criticality 0…100, entity counts', () => {
    const core = (extra: Obj) =>
      errors(sdo('incident', { name: 'i', extensions: { [INCIDENT_CORE]: { ...CORE.base, ...extra } } }));
    assert.deepEqual(core({ extension_type: 'new-sdo' }), [
      `enum-value ${CORE_AT}.extension_type: must be 'property-extension'`,
    ]);
    assert.deepEqual(core({ criticality: 0 }), []);
    assert.deepEqual(core({ criticality: 100 }), []);
    assert.deepEqual(core({ criticality: -1 }), [`value-range ${CORE_AT}.criticality: must be >= 0`]);
    assert.deepEqual(core({ criticality: 101 }), [`value-range ${CORE_AT}.criticality: must be <= 100`]);
    assert.deepEqual(core({ impacted_entity_counts: { individual: -1 } }), [
      `value-range ${CORE_AT}.impacted_entity_counts.individual: must be >= 0`,
    ]);
    assert.deepEqual(core({ impacted_entity_counts: { 'two words': 1 } }), [
      `dictionary-key ${CORE_AT}.impacted_entity_counts: invalid key 'two words' (keys: ASCII [a-zA-Z0-9_-], at most 250 characters)`,
    ]);
  });
});

describe('STIX schemas: custom objects', () => {
  it('a custom SDO has the common properties of an SDO, and only those are known', () => {
    assert.deepEqual(errors(sdo('x-acme-widget', { x_acme_size: 3, labels: ['a'], revoked: false })), []);
    assert.deepEqual(errors(sdo('x-acme-widget', { revoked: 'no' })), [
      'property-type $.revoked: must be boolean',
    ]);
    const { modified: _m, ...noModified } = sdo('x-acme-widget');
    assert.deepEqual(errors(noModified), [
      "required-property $.modified: required property 'modified' is missing",
    ]);
  });
  it('a custom SCO has the common properties of an SCO, and only those are known', () => {
    const extension = { [`extension-definition--${U4}`]: { extension_type: 'new-sco' } };
    const obs = (extra: Obj) => errors(sco('x-acme-obs', { extensions: extension, ...extra }));
    assert.deepEqual(obs({ x_acme_value: 'v', defanged: true }), []);
    assert.deepEqual(obs({ defanged: 'yes' }), ['property-type $.defanged: must be boolean']);
  });
});
