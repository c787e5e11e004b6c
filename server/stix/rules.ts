/**
 * STIX 2.1 MUST rules that JSON Schema cannot express, and the SHOULD rules (reported as warnings).
 * Section numbers refer to the STIX 2.1 specification (OASIS Standard, 10 June 2021).
 */
import { child, type IssueSink } from './issues';
import { TLP1_MARKINGS, TLP2_EXTENSION_ID, TLP2_MARKINGS, TLP2_CREATED } from './markings';
import {
  collectComparisons,
  parsePattern,
  PatternLimitError,
  PatternSyntaxError,
  type PathStep,
  type PatternLimits,
} from './pattern';
import {
  IDENTIFIER_RE,
  SCO_EXTENSIONS,
  SCO_TYPES,
  SDO_TYPES,
  validateExtensionEntry,
  validateIncidentCore,
} from './registry';
import { addAjvErrors } from './issues';
import { INCIDENT_CORE_EXTENSION_ID } from './schemas/objects';
import { compareTimestamps, TIMESTAMP_RE } from './timestamp';
import { VOCAB_PROPERTIES, VOCABS } from './vocab';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const TYPE_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{1,248})[a-z0-9]$/;
const PROPERTY_NAME_RE = /^[a-z0-9_]{3,250}$/;
const EXT_DEF_KEY_RE =
  /^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;
const PREDEFINED_EXT_RE = /^[a-z0-9-]+-ext$/;
const HEX_RE = /^(?:[a-fA-F0-9]{2})*$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const NON_CORE_TYPES = new Set([
  'relationship',
  'sighting',
  'marking-definition',
  'language-content',
  'extension-definition',
  'bundle',
]);

// ---------------------------------------------------------------------------------------------------------------
// timestamps (§3.2 and the per-object property descriptions)

/** How a later timestamp must relate to an earlier one, in the words an issue uses. */
type Order = 'later than' | 'later than or equal to';
const TIMESTAMP_ORDER: Record<string, [string, Order, string][]> = {
  campaign: [['last_seen', 'later than or equal to', 'first_seen']],
  indicator: [['valid_until', 'later than', 'valid_from']],
  infrastructure: [['last_seen', 'later than or equal to', 'first_seen']],
  'intrusion-set': [['last_seen', 'later than or equal to', 'first_seen']],
  malware: [['last_seen', 'later than or equal to', 'first_seen']],
  'observed-data': [['last_observed', 'later than or equal to', 'first_observed']],
  relationship: [['stop_time', 'later than', 'start_time']],
  sighting: [['last_seen', 'later than or equal to', 'first_seen']],
  'threat-actor': [['last_seen', 'later than or equal to', 'first_seen']],
  'network-traffic': [['end', 'later than or equal to', 'start']],
};

function checkTimestampOrder(o: Obj, type: string, sink: IssueSink): void {
  const c = o.created;
  const m = o.modified;
  if (typeof c === 'string' && typeof m === 'string' && TIMESTAMP_RE.test(c) && TIMESTAMP_RE.test(m)) {
    if (compareTimestamps(m, c) < 0)
      sink.error(
        'modified-before-created',
        '$.modified',
        `modified (${m}) MUST be later than or equal to created (${c})`,
      );
  }
  const order = TIMESTAMP_ORDER[type];
  if (!order) return;
  for (const [later, relation, earlier] of order) {
    const a = o[later];
    const b = o[earlier];
    if (typeof a !== 'string' || typeof b !== 'string' || !TIMESTAMP_RE.test(a) || !TIMESTAMP_RE.test(b))
      continue;
    const d = compareTimestamps(a, b);
    if (relation === 'later than' ? d <= 0 : d < 0) {
      sink.error('timestamp-order', `$.${later}`, `${later} (${a}) MUST be ${relation} ${earlier} (${b})`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// identifiers and references (§2.9, and each property's "MUST reference" rule)

type RefTarget = readonly string[] | 'sdo' | 'sco' | 'core' | 'sco-or-sro';

const COMMON_REFS: Record<string, RefTarget> = {
  created_by_ref: ['identity'],
  object_marking_refs: ['marking-definition'],
};

/** (The object_refs of report, grouping, note and opinion, and language-content's object_ref, may reference any type.) */
const REF_RULES: Record<string, Record<string, RefTarget>> = {
  relationship: { source_ref: 'core', target_ref: 'core' },
  sighting: {
    sighting_of_ref: 'sdo',
    observed_data_refs: ['observed-data'],
    where_sighted_refs: ['identity', 'location'],
  },
  'observed-data': { object_refs: 'sco-or-sro' },
  malware: { operating_system_refs: ['software'], sample_refs: ['file', 'artifact'] },
  'malware-analysis': {
    host_vm_ref: ['software'],
    operating_system_ref: ['software'],
    installed_software_refs: ['software'],
    analysis_sco_refs: 'sco',
    sample_ref: ['file', 'artifact', 'network-traffic'],
  },
  'email-addr': { belongs_to_ref: ['user-account'] },
  directory: { contains_refs: ['file', 'directory'] },
  'domain-name': { resolves_to_refs: ['ipv4-addr', 'ipv6-addr', 'domain-name'] },
  'email-message': {
    from_ref: ['email-addr'],
    sender_ref: ['email-addr'],
    to_refs: ['email-addr'],
    cc_refs: ['email-addr'],
    bcc_refs: ['email-addr'],
    raw_email_ref: ['artifact'],
  },
  file: { parent_directory_ref: ['directory'], contains_refs: 'sco', content_ref: ['artifact'] },
  'ipv4-addr': { resolves_to_refs: ['mac-addr'], belongs_to_refs: ['autonomous-system'] },
  'ipv6-addr': { resolves_to_refs: ['mac-addr'], belongs_to_refs: ['autonomous-system'] },
  'network-traffic': {
    src_ref: ['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'],
    dst_ref: ['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name'],
    src_payload_ref: ['artifact'],
    dst_payload_ref: ['artifact'],
    encapsulates_refs: ['network-traffic'],
    encapsulated_by_ref: ['network-traffic'],
  },
  process: {
    opened_connection_refs: ['network-traffic'],
    creator_user_ref: ['user-account'],
    image_ref: ['file'],
    parent_ref: ['process'],
    child_refs: ['process'],
  },
  'windows-registry-key': { creator_user_ref: ['user-account'] },
  'file/archive-ext': { contains_refs: ['file', 'directory'] },
  'network-traffic/http-request-ext': { message_body_data_ref: ['artifact'] },
  'process/windows-service-ext': { service_dll_refs: ['file'] },
};

function refTypeOk(refType: string, target: RefTarget): boolean {
  if (target === 'sco')
    return SCO_TYPES.has(refType) || (!SDO_TYPES.has(refType) && !NON_CORE_TYPES.has(refType));
  if (target === 'sdo') return !SCO_TYPES.has(refType) && !NON_CORE_TYPES.has(refType);
  if (target === 'core') return !NON_CORE_TYPES.has(refType);
  if (target === 'sco-or-sro') {
    return (
      refType === 'relationship' ||
      refType === 'sighting' ||
      (!SDO_TYPES.has(refType) && !NON_CORE_TYPES.has(refType))
    );
  }
  return target.includes(refType);
}

function describeTarget(target: RefTarget): string {
  switch (target) {
    case 'sdo':
      return 'an SDO';
    case 'sco':
      return 'an SCO';
    case 'core':
      return 'an SDO or SCO';
    case 'sco-or-sro':
      return 'an SCO or SRO';
    default:
      return target.join(' or ');
  }
}

function checkRef(value: unknown, path: string, prop: string, target: RefTarget, sink: IssueSink): void {
  if (typeof value !== 'string' || !IDENTIFIER_RE.test(value)) return; // the schema reports the form
  const refType = value.slice(0, value.indexOf('--'));
  if (!refTypeOk(refType, target)) {
    sink.error('reference-type', path, `${prop} MUST reference ${describeTarget(target)}, not a ${refType}`);
  }
}

/** Checks the reference properties named by `rules`; absent ones pass (checkRef ignores non-strings). */
function checkRefs(o: Obj, rules: Record<string, RefTarget>, base: string, sink: IssueSink): void {
  for (const prop in rules) {
    const v = o[prop];
    const target = rules[prop] as RefTarget;
    const p = child(base, prop);
    if (Array.isArray(v)) for (const [i, x] of v.entries()) checkRef(x, `${p}[${i}]`, prop, target, sink);
    else checkRef(v, p, prop, target, sink);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// hashes (§2.7, hash-algorithm-ov §10.11)

const HASH_FORMS: Record<string, RegExp> = {
  MD5: /^[a-fA-F0-9]{32}$/,
  'SHA-1': /^[a-fA-F0-9]{40}$/,
  'SHA-224': /^[a-fA-F0-9]{56}$/,
  'SHA-256': /^[a-fA-F0-9]{64}$/,
  'SHA-384': /^[a-fA-F0-9]{96}$/,
  'SHA-512': /^[a-fA-F0-9]{128}$/,
  'SHA3-224': /^[a-fA-F0-9]{56}$/,
  'SHA3-256': /^[a-fA-F0-9]{64}$/,
  'SHA3-384': /^[a-fA-F0-9]{96}$/,
  'SHA3-512': /^[a-fA-F0-9]{128}$/,
  SSDEEP: /^[0-9]+:[A-Za-z0-9/+]+:[A-Za-z0-9/+]+$/,
  TLSH: /^(?:T1)?[a-fA-F0-9]{70}$/,
};
const HASH_KEY_RE = /^[a-zA-Z0-9_-]{3,250}$/;

/** Looks up a hash algorithm name the way patterns use it ('SHA-256', 'SHA256', 'sha256'). */
function hashFormLoose(name: string): [string, RegExp] | undefined {
  const norm = name.toUpperCase().replace(/-/g, '');
  for (const k in HASH_FORMS) if (k.replace(/-/g, '') === norm) return [k, HASH_FORMS[k] as RegExp];
  return undefined;
}

/** Checks a hashes dictionary; anything else (absent, or not an object: the schema reports it) passes. */
export function checkHashes(h: unknown, path: string, sink: IssueSink): void {
  if (!isObj(h)) return;
  for (const k in h) {
    const v = h[k];
    const p = child(path, k);
    if (!HASH_KEY_RE.test(k)) {
      sink.error('hash-key', p, 'hash algorithm names MUST be 3–250 characters of [a-zA-Z0-9_-]');
      continue;
    }
    const form = HASH_FORMS[k];
    if (form) {
      if (typeof v === 'string' && !form.test(v))
        sink.error('hash-value', p, `'${v}' is not a valid ${k} hash`);
    } else if (!k.startsWith('x_')) {
      sink.warn(
        'hash-algorithm',
        p,
        `hash algorithm '${k}' SHOULD come from hash-algorithm-ov or start with x_`,
      );
    }
  }
}

function checkAllHashes(o: Obj, sink: IssueSink): void {
  checkHashes(o.hashes, '$.hashes', sink);
  const refs = o.external_references;
  if (Array.isArray(refs)) {
    for (const [i, r] of (refs as unknown[]).entries()) {
      if (isObj(r)) checkHashes(r.hashes, `$.external_references[${i}].hashes`, sink);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// property names (§3.1, §11.1) and the reserved names

const RESERVED_PROPERTIES = ['severity', 'action', 'username', 'phone_numbers'];

function checkPropertyNames(
  o: Obj,
  known: ReadonlySet<string>,
  sink: IssueSink,
  toplevelExtension: boolean,
  isScoLike: boolean,
): void {
  for (const k in o) {
    if (known.has(k)) continue;
    const p = child('$', k);
    if (!PROPERTY_NAME_RE.test(k)) {
      sink.error('property-name', p, `property name '${k}' MUST be 3–250 characters of a–z, 0–9 and _`);
      continue;
    }
    if (!isScoLike && RESERVED_PROPERTIES.includes(k)) {
      sink.error('reserved-property', p, `'${k}' is a reserved property name and MUST NOT be used`);
      continue;
    }
    const v = o[k];
    if (k.endsWith('_bin') && (typeof v !== 'string' || !BASE64_RE.test(v))) {
      sink.error('binary-value', p, 'a property ending in _bin MUST hold base64 (binary type)');
    } else if (k.endsWith('_hex') && (typeof v !== 'string' || !HEX_RE.test(v))) {
      sink.error(
        'hex-value',
        p,
        'a property ending in _hex MUST hold an even number of hex digits (hex type)',
      );
    } else if (Array.isArray(v) && v.length === 0) {
      sink.error('empty-value', p, 'a list property MUST NOT be empty');
    } else if (!toplevelExtension && !k.startsWith('x_')) {
      sink.warn('custom-prefix', p, `custom property '${k}' SHOULD start with x_`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// markings (§7.2)

const SELECTOR_STEP_RE = /^\[([0-9]+)\]$/;

function selectorResolves(o: Obj, selector: string): boolean {
  let cur: unknown = o;
  for (const step of selector.split('.')) {
    const m = SELECTOR_STEP_RE.exec(step);
    if (m) {
      if (!Array.isArray(cur)) return false;
      cur = cur[Number(m[1])];
    } else {
      if (!isObj(cur) || !Object.prototype.hasOwnProperty.call(cur, step)) return false;
      cur = cur[step];
    }
    if (cur === undefined) return false;
  }
  return true;
}

function checkMarkings(o: Obj, type: string, sink: IssueSink): void {
  const oid = o.id;
  const omr = o.object_marking_refs;
  if (type === 'marking-definition' && Array.isArray(omr) && omr.includes(oid)) {
    sink.error('marking-circular-ref', '$.object_marking_refs', 'a marking definition MUST NOT mark itself');
  }
  const gm = o.granular_markings;
  if (!Array.isArray(gm)) return;
  for (const [i, g] of (gm as unknown[]).entries()) {
    if (!isObj(g)) continue;
    const p = `$.granular_markings[${i}]`;
    const hasRef = g.marking_ref !== undefined;
    const hasLang = g.lang !== undefined;
    if (hasRef === hasLang) {
      sink.error('granular-marking', p, 'a granular marking MUST have exactly one of marking_ref and lang');
    }
    checkRef(g.marking_ref, `${p}.marking_ref`, 'marking_ref', ['marking-definition'], sink);
    if (type === 'marking-definition' && g.marking_ref === oid) {
      sink.error('marking-circular-ref', `${p}.marking_ref`, 'a marking definition MUST NOT mark itself');
    }
    const sel = g.selectors;
    if (Array.isArray(sel)) {
      for (const [j, s] of (sel as unknown[]).entries()) {
        if (typeof s === 'string' && !selectorResolves(o, s)) {
          sink.error(
            'marking-selector',
            `${p}.selectors[${j}]`,
            `selector '${s}' MUST refer to a property of this object`,
          );
        }
      }
    }
  }
}

function checkMarkingDefinition(o: Obj, sink: IssueSink): void {
  const id = typeof o.id === 'string' ? o.id : '';
  const published = TLP1_MARKINGS.get(id);
  const def = o.definition;
  if (published) {
    for (const k of Object.keys(published) as (keyof typeof published)[]) {
      const want = published[k];
      const got = o[k];
      const same =
        typeof want === 'object'
          ? isObj(got) && got.tlp === want.tlp && Object.keys(got).length === 1
          : got === want;
      if (!same) {
        sink.error(
          'tlp1-marking',
          child('$', k),
          `TLP 1.0 marking ${published.name} MUST be the published object (${k})`,
        );
      }
    }
  } else if (o.definition_type === 'tlp') {
    sink.error(
      'tlp1-marking',
      '$.id',
      `TLP markings MUST use the published TLP 1.0 marking definitions; ${id} is not one of them${isObj(def) && typeof def.tlp === 'string' ? ` (TLP:${def.tlp.toUpperCase()})` : ''}`,
    );
  }
  const level = TLP2_MARKINGS.get(id);
  const ext = isObj(o.extensions) ? o.extensions[TLP2_EXTENSION_ID] : undefined;
  if (level !== undefined) {
    if (!isObj(ext)) {
      sink.error(
        'tlp2-marking',
        '$.extensions',
        `TLP 2.0 marking ${id} MUST carry the TLP 2.0 extension (${TLP2_EXTENSION_ID})`,
      );
    } else if (ext.tlp_2_0 !== level) {
      sink.error(
        'tlp2-marking',
        `$.extensions['${TLP2_EXTENSION_ID}'].tlp_2_0`,
        `marking ${id} is TLP:${level.toUpperCase()}; tlp_2_0 MUST be '${level}'`,
      );
    }
    if (o.name !== undefined && o.name !== `TLP:${level.toUpperCase()}`) {
      sink.warn('tlp2-marking', '$.name', `the TLP 2.0 marking name is 'TLP:${level.toUpperCase()}'`);
    }
    if (o.created !== TLP2_CREATED)
      sink.warn('tlp2-marking', '$.created', `the published TLP 2.0 markings have created ${TLP2_CREATED}`);
  } else if (isObj(ext)) {
    const lv = ext.tlp_2_0;
    const known: unknown[] = [...TLP2_MARKINGS.values()];
    if (!known.includes(lv)) {
      sink.error(
        'tlp2-marking',
        `$.extensions['${TLP2_EXTENSION_ID}'].tlp_2_0`,
        `tlp_2_0 MUST be one of ${known.join(', ')}`,
      );
    } else {
      sink.warn(
        'tlp2-marking',
        '$.id',
        `TLP:${String(lv).toUpperCase()} SHOULD use the published TLP 2.0 marking-definition id`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// extensions (§7.3, §6 predefined SCO extensions)

/** Checks `extensions`; returns whether a toplevel-property-extension is declared. */
function checkExtensions(o: Obj, type: string, isSco: boolean, sink: IssueSink): boolean {
  const exts = o.extensions;
  if (!isObj(exts)) return false;
  let toplevel = false;
  for (const key in exts) {
    const e = exts[key];
    const p = `$.extensions['${key}']`;
    if (!isObj(e)) continue; // schema
    if (EXT_DEF_KEY_RE.test(key)) {
      if (!validateExtensionEntry(e)) addAjvErrors(sink, validateExtensionEntry.errors(), e, p, type);
      if (e.extension_type === 'toplevel-property-extension') toplevel = true;
      if (key === INCIDENT_CORE_EXTENSION_ID) {
        if (type !== 'incident') {
          sink.error(
            'incident-core-extension',
            p,
            'the Incident Core Extension applies to incident objects only',
          );
        } else {
          checkIncidentCore(e, p, sink);
        }
      }
      if (key === TLP2_EXTENSION_ID && type !== 'marking-definition') {
        sink.error('tlp2-marking', p, 'the TLP 2.0 extension applies to marking-definition objects only');
      }
      continue;
    }
    if (PREDEFINED_EXT_RE.test(key)) {
      const v = SCO_EXTENSIONS.get(`${type}/${key}`);
      if (v) {
        if (!v(e)) addAjvErrors(sink, v.errors(), e, p, type);
        checkRefs(e, REF_RULES[`${type}/${key}`] ?? {}, p, sink);
        checkExtensionHashes(e, p, sink);
      } else if (!isSco || SCO_TYPES.has(type)) {
        sink.warn('custom-extension', p, `'${key}' is not a predefined extension of ${type}`);
      }
      continue;
    }
    if (key.startsWith('x-')) {
      sink.warn('custom-extension', p, 'custom extensions SHOULD be defined by an extension-definition');
      continue;
    }
    sink.error(
      'extension-key',
      p,
      'extension keys MUST be an extension-definition id or a predefined extension name ending in -ext',
    );
  }
  return toplevel;
}

function checkExtensionHashes(e: Obj, p: string, sink: IssueSink): void {
  checkHashes(e.file_header_hashes, `${p}.file_header_hashes`, sink);
  for (const listProp of ['sections', 'alternate_data_streams']) {
    const l = e[listProp];
    if (!Array.isArray(l)) continue;
    for (const [i, it] of (l as unknown[]).entries()) {
      if (isObj(it)) checkHashes(it.hashes, `${p}.${listProp}[${i}].hashes`, sink);
    }
  }
}

function checkIncidentCore(e: Obj, p: string, sink: IssueSink): void {
  // Stryker disable next-line StringLiteral: the type names a combinator's message, and this schema has no combinator
  if (!validateIncidentCore(e)) addAjvErrors(sink, validateIncidentCore.errors(), e, p, 'incident');
  const inv = e.investigation_status;
  if (typeof inv === 'string' && !VOCABS['incident-investigation-ov'].has(inv)) {
    sink.warn('vocabulary', `${p}.investigation_status`, `'${inv}' is not in incident-investigation-ov`);
  }
  vocabList(e.incident_types, 'incident-type-ov', `${p}.incident_types`, sink);
  vocabList(e.detection_methods, 'detection-methods-ov', `${p}.detection_methods`, sink);
}

// ---------------------------------------------------------------------------------------------------------------
// patterns (§9)

const PATTERN_PROPERTY_RE = /^[a-z0-9_]{3,250}$/;

function checkPattern(o: Obj, limits: PatternLimits, sink: IssueSink): void {
  if (o.pattern_type !== 'stix' || typeof o.pattern !== 'string') return;
  const pv = o.pattern_version;
  if (pv !== undefined && pv !== '2.1' && pv !== '2.0') {
    sink.warn(
      'pattern-version',
      '$.pattern_version',
      `pattern_version '${String(pv)}' is unknown; parsed as 2.1`,
    );
  }
  let ast;
  try {
    ast = parsePattern(o.pattern, limits);
  } catch (err) {
    // parsePattern throws PatternSyntaxError (or its PatternLimitError) only
    const e = err as PatternSyntaxError;
    sink.error(e instanceof PatternLimitError ? 'pattern-limit' : 'pattern-syntax', '$.pattern', e.message);
    return;
  }
  for (const c of collectComparisons(ast)) {
    const t = c.path.objectType;
    if (!SCO_TYPES.has(t)) {
      if (!TYPE_NAME_RE.test(t)) {
        sink.error(
          'pattern-object-type',
          '$.pattern',
          `'${t}' (position ${c.path.pos}) is not a valid object type name`,
        );
      } else if (!t.startsWith('x-')) {
        sink.warn(
          'pattern-object-type',
          '$.pattern',
          `'${t}' is not a STIX 2.1 SCO type (custom types SHOULD start with x-)`,
        );
      }
    }
    // the parser starts every object path with a property, and a path has at least that step
    const first = c.path.steps[0] as PathStep & { kind: 'prop' };
    if (first.name !== 'id' && !PATTERN_PROPERTY_RE.test(first.name)) {
      sink.error(
        'pattern-property',
        '$.pattern',
        `'${first.name}' (position ${c.path.pos}) is not a valid property name`,
      );
    }
    // hashes.<ALGO> = '<value>'
    const last = c.path.steps[c.path.steps.length - 1] as PathStep;
    const prev = c.path.steps[c.path.steps.length - 2];
    // the operand: one literal, a list (IN, which has no kind) or none (EXISTS)
    const lit = c.value as { kind?: string; value?: unknown } | undefined;
    const text = lit?.kind === 'string' ? String(lit.value) : undefined;
    if (
      last.kind === 'prop' &&
      prev?.kind === 'prop' &&
      prev.name.endsWith('hashes') &&
      (c.op === '=' || c.op === '!=') &&
      text !== undefined
    ) {
      const form = hashFormLoose(last.name);
      if (form && !form[1].test(text)) {
        sink.error('pattern-hash-value', '$.pattern', `'${text}' is not a valid ${form[0]} hash`);
      }
    }
    if (c.op === 'MATCHES') {
      // (the parser takes only a string after MATCHES)
      try {
        new RegExp(text as string, 'u');
      } catch {
        sink.warn(
          'pattern-regex',
          '$.pattern',
          `MATCHES operand '${text}' is not a valid regular expression`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// vocabularies and other SHOULD rules

function vocabList(v: unknown, vocab: keyof typeof VOCABS, path: string, sink: IssueSink): void {
  const set = VOCABS[vocab];
  if (typeof v === 'string') {
    if (!set.has(v)) sink.warn('vocabulary', path, `'${v}' is not in ${vocab}`);
  } else if (Array.isArray(v)) {
    for (const [i, x] of (v as unknown[]).entries()) {
      if (typeof x === 'string' && !set.has(x))
        sink.warn('vocabulary', `${path}[${i}]`, `'${x}' is not in ${vocab}`);
    }
  }
}

function checkVocabularies(o: Obj, type: string, sink: IssueSink): void {
  // (vocabList passes over an absent property)
  const props = VOCAB_PROPERTIES[type] ?? {};
  for (const prop in props) vocabList(o[prop], props[prop] as keyof typeof VOCABS, child('$', prop), sink);
}

const KILL_CHAIN_NAME_RE = /^[a-z0-9-]+$/;

function checkKillChain(o: Obj, sink: IssueSink): void {
  const k = o.kill_chain_phases;
  if (!Array.isArray(k)) return;
  for (const [i, ph] of (k as unknown[]).entries()) {
    if (!isObj(ph)) continue;
    for (const f of ['kill_chain_name', 'phase_name']) {
      const v = ph[f];
      if (typeof v === 'string' && !KILL_CHAIN_NAME_RE.test(v)) {
        sink.warn(
          'kill-chain-name',
          `$.kill_chain_phases[${i}].${f}`,
          `${f} SHOULD be lowercase with hyphens`,
        );
      }
    }
  }
}

/** SCOs whose id MUST be a UUIDv4 when no ID contributing property is present (§6). */
const SCO_ID_CONTRIBUTING: Record<string, string[]> = {
  artifact: ['hashes', 'payload_bin'],
  'email-message': ['from_ref', 'subject', 'body'],
  'user-account': ['account_type', 'user_id', 'account_login'],
  'windows-registry-key': ['key', 'values'],
  'x509-certificate': ['hashes', 'serial_number'],
};

function uuidVersion(id: string): string {
  return id.charAt(id.indexOf('--') + 16);
}

function checkUuidVersion(o: Obj, type: string, cls: 'sdo' | 'sro' | 'sco' | 'meta', sink: IssueSink): void {
  const id = o.id;
  if (typeof id !== 'string' || !IDENTIFIER_RE.test(id)) return;
  const ver = uuidVersion(id);
  if (cls === 'sco') {
    if (type === 'process') {
      if (ver !== '4') sink.error('uuid-version', '$.id', 'a process id MUST use a UUIDv4');
      return;
    }
    const contributing = SCO_ID_CONTRIBUTING[type];
    if (contributing && contributing.every((p) => o[p] === undefined)) {
      if (ver !== '4')
        sink.error('uuid-version', '$.id', 'with no ID contributing properties, the id MUST use a UUIDv4');
      return;
    }
    if (ver !== '5') sink.warn('uuid-version', '$.id', 'SCO ids SHOULD be deterministic UUIDv5');
  } else if (ver !== '4') {
    // (the published TLP 1.0 and 2.0 marking definitions have UUIDv4 ids too)
    sink.warn('uuid-version', '$.id', `${type} ids SHOULD use a UUIDv4`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// per-type rules

function checkTypeSpecific(o: Obj, type: string, patternLimits: PatternLimits, sink: IssueSink): void {
  switch (type) {
    case 'indicator':
      checkPattern(o, patternLimits, sink);
      if (o.name === undefined) sink.warn('indicator-name', '$.name', 'an indicator SHOULD have a name');
      if (o.description === undefined)
        sink.warn('indicator-description', '$.description', 'an indicator SHOULD have a description');
      break;
    case 'observed-data':
      if (o.objects !== undefined)
        sink.warn('deprecated-property', '$.objects', 'objects is deprecated; use object_refs');
      break;
    case 'process':
    case 'x509-certificate': {
      // at least one property besides these (§6.11, §6.17)
      const idOnly = ['type', 'id', 'spec_version', 'defanged'];
      if (Object.keys(o).every((k) => idOnly.includes(k)))
        sink.error('required-property', '$', `a ${type} MUST have at least one property besides type and id`);
      break;
    }
    case 'relationship':
      if (typeof o.source_ref === 'string' && o.source_ref === o.target_ref) {
        sink.warn('relationship-self', '$.target_ref', 'a relationship from an object to itself is unusual');
      }
      break;
    case 'sighting':
      if (o.count === 0 && o.summary === true) {
        sink.warn('sighting-count', '$.count', 'a summary sighting with count 0');
      }
      break;
    case 'marking-definition':
      checkMarkingDefinition(o, sink);
      break;
    case 'language-content':
      if (isObj(o.contents)) {
        for (const lang in o.contents) {
          if (!/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(lang)) {
            sink.error(
              'language-tag',
              child('$.contents', lang),
              `'${lang}' is not an RFC 5646 language tag`,
            );
          }
        }
      }
      break;
  }
}

export interface RuleInput {
  o: Obj;
  type: string;
  cls: 'sdo' | 'sro' | 'sco' | 'meta';
  known: ReadonlySet<string>;
  custom: boolean;
  /** Bounds on the STIX pattern of an indicator (nesting, tokens). */
  patternLimits: PatternLimits;
}

/** Runs every non-schema rule on an object whose `type` is a string. */
export function runRules({ o, type, cls, known, custom, patternLimits }: RuleInput, sink: IssueSink): void {
  const id = o.id;
  if (typeof id === 'string') {
    const sep = id.indexOf('--');
    if (sep > 0 && id.slice(0, sep) !== type) {
      sink.error('id-type', '$.id', `the id prefix '${id.slice(0, sep)}' MUST equal the type '${type}'`);
    }
  }
  checkTimestampOrder(o, type, sink);
  checkRefs(o, COMMON_REFS, '$', sink);
  checkRefs(o, REF_RULES[type] ?? {}, '$', sink);
  checkAllHashes(o, sink);
  checkMarkings(o, type, sink);
  const toplevel = checkExtensions(o, type, cls === 'sco', sink);
  checkPropertyNames(o, known, sink, toplevel || custom, cls === 'sco' || custom);
  checkTypeSpecific(o, type, patternLimits, sink);
  checkVocabularies(o, type, sink);
  checkKillChain(o, sink);
  checkUuidVersion(o, type, cls, sink);
  if (typeof o.lang === 'string' && !/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$/.test(o.lang)) {
    sink.error('language-tag', '$.lang', `'${o.lang}' is not an RFC 5646 language tag`);
  }
}
