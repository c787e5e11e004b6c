/**
 * Per-type JSON Schemas for every STIX 2.1 SDO, SRO, SCO and meta object (specification sections 4–7),
 * plus the predefined SCO extensions (section 6). Written for Tessera from the specification text.
 */
import type { SchemaObject } from 'ajv';
import {
  binary,
  bool,
  commonScoProps,
  commonScoRequired,
  commonSdoProps,
  commonSdoRequired,
  dictionary,
  enumOf,
  externalReference,
  granularMarking,
  hashes,
  hex,
  identifier,
  idList,
  int,
  killChainPhase,
  listOf,
  nonNegInt,
  num,
  obj,
  type Props,
  range,
  str,
  strList,
  timestamp,
  timestampMillis,
} from './common';

const kcp = listOf(killChainPhase);

function sdo(props: Props, required: string[] = [], extra: SchemaObject = {}): SchemaObject {
  return obj({ ...commonSdoProps, ...props }, [...commonSdoRequired, ...required], extra);
}
function sco(props: Props, required: string[] = [], extra: SchemaObject = {}): SchemaObject {
  return obj({ ...commonScoProps, ...props }, [...commonScoRequired, ...required], extra);
}

export const SDO_SCHEMAS: Record<string, SchemaObject> = {
  'attack-pattern': sdo({ name: str, description: str, aliases: strList, kill_chain_phases: kcp }, ['name']),
  campaign: sdo(
    {
      name: str,
      description: str,
      aliases: strList,
      first_seen: timestamp,
      last_seen: timestamp,
      objective: str,
    },
    ['name'],
  ),
  'course-of-action': sdo({ name: str, description: str }, ['name']),
  grouping: sdo({ name: str, description: str, context: str, object_refs: idList }, [
    'context',
    'object_refs',
  ]),
  identity: sdo(
    {
      name: str,
      description: str,
      roles: strList,
      identity_class: str,
      sectors: strList,
      contact_information: str,
    },
    ['name'],
  ),
  incident: sdo({ name: str, description: str, kill_chain_phases: kcp }, ['name']),
  indicator: sdo(
    {
      name: str,
      description: str,
      indicator_types: strList,
      pattern: str,
      pattern_type: str,
      pattern_version: str,
      valid_from: timestamp,
      valid_until: timestamp,
      kill_chain_phases: kcp,
    },
    ['pattern', 'pattern_type', 'valid_from'],
  ),
  infrastructure: sdo(
    {
      name: str,
      description: str,
      infrastructure_types: strList,
      aliases: strList,
      kill_chain_phases: kcp,
      first_seen: timestamp,
      last_seen: timestamp,
    },
    ['name'],
  ),
  'intrusion-set': sdo(
    {
      name: str,
      description: str,
      aliases: strList,
      first_seen: timestamp,
      last_seen: timestamp,
      goals: strList,
      resource_level: str,
      primary_motivation: str,
      secondary_motivations: strList,
    },
    ['name'],
  ),
  location: sdo(
    {
      name: str,
      description: str,
      latitude: { type: 'number', minimum: -90, maximum: 90 },
      longitude: { type: 'number', minimum: -180, maximum: 180 },
      precision: { type: 'number', minimum: 0 },
      region: str,
      country: str,
      administrative_area: str,
      city: str,
      street_address: str,
      postal_code: str,
    },
    [],
    {
      anyOf: [{ required: ['region'] }, { required: ['country'] }, { required: ['latitude', 'longitude'] }],
      dependencies: {
        latitude: ['longitude'],
        longitude: ['latitude'],
        precision: ['latitude', 'longitude'],
      },
    },
  ),
  malware: sdo(
    {
      name: str,
      description: str,
      malware_types: strList,
      is_family: bool,
      aliases: strList,
      kill_chain_phases: kcp,
      first_seen: timestamp,
      last_seen: timestamp,
      operating_system_refs: idList,
      architecture_execution_envs: strList,
      implementation_languages: strList,
      capabilities: strList,
      sample_refs: idList,
    },
    ['is_family'],
    {
      if: { properties: { is_family: { const: true } }, required: ['is_family'] },
      then: { required: ['name'] },
    },
  ),
  'malware-analysis': sdo(
    {
      product: str,
      version: str,
      host_vm_ref: identifier,
      operating_system_ref: identifier,
      installed_software_refs: idList,
      configuration_version: str,
      modules: strList,
      analysis_engine_version: str,
      analysis_definition_version: str,
      submitted: timestamp,
      analysis_started: timestamp,
      analysis_ended: timestamp,
      result_name: str,
      result: str,
      analysis_sco_refs: idList,
      sample_ref: identifier,
    },
    ['product'],
    { anyOf: [{ required: ['result'] }, { required: ['analysis_sco_refs'] }] },
  ),
  note: sdo({ abstract: str, content: str, authors: strList, object_refs: idList }, [
    'content',
    'object_refs',
  ]),
  'observed-data': sdo(
    {
      first_observed: timestamp,
      last_observed: timestamp,
      number_observed: range(1, 999999999),
      objects: { type: 'object', minProperties: 1, additionalProperties: { type: 'object' } },
      object_refs: idList,
    },
    ['first_observed', 'last_observed', 'number_observed'],
    { oneOf: [{ required: ['objects'] }, { required: ['object_refs'] }] },
  ),
  opinion: sdo(
    {
      explanation: str,
      authors: strList,
      opinion: enumOf('strongly-disagree', 'disagree', 'neutral', 'agree', 'strongly-agree'),
      object_refs: idList,
    },
    ['opinion', 'object_refs'],
  ),
  report: sdo(
    { name: str, description: str, report_types: strList, published: timestamp, object_refs: idList },
    ['name', 'published', 'object_refs'],
  ),
  'threat-actor': sdo(
    {
      name: str,
      description: str,
      threat_actor_types: strList,
      aliases: strList,
      first_seen: timestamp,
      last_seen: timestamp,
      roles: strList,
      goals: strList,
      sophistication: str,
      resource_level: str,
      primary_motivation: str,
      secondary_motivations: strList,
      personal_motivations: strList,
    },
    ['name'],
  ),
  tool: sdo(
    {
      name: str,
      description: str,
      tool_types: strList,
      aliases: strList,
      kill_chain_phases: kcp,
      tool_version: str,
    },
    ['name'],
  ),
  vulnerability: sdo({ name: str, description: str }, ['name']),
};

export const SRO_SCHEMAS: Record<string, SchemaObject> = {
  relationship: sdo(
    {
      relationship_type: { type: 'string', pattern: '^[a-z0-9-]+$' },
      description: str,
      source_ref: identifier,
      target_ref: identifier,
      start_time: timestamp,
      stop_time: timestamp,
    },
    ['relationship_type', 'source_ref', 'target_ref'],
  ),
  sighting: sdo(
    {
      description: str,
      first_seen: timestamp,
      last_seen: timestamp,
      count: range(0, 999999999),
      sighting_of_ref: identifier,
      observed_data_refs: idList,
      where_sighted_refs: idList,
      summary: bool,
    },
    ['sighting_of_ref'],
  ),
};

export const META_SCHEMAS: Record<string, SchemaObject> = {
  'marking-definition': obj(
    {
      type: str,
      spec_version: { type: 'string', enum: ['2.1'] },
      id: identifier,
      created_by_ref: identifier,
      created: timestampMillis,
      external_references: listOf(externalReference),
      object_marking_refs: idList,
      granular_markings: listOf(granularMarking),
      extensions: commonSdoProps.extensions as SchemaObject,
      name: str,
      definition_type: str,
      definition: { type: 'object' },
    },
    ['type', 'spec_version', 'id', 'created'],
    {
      // definition_type and definition go together; without them the marking is defined by an extension.
      dependencies: { definition_type: ['definition'], definition: ['definition_type'] },
      anyOf: [{ required: ['definition_type'] }, { required: ['extensions'] }],
      allOf: [
        {
          if: { properties: { definition_type: { const: 'statement' } }, required: ['definition_type'] },
          then: { properties: { definition: obj({ statement: str }, ['statement']) } },
        },
        {
          if: { properties: { definition_type: { const: 'tlp' } }, required: ['definition_type'] },
          then: {
            properties: { definition: obj({ tlp: enumOf('white', 'green', 'amber', 'red') }, ['tlp']) },
          },
        },
      ],
    },
  ),
  'language-content': sdo(
    {
      object_ref: identifier,
      object_modified: timestamp,
      contents: {
        type: 'object',
        minProperties: 1,
        additionalProperties: { type: 'object', minProperties: 1 },
      },
    },
    ['object_ref', 'contents'],
  ),
  'extension-definition': sdo(
    {
      name: str,
      description: str,
      schema: str,
      version: str,
      extension_types: listOf(
        enumOf('new-sdo', 'new-sco', 'new-sro', 'property-extension', 'toplevel-property-extension'),
      ),
      extension_properties: strList,
    },
    ['created_by_ref', 'name', 'schema', 'version', 'extension_types'],
  ),
};

/** email-mime-part-type: one of body or body_raw_ref MUST be present. */
const mimePart = obj(
  { body: str, body_raw_ref: identifier, content_type: str, content_disposition: str },
  [],
  { anyOf: [{ required: ['body'] }, { required: ['body_raw_ref'] }] },
);

const windowsRegistryValue = obj(
  {
    name: str,
    data: str,
    data_type: enumOf(
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
    ),
  },
  [],
  // windows-registry-value-type: all properties optional, at least one MUST be present
  { minProperties: 1 },
);

const x509v3 = obj({
  basic_constraints: str,
  name_constraints: str,
  policy_constraints: str,
  key_usage: str,
  extended_key_usage: str,
  subject_key_identifier: str,
  authority_key_identifier: str,
  subject_alternative_name: str,
  issuer_alternative_name: str,
  subject_directory_attributes: str,
  crl_distribution_points: str,
  inhibit_any_policy: str,
  private_key_usage_period_not_before: timestamp,
  private_key_usage_period_not_after: timestamp,
  certificate_policies: str,
  policy_mappings: str,
});

const port = range(0, 65535);

export const SCO_SCHEMAS: Record<string, SchemaObject> = {
  artifact: sco(
    {
      mime_type: str,
      payload_bin: binary,
      url: str,
      hashes,
      encryption_algorithm: enumOf('AES-256-GCM', 'ChaCha20-Poly1305', 'mime-type-indicated'),
      decryption_key: str,
    },
    [],
    { not: { required: ['payload_bin', 'url'] }, dependencies: { url: ['hashes'] } },
  ),
  'autonomous-system': sco({ number: nonNegInt, name: str, rir: str }, ['number']),
  directory: sco(
    { path: str, path_enc: str, ctime: timestamp, mtime: timestamp, atime: timestamp, contains_refs: idList },
    ['path'],
  ),
  'domain-name': sco({ value: str, resolves_to_refs: idList }, ['value']),
  'email-addr': sco({ value: str, display_name: str, belongs_to_ref: identifier }, ['value']),
  'email-message': sco(
    {
      is_multipart: bool,
      date: timestamp,
      content_type: str,
      from_ref: identifier,
      sender_ref: identifier,
      to_refs: idList,
      cc_refs: idList,
      bcc_refs: idList,
      message_id: str,
      subject: str,
      received_lines: strList,
      additional_header_fields: dictionary,
      body: str,
      body_multipart: listOf(mimePart),
      raw_email_ref: identifier,
    },
    ['is_multipart'],
    {
      if: { properties: { is_multipart: { const: false } } },
      then: { not: { required: ['body_multipart'] } },
      else: { not: { required: ['body'] } },
    },
  ),
  file: sco(
    {
      hashes,
      size: nonNegInt,
      name: str,
      name_enc: str,
      magic_number_hex: hex,
      mime_type: str,
      ctime: timestamp,
      mtime: timestamp,
      atime: timestamp,
      parent_directory_ref: identifier,
      contains_refs: idList,
      content_ref: identifier,
    },
    [],
    { anyOf: [{ required: ['hashes'] }, { required: ['name'] }] },
  ),
  'ipv4-addr': sco({ value: str, resolves_to_refs: idList, belongs_to_refs: idList }, ['value']),
  'ipv6-addr': sco({ value: str, resolves_to_refs: idList, belongs_to_refs: idList }, ['value']),
  'mac-addr': sco({ value: { type: 'string', pattern: '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' } }, ['value']),
  mutex: sco({ name: str }, ['name']),
  'network-traffic': sco(
    {
      start: timestamp,
      end: timestamp,
      is_active: bool,
      src_ref: identifier,
      dst_ref: identifier,
      src_port: port,
      dst_port: port,
      protocols: strList,
      src_byte_count: nonNegInt,
      dst_byte_count: nonNegInt,
      src_packets: nonNegInt,
      dst_packets: nonNegInt,
      ipfix: dictionary,
      src_payload_ref: identifier,
      dst_payload_ref: identifier,
      encapsulates_refs: idList,
      encapsulated_by_ref: identifier,
    },
    ['protocols'],
    {
      anyOf: [{ required: ['src_ref'] }, { required: ['dst_ref'] }],
      if: { properties: { is_active: { const: true } }, required: ['is_active'] },
      then: { not: { required: ['end'] } },
    },
  ),
  process: sco(
    {
      is_hidden: bool,
      pid: int,
      created_time: timestamp,
      cwd: str,
      command_line: str,
      environment_variables: dictionary,
      opened_connection_refs: idList,
      creator_user_ref: identifier,
      image_ref: identifier,
      parent_ref: identifier,
      child_refs: idList,
    },
    [],
  ),
  software: sco({ name: str, cpe: str, swid: str, languages: strList, vendor: str, version: str }, ['name']),
  url: sco({ value: str }, ['value']),
  'user-account': sco(
    {
      user_id: str,
      credential: str,
      account_login: str,
      account_type: str,
      display_name: str,
      is_service_account: bool,
      is_privileged: bool,
      can_escalate_privs: bool,
      is_disabled: bool,
      account_created: timestamp,
      account_expires: timestamp,
      credential_last_changed: timestamp,
      account_first_login: timestamp,
      account_last_login: timestamp,
    },
    [],
  ),
  'windows-registry-key': sco(
    {
      key: str,
      values: listOf(windowsRegistryValue),
      modified_time: timestamp,
      creator_user_ref: identifier,
      number_of_subkeys: nonNegInt,
    },
    [],
  ),
  'x509-certificate': sco(
    {
      is_self_signed: bool,
      hashes,
      version: str,
      serial_number: str,
      signature_algorithm: str,
      issuer: str,
      validity_not_before: timestamp,
      validity_not_after: timestamp,
      subject: str,
      subject_public_key_algorithm: str,
      subject_public_key_modulus: str,
      subject_public_key_exponent: nonNegInt,
      x509_v3_extensions: x509v3,
    },
    [],
  ),
};

/** Predefined SCO extensions (STIX 2.1 §6), keyed "<sco type>/<extension name>". */
export const SCO_EXTENSION_SCHEMAS: Record<string, SchemaObject> = {
  'file/archive-ext': obj({ contains_refs: idList, comment: str }, ['contains_refs']),
  'file/ntfs-ext': obj(
    { sid: str, alternate_data_streams: listOf(obj({ name: str, hashes, size: nonNegInt }, ['name'])) },
    [],
    { minProperties: 1 },
  ),
  'file/pdf-ext': obj(
    { version: str, is_optimized: bool, document_info_dict: dictionary, pdfid0: str, pdfid1: str },
    [],
    { minProperties: 1 },
  ),
  'file/raster-image-ext': obj(
    { image_height: int, image_width: int, bits_per_pixel: int, exif_tags: dictionary },
    [],
    { minProperties: 1 },
  ),
  'file/windows-pebinary-ext': obj(
    {
      pe_type: str,
      imphash: str,
      machine_hex: hex,
      number_of_sections: nonNegInt,
      time_date_stamp: timestamp,
      pointer_to_symbol_table_hex: hex,
      number_of_symbols: nonNegInt,
      size_of_optional_header: nonNegInt,
      characteristics_hex: hex,
      file_header_hashes: hashes,
      optional_header: { type: 'object', minProperties: 1 },
      sections: listOf(obj({ name: str, size: nonNegInt, entropy: num, hashes }, ['name'])),
    },
    ['pe_type'],
  ),
  'network-traffic/http-request-ext': obj(
    {
      request_method: str,
      request_value: str,
      request_version: str,
      request_header: dictionary,
      message_body_length: nonNegInt,
      message_body_data_ref: identifier,
    },
    ['request_method', 'request_value'],
  ),
  'network-traffic/icmp-ext': obj({ icmp_type_hex: hex, icmp_code_hex: hex }, [
    'icmp_type_hex',
    'icmp_code_hex',
  ]),
  'network-traffic/socket-ext': obj(
    {
      address_family: enumOf(
        'AF_UNSPEC',
        'AF_INET',
        'AF_IPX',
        'AF_APPLETALK',
        'AF_NETBIOS',
        'AF_INET6',
        'AF_IRDA',
        'AF_BTH',
      ),
      is_blocking: bool,
      is_listening: bool,
      options: { type: 'object', additionalProperties: { type: 'integer' } },
      socket_type: enumOf('SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_RDM', 'SOCK_SEQPACKET'),
      socket_descriptor: nonNegInt,
      socket_handle: int,
    },
    ['address_family'],
  ),
  'network-traffic/tcp-ext': obj({ src_flags_hex: hex, dst_flags_hex: hex }, [], { minProperties: 1 }),
  'process/windows-process-ext': obj(
    {
      aslr_enabled: bool,
      dep_enabled: bool,
      priority: str,
      owner_sid: str,
      window_title: str,
      startup_info: dictionary,
      integrity_level: enumOf('low', 'medium', 'high', 'system'),
    },
    [],
    { minProperties: 1 },
  ),
  'process/windows-service-ext': obj(
    {
      service_name: str,
      descriptions: strList,
      display_name: str,
      group_name: str,
      start_type: enumOf(
        'SERVICE_AUTO_START',
        'SERVICE_BOOT_START',
        'SERVICE_DEMAND_START',
        'SERVICE_DISABLED',
        'SERVICE_SYSTEM_ALERT',
      ),
      service_dll_refs: idList,
      service_type: enumOf(
        'SERVICE_KERNEL_DRIVER',
        'SERVICE_FILE_SYSTEM_DRIVER',
        'SERVICE_WIN32_OWN_PROCESS',
        'SERVICE_WIN32_SHARE_PROCESS',
      ),
      service_status: enumOf(
        'SERVICE_CONTINUE_PENDING',
        'SERVICE_PAUSE_PENDING',
        'SERVICE_PAUSED',
        'SERVICE_RUNNING',
        'SERVICE_START_PENDING',
        'SERVICE_STOP_PENDING',
        'SERVICE_STOPPED',
      ),
    },
    [],
    { minProperties: 1 },
  ),
  'user-account/unix-account-ext': obj({ gid: int, groups: strList, home_dir: str, shell: str }, [], {
    minProperties: 1,
  }),
};

/** Incident Core Extension (extension-definition--ef765651-680c-498d-9894-99799f2fa126), version 2.0. */
export const INCIDENT_CORE_EXTENSION_ID = 'extension-definition--ef765651-680c-498d-9894-99799f2fa126';
export const INCIDENT_CORE_SCHEMA: SchemaObject = obj(
  {
    extension_type: { const: 'property-extension' },
    determination: enumOf(
      'blocked',
      'successful-attempt',
      'failed-attempt',
      'false-positive',
      'low-value',
      'suspected',
    ),
    investigation_status: str,
    criticality: range(0, 100),
    detection_methods: strList,
    impacted_entity_counts: {
      type: 'object',
      propertyNames: { pattern: '^[a-zA-Z0-9_-]{1,250}$' },
      additionalProperties: nonNegInt,
    },
    incident_types: strList,
    recoverability: enumOf('extended', 'not-applicable', 'not-recoverable', 'regular', 'supplemented'),
    scores: listOf(obj({ name: str, value: num, description: str }, ['name', 'value'])),
  },
  ['extension_type', 'determination', 'investigation_status'],
);

/** Generic form of an `extensions` entry keyed by an extension-definition id (STIX 2.1 §7.3). */
export const EXTENSION_ENTRY_SCHEMA: SchemaObject = obj(
  {
    extension_type: enumOf(
      'new-sdo',
      'new-sco',
      'new-sro',
      'property-extension',
      'toplevel-property-extension',
    ),
  },
  [],
);

/** Custom objects: only the common properties are known (STIX 2.1 §11.2 and §7.3). */
export const CUSTOM_SDO_SCHEMA: SchemaObject = sdo({});
export const CUSTOM_SCO_SCHEMA: SchemaObject = sco({});

export { granularMarking, timestamp, timestampMillis };
