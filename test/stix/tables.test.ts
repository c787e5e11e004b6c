/**
 * The specification's tables behind the rules (server/stix/rules.ts), restated here from the STIX
 * 2.1 text and checked entry by entry: what each reference property may point at (§2.9 and each
 * property's "MUST reference"), which timestamps are ordered (§3.2 and the per-object
 * descriptions), the form of each hash algorithm's values (§10.11), the SCOs whose id must be a
 * UUIDv4 without ID contributing properties (§6), and the reserved property names (§3.1).
 */
import assert from 'node:assert/strict';
import { validateStixObject } from '../../server/stix/validate';
import { SCO_TYPES } from '../../server/stix/basic';
import { verdictLines, type Obj } from './helpers';

const U4 = '31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';
const ref = (type: string) => `${type}--${U4}`;

/** The issues of one rule, "path: message". */
function ruleIssues(o: Obj, rule: string): string[] {
  const v = validateStixObject(o);
  return [...v.errors, ...v.warnings].filter((i) => i.rule === rule).map((i) => `${i.path}: ${i.message}`);
}

const sco = (type: string, extra: Obj = {}): Obj => ({
  type,
  spec_version: '2.1',
  id: `${type}--${U5}`,
  ...extra,
});
const sdo = (type: string, extra: Obj = {}): Obj => ({
  type,
  spec_version: '2.1',
  id: `${type}--${U4}`,
  created: '2020-01-01T00:00:00.000Z',
  modified: '2020-01-01T00:00:00.000Z',
  ...extra,
});
/** An SCO or an SDO of the type (which is which does not matter to the tables, only to the schema). */
const build = (type: string, extra: Obj): Obj => (SCO_TYPES.has(type) ? sco(type, extra) : sdo(type, extra));

type Target = string[] | 'sdo' | 'sco' | 'core' | 'sco-or-sro';

/** [object type (or type/extension), property, allowed targets], from the specification. */
const REFERENCES: [string, string, Target][] = [
  ['indicator', 'created_by_ref', ['identity']],
  ['indicator', 'object_marking_refs', ['marking-definition']],
  ['relationship', 'source_ref', 'core'],
  ['relationship', 'target_ref', 'core'],
  ['sighting', 'sighting_of_ref', 'sdo'],
  ['sighting', 'observed_data_refs', ['observed-data']],
  ['sighting', 'where_sighted_refs', ['identity', 'location']],
  ['observed-data', 'object_refs', 'sco-or-sro'],
  ['malware', 'operating_system_refs', ['software']],
  ['malware', 'sample_refs', ['file', 'artifact']],
  ['malware-analysis', 'host_vm_ref', ['software']],
  ['malware-analysis', 'operating_system_ref', ['software']],
  ['malware-analysis', 'installed_software_refs', ['software']],
  ['malware-analysis', 'analysis_sco_refs', 'sco'],
  ['malware-analysis', 'sample_ref', ['file', 'artifact', 'network-traffic']],
  ['email-addr', 'belongs_to_ref', ['user-account']],
  ['directory', 'contains_refs', ['file', 'directory']],
  ['domain-name', 'resolves_to_refs', ['ipv4-addr', 'ipv6-addr', 'domain-name']],
  ['email-message', 'from_ref', ['email-addr']],
  ['email-message', 'sender_ref', ['email-addr']],
  ['email-message', 'to_refs', ['email-addr']],
  ['email-message', 'cc_refs', ['email-addr']],
  ['email-message', 'bcc_refs', ['email-addr']],
  ['email-message', 'raw_email_ref', ['artifact']],
  ['file', 'parent_directory_ref', ['directory']],
  ['file', 'contains_refs', 'sco'],
  ['file', 'content_ref', ['artifact']],
  ['ipv4-addr', 'resolves_to_refs', ['mac-addr']],
  ['ipv4-addr', 'belongs_to_refs', ['autonomous-system']],
  ['ipv6-addr', 'resolves_to_refs', ['mac-addr']],
  ['ipv6-addr', 'belongs_to_refs', ['autonomous-system']],
  ['network-traffic', 'src_ref', ['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name']],
  ['network-traffic', 'dst_ref', ['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name']],
  ['network-traffic', 'src_payload_ref', ['artifact']],
  ['network-traffic', 'dst_payload_ref', ['artifact']],
  ['network-traffic', 'encapsulates_refs', ['network-traffic']],
  ['network-traffic', 'encapsulated_by_ref', ['network-traffic']],
  ['process', 'opened_connection_refs', ['network-traffic']],
  ['process', 'creator_user_ref', ['user-account']],
  ['process', 'image_ref', ['file']],
  ['process', 'parent_ref', ['process']],
  ['process', 'child_refs', ['process']],
  ['windows-registry-key', 'creator_user_ref', ['user-account']],
  ['file/archive-ext', 'contains_refs', ['file', 'directory']],
  ['network-traffic/http-request-ext', 'message_body_data_ref', ['artifact']],
  ['process/windows-service-ext', 'service_dll_refs', ['file']],
];

const WORDS: Record<string, string> = {
  sdo: 'an SDO',
  sco: 'an SCO',
  core: 'an SDO or SCO',
  'sco-or-sro': 'an SCO or SRO',
};

/** Types a target refuses (the NON-core types for core, SDOs for SCO targets, …). */
function refused(target: Target): string[] {
  if (target === 'core') {
    return [
      'relationship',
      'sighting',
      'marking-definition',
      'language-content',
      'extension-definition',
      'bundle',
    ];
  }
  if (target === 'sdo')
    return ['relationship', 'ipv4-addr', 'marking-definition', 'bundle', 'language-content'];
  if (target === 'sco') return ['indicator', 'relationship', 'marking-definition', 'extension-definition'];
  if (target === 'sco-or-sro') return ['indicator', 'identity', 'marking-definition', 'language-content'];
  return ['grouping', ...['identity', 'file', 'artifact', 'software'].filter((t) => !target.includes(t))];
}

function accepted(target: Target): string[] {
  if (target === 'core') return ['indicator', 'ipv4-addr', 'x-acme-thing'];
  if (target === 'sdo') return ['indicator', 'x-mitre-tactic', 'identity'];
  if (target === 'sco') return ['ipv4-addr', 'x-acme-obs', 'file'];
  if (target === 'sco-or-sro') return ['ipv4-addr', 'relationship', 'sighting', 'x-acme-obs'];
  return target;
}

describe('STIX tables: reference targets', () => {
  for (const [where, prop, target] of REFERENCES) {
    const [type, ext] = where.split('/') as [string, string | undefined];
    const list = prop.endsWith('_refs');
    const objectWith = (refType: string): Obj => {
      const value = list ? [ref(refType)] : ref(refType);
      return build(
        type,
        ext === undefined ? { [prop]: value } : { extensions: { [ext]: { [prop]: value } } },
      );
    };
    const path = `${ext === undefined ? '$' : `$.extensions['${ext}']`}.${prop}${list ? '[0]' : ''}`;
    it(`${where} ${prop}`, () => {
      for (const t of accepted(target)) assert.deepEqual(ruleIssues(objectWith(t), 'reference-type'), [], t);
      const words = typeof target === 'string' ? WORDS[target] : target.join(' or ');
      for (const t of refused(target)) {
        assert.deepEqual(
          ruleIssues(objectWith(t), 'reference-type'),
          [`${path}: ${prop} MUST reference ${words}, not a ${t}`],
          t,
        );
      }
    });
  }
  it('any type for the object_refs of report, grouping, note and opinion, and language-content object_ref', () => {
    for (const t of ['report', 'grouping', 'note', 'opinion']) {
      for (const r of ['relationship', 'ipv4-addr', 'marking-definition', 'x-thing']) {
        assert.deepEqual(ruleIssues(sdo(t, { object_refs: [ref(r)] }), 'reference-type'), [], `${t} ${r}`);
      }
    }
    assert.deepEqual(
      ruleIssues(sdo('language-content', { object_ref: ref('relationship') }), 'reference-type'),
      [],
    );
  });
});

/** [type, later property, 'gt' (strictly later) or 'ge', earlier property]. */
const ORDER: [string, string, 'gt' | 'ge', string][] = [
  ['campaign', 'last_seen', 'ge', 'first_seen'],
  ['indicator', 'valid_until', 'gt', 'valid_from'],
  ['infrastructure', 'last_seen', 'ge', 'first_seen'],
  ['intrusion-set', 'last_seen', 'ge', 'first_seen'],
  ['malware', 'last_seen', 'ge', 'first_seen'],
  ['observed-data', 'last_observed', 'ge', 'first_observed'],
  ['relationship', 'stop_time', 'gt', 'start_time'],
  ['sighting', 'last_seen', 'ge', 'first_seen'],
  ['threat-actor', 'last_seen', 'ge', 'first_seen'],
  ['network-traffic', 'end', 'ge', 'start'],
];

describe('STIX tables: ordered timestamps', () => {
  const t1 = '2020-01-01T00:00:00Z';
  const t2 = '2020-01-02T00:00:00Z';
  for (const [type, later, cmp, earlier] of ORDER) {
    it(`${type}: ${later} ${cmp === 'gt' ? '>' : '≥'} ${earlier}`, () => {
      const o = (a: string, b: string) => build(type, { [later]: a, [earlier]: b });
      const words = cmp === 'gt' ? 'later than' : 'later than or equal to';
      assert.deepEqual(ruleIssues(o(t1, t2), 'timestamp-order'), [
        `$.${later}: ${later} (${t1}) MUST be ${words} ${earlier} (${t2})`,
      ]);
      assert.deepEqual(ruleIssues(o(t2, t1), 'timestamp-order'), []);
      assert.deepEqual(
        ruleIssues(o(t1, t1), 'timestamp-order'),
        cmp === 'gt' ? [`$.${later}: ${later} (${t1}) MUST be ${words} ${earlier} (${t1})`] : [],
      );
    });
  }
  it('other types and properties are not ordered', () => {
    assert.deepEqual(
      ruleIssues(sdo('tool', { name: 't', first_seen: t2, last_seen: t1 }), 'timestamp-order'),
      [],
    );
    assert.deepEqual(ruleIssues(sdo('indicator', { last_seen: t1, first_seen: t2 }), 'timestamp-order'), []);
  });
});

/** Algorithm → a valid value; a value one character shorter is refused. */
const HASHES: [string, string][] = [
  ['MD5', 'a'.repeat(32)],
  ['SHA-1', 'b'.repeat(40)],
  ['SHA-224', 'c'.repeat(56)],
  ['SHA-256', 'd'.repeat(64)],
  ['SHA-384', 'e'.repeat(96)],
  ['SHA-512', 'f'.repeat(128)],
  ['SHA3-224', 'A'.repeat(56)],
  ['SHA3-256', 'B'.repeat(64)],
  ['SHA3-384', 'C'.repeat(96)],
  ['SHA3-512', 'D'.repeat(128)],
  ['TLSH', 'T1' + 'E'.repeat(70)],
];

describe('STIX tables: hash algorithms', () => {
  const file = (hashes: Obj): Obj => sco('file', { hashes });
  for (const [algo, good] of HASHES) {
    it(algo, () => {
      assert.deepEqual(verdictLines(file({ [algo]: good })), []);
      const short = good.slice(0, -1);
      const path = /^[A-Za-z_][A-Za-z0-9_]*$/.test(algo) ? `$.hashes.${algo}` : `$.hashes['${algo}']`;
      assert.deepEqual(verdictLines(file({ [algo]: short })), [
        `E hash-value ${path}: '${short}' is not a valid ${algo} hash`,
      ]);
      const long = good + '0';
      assert.deepEqual(verdictLines(file({ [algo]: long })), [
        `E hash-value ${path}: '${long}' is not a valid ${algo} hash`,
      ]);
      assert.deepEqual(verdictLines(file({ [algo]: 'g' + good.slice(1) })).length, 1);
    });
  }
  it('SSDEEP: blocksize:hash:hash', () => {
    assert.deepEqual(verdictLines(file({ SSDEEP: '3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C' })), []);
    for (const bad of [
      '3:abc',
      'a3:abc:def',
      'x:abc:def',
      '3:ab c:def',
      '3::def',
      ':abc:def',
      '3:abc:def:',
    ]) {
      assert.deepEqual(
        verdictLines(file({ SSDEEP: bad })),
        [`E hash-value $.hashes.SSDEEP: '${bad}' is not a valid SSDEEP hash`],
        bad,
      );
    }
  });
  it('TLSH with or without its T1 prefix', () => {
    assert.deepEqual(verdictLines(file({ TLSH: 'a'.repeat(70) })), []);
    assert.deepEqual(verdictLines(file({ TLSH: 'T2' + 'a'.repeat(70) })), [
      `E hash-value $.hashes.TLSH: 'T2${'a'.repeat(70)}' is not a valid TLSH hash`,
    ]);
  });
  it('algorithm names: 3–250 of [a-zA-Z0-9_-], others than the vocabulary SHOULD start with x_', () => {
    assert.deepEqual(verdictLines(file({ x_acme: 'v' })), []);
    assert.deepEqual(verdictLines(file({ 'Acme-Hash_2': 'v' })), [
      "W hash-algorithm $.hashes['Acme-Hash_2']: hash algorithm 'Acme-Hash_2' SHOULD come from hash-algorithm-ov or start with x_",
    ]);
    for (const [bad, path] of [
      ['ab', '$.hashes.ab'],
      ['a b', "$.hashes['a b']"],
      ['a.b', "$.hashes['a.b']"],
    ]) {
      assert.deepEqual(
        verdictLines(file({ [bad as string]: 'v' })).filter((l) => l.startsWith('E hash-key')),
        [`E hash-key ${path}: hash algorithm names MUST be 3–250 characters of [a-zA-Z0-9_-]`],
        bad,
      );
    }
  });
});

/** SCOs whose id MUST be a UUIDv4 when none of the ID contributing properties is present. */
const CONTRIBUTING: [string, Obj, Obj[]][] = [
  ['artifact', { mime_type: 'text/plain' }, [{ hashes: { MD5: 'a'.repeat(32) } }, { payload_bin: 'YWJj' }]],
  [
    'email-message',
    { is_multipart: false },
    [{ from_ref: ref('email-addr') }, { subject: 's' }, { body: 'b' }],
  ],
  [
    'user-account',
    { display_name: 'd' },
    [{ account_type: 'unix' }, { user_id: '1' }, { account_login: 'l' }],
  ],
  [
    'windows-registry-key',
    { modified_time: '2020-01-01T00:00:00Z' },
    [{ key: 'HKEY_LOCAL_MACHINE\\x' }, { values: [{ name: 'n' }] }],
  ],
  [
    'x509-certificate',
    { is_self_signed: true },
    [{ hashes: { MD5: 'a'.repeat(32) } }, { serial_number: '1' }],
  ],
];

describe('STIX tables: UUIDv4 ids of SCOs without ID contributing properties', () => {
  for (const [type, base, each] of CONTRIBUTING) {
    it(type, () => {
      const o = (uuid: string, extra: Obj) => ({
        type,
        spec_version: '2.1',
        id: `${type}--${uuid}`,
        ...base,
        ...extra,
      });
      assert.deepEqual(ruleIssues(o(U5, {}), 'uuid-version'), [
        '$.id: with no ID contributing properties, the id MUST use a UUIDv4',
      ]);
      assert.deepEqual(ruleIssues(o(U4, {}), 'uuid-version'), []);
      for (const extra of each) {
        assert.deepEqual(ruleIssues(o(U5, extra), 'uuid-version'), [], JSON.stringify(extra));
        assert.deepEqual(
          ruleIssues(o(U4, extra), 'uuid-version'),
          ['$.id: SCO ids SHOULD be deterministic UUIDv5'],
          JSON.stringify(extra),
        );
      }
    });
  }
  it('other SCOs: UUIDv5 SHOULD, whatever their properties', () => {
    assert.deepEqual(ruleIssues(sco('mutex', { name: 'm' }), 'uuid-version'), []);
    assert.deepEqual(ruleIssues({ type: 'mutex', id: `mutex--${U4}`, name: 'm' }, 'uuid-version'), [
      '$.id: SCO ids SHOULD be deterministic UUIDv5',
    ]);
  });
});

describe('STIX tables: reserved property names', () => {
  for (const name of ['severity', 'action', 'username', 'phone_numbers']) {
    it(name, () => {
      assert.deepEqual(
        verdictLines(
          sdo('indicator', {
            pattern: "[file:name = 'x']",
            pattern_type: 'stix',
            valid_from: '2020-01-01T00:00:00Z',
            name: 'n',
            description: 'd',
            [name]: 'x',
          }),
        ),
        [`E reserved-property $.${name}: '${name}' is a reserved property name and MUST NOT be used`],
      );
    });
  }
  it('names that merely look alike are custom properties', () => {
    assert.deepEqual(ruleIssues(sdo('tool', { name: 't', severity_level: 'x' }), 'reserved-property'), []);
  });
});

describe('STIX tables: name forms', () => {
  const ind = (extra: Obj): Obj =>
    sdo('indicator', {
      name: 'n',
      description: 'd',
      pattern: "[file:name = 'x']",
      pattern_type: 'stix',
      valid_from: '2020-01-01T00:00:00Z',
      ...extra,
    });
  const ED_V4 = 'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e';
  it('custom type names: 3–250 of a–z, 0–9 and hyphen, no hyphen at either end', () => {
    for (const t of ['x-' + 'a'.repeat(248), 'x-0', 'x-a-b', 'x-9']) {
      assert.deepEqual(verdictLines(sco(t, { value: 'v' })), [], t);
    }
    for (const t of ['x-' + 'a'.repeat(249), 'x-', 'xa', 'x-a_b', 'x-A', 'x-a-', '-x-a', 'x-a.b']) {
      assert.deepEqual(
        verdictLines(sco(t, { value: 'v' })),
        [`E type-name $.type: type '${t}' MUST be 3–250 characters of a–z, 0–9 and hyphen`],
        t,
      );
    }
  });
  it('custom property names: 3–250 of a–z, 0–9 and _', () => {
    assert.deepEqual(verdictLines(ind({ ['x_' + 'a'.repeat(248)]: 1, x_9: 1, x_a_b: 1 })), []);
    for (const k of ['x_' + 'a'.repeat(249), 'x_', 'x-a', 'x_A', 'x_a.b', ' x_a']) {
      assert.deepEqual(
        verdictLines(ind({ [k]: 1 })).filter((l) => l.startsWith('E property-name')),
        [
          `E property-name ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `$.${k}` : `$['${k}']`}: property name '${k}' MUST be 3–250 characters of a–z, 0–9 and _`,
        ],
        k,
      );
    }
  });
  it('hash algorithm names up to 250 characters', () => {
    const k250 = 'x_' + 'a'.repeat(248);
    assert.deepEqual(verdictLines(sco('file', { hashes: { [k250]: 'v' } })), []);
  });
  it('_bin holds base64, _hex an even number of hex digits', () => {
    for (const v of ['', 'YQ==', 'YWI=', 'YWJj', 'YWJjZA==', 'A+/9']) {
      assert.deepEqual(verdictLines(ind({ x_data_bin: v })), [], v);
    }
    for (const v of ['YWJ', 'Y===', 'YW=j', 'YWJj=', '!!!!', 'YWJjZA=']) {
      assert.deepEqual(
        verdictLines(ind({ x_data_bin: v })),
        ['E binary-value $.x_data_bin: a property ending in _bin MUST hold base64 (binary type)'],
        v,
      );
    }
    for (const v of ['', 'ab', 'AB09', 'deadBEEF'])
      assert.deepEqual(verdictLines(ind({ x_data_hex: v })), [], v);
    for (const v of ['abc', 'zz', 'a', '0x00', 'ab cd']) {
      assert.deepEqual(
        verdictLines(ind({ x_data_hex: v })),
        [
          'E hex-value $.x_data_hex: a property ending in _hex MUST hold an even number of hex digits (hex type)',
        ],
        v,
      );
    }
  });
  it('extension keys: an extension-definition id (RFC 4122 UUID), a predefined -ext name, or x-', () => {
    const key = 'E extension-key';
    const keyIssue = (k: string) =>
      `${key} $.extensions['${k}']: extension keys MUST be an extension-definition id or a predefined extension name ending in -ext`;
    assert.deepEqual(
      verdictLines(ind({ extensions: { [ED_V4]: { extension_type: 'property-extension' } } })),
      [],
    );
    assert.deepEqual(
      verdictLines(
        ind({
          extensions: {
            [ED_V4.toUpperCase().replace('EXTENSION-DEFINITION', 'extension-definition')]: {
              extension_type: 'property-extension',
            },
          },
        }),
      ),
      [],
    );
    for (const k of [
      'extension-definition--d83fce45-ef58-6c6c-a3f4-1fbc32e98c6e',
      'extension-definition--d83fce45-ef58-4c6c-c3f4-1fbc32e98c6e',
      'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6',
      'extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e0',
      'xextension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e',
      'Acme-ext',
      'acme-ext-x',
      '-ext',
      'acme_ext',
    ]) {
      assert.deepEqual(verdictLines(ind({ extensions: { [k]: { a: 1 } } })), [keyIssue(k)], k);
    }
    assert.deepEqual(verdictLines(ind({ extensions: { 'a-ext': { a: 1 } } })), [
      "W custom-extension $.extensions['a-ext']: 'a-ext' is not a predefined extension of indicator",
    ]);
  });
  it('granular marking selectors: properties and [index] steps only', () => {
    const labels = Array.from({ length: 11 }, (_, i) => `l${i}`);
    const sel = (selectors: string[]) =>
      verdictLines(
        ind({ labels, granular_markings: [{ marking_ref: ref('marking-definition'), selectors }] }),
      );
    assert.deepEqual(sel(['labels.[10]', 'labels.[0]', 'labels', 'name']), []);
    for (const s of ['labels.[11]', 'labels.a[0]', 'labels.[0]x', 'labels.[-1]', 'labels.[]', 'labels.0']) {
      assert.deepEqual(
        sel([s]),
        [
          `E marking-selector $.granular_markings[0].selectors[0]: selector '${s}' MUST refer to a property of this object`,
        ],
        s,
      );
    }
  });
  it('pattern property names: 3–250 of a–z, 0–9 and _, or id', () => {
    const pattern = (p: string) => verdictLines(ind({ pattern: p }));
    assert.deepEqual(pattern(`[x-acme:${'x_' + 'a'.repeat(248)} = 'v']`), []);
    for (const p of ['ab', 'x_' + 'a'.repeat(249), 'Ab_c']) {
      assert.deepEqual(
        pattern(`[file:${p} = 'v']`),
        [`E pattern-property $.pattern: '${p}' (position 1) is not a valid property name`],
        p,
      );
    }
  });
  it('pattern object types: SCO types, x- custom types warned of nothing, others warned, invalid names refused', () => {
    const pattern = (p: string) => verdictLines(ind({ pattern: p }));
    assert.deepEqual(pattern("[x-acme-widget:name = 'v']"), []);
    assert.deepEqual(pattern("[acme-widget:name = 'v']"), [
      "W pattern-object-type $.pattern: 'acme-widget' is not a STIX 2.1 SCO type (custom types SHOULD start with x-)",
    ]);
    assert.deepEqual(pattern("[indicator:name = 'v']"), [
      "W pattern-object-type $.pattern: 'indicator' is not a STIX 2.1 SCO type (custom types SHOULD start with x-)",
    ]);
    assert.deepEqual(pattern("[ab:name = 'v']"), [
      "E pattern-object-type $.pattern: 'ab' (position 1) is not a valid object type name",
    ]);
  });
  it('kill chain names are lower case with hyphens', () => {
    const kc = (kill_chain_name: string, phase_name: string) =>
      verdictLines(ind({ kill_chain_phases: [{ kill_chain_name, phase_name }] }));
    assert.deepEqual(kc('lockheed-martin-cyber-kill-chain', 'reconnaissance0'), []);
    assert.deepEqual(kc('lockheed martin', 'x'), [
      'W kill-chain-name $.kill_chain_phases[0].kill_chain_name: kill_chain_name SHOULD be lowercase with hyphens',
    ]);
    assert.deepEqual(kc('x', 'Recon'), [
      'W kill-chain-name $.kill_chain_phases[0].phase_name: phase_name SHOULD be lowercase with hyphens',
    ]);
    assert.deepEqual(kc('x', 'recon_1'), [
      'W kill-chain-name $.kill_chain_phases[0].phase_name: phase_name SHOULD be lowercase with hyphens',
    ]);
  });
});
