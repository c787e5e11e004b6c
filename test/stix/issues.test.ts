/**
 * The one rule vocabulary of validation issues (server/stix/issues.ts): JSON paths, the one-line
 * form of a list of issues (and its cut for status messages), and how each kind of JSON Schema
 * failure becomes one issue with its rule, path and message — combinator branches and per-key
 * noise dropped.
 */
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import {
  addAjvErrors,
  child,
  formatIssues,
  IssueSink,
  jsonPath,
  type ValidationIssue,
} from '../../server/stix/issues';
import { validateStixObject } from '../../server/stix/validate';
import { indicator, sdo, type Obj } from './helpers';

const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';

/** "rule path: message" of every error of an object. */
function errors(o: unknown): string[] {
  return validateStixObject(o).errors.map((e) => `${e.rule} ${e.path}: ${e.message}`);
}

const issue = (rule: string, path: string, message: string): ValidationIssue => ({ rule, path, message });
const networkTraffic = (extra: Obj): Obj => ({
  type: 'network-traffic',
  id: `network-traffic--${U5}`,
  protocols: ['tcp'],
  ...extra,
});

describe('STIX issues: paths', () => {
  it('jsonPath turns a JSON pointer into a JSON path under a base', () => {
    assert.equal(jsonPath('', {}), '$');
    assert.equal(jsonPath('', {}, "$.extensions['x-ext']"), "$.extensions['x-ext']");
    assert.equal(jsonPath('/a/0/b', { a: [{ b: 1 }] }), '$.a[0].b');
    assert.equal(jsonPath('/_x1/Ab_9', {}), '$._x1.Ab_9');
    assert.equal(jsonPath('/1a', {}), "$['1a']");
    assert.equal(jsonPath('/x-y/10', { 'x-y': [] }), "$['x-y'][10]");
    assert.equal(jsonPath('/a b', {}), "$['a b']");
    assert.equal(jsonPath('/0x', {}), "$['0x']");
    assert.equal(jsonPath('/x0', {}), '$.x0');
    assert.equal(jsonPath('/a~1b', {}), "$['a/b']");
    assert.equal(jsonPath('/a~0b~0~0', {}), "$['a~b~~']");
    // ~01 is "~1" (unescape ~1 first, then ~0), not "/"
    assert.equal(jsonPath('/~01', {}), "$['~1']");
    assert.equal(jsonPath('/a/b', {}, "$.extensions['tcp-ext']"), "$.extensions['tcp-ext'].a.b");
    assert.equal(jsonPath('/', {}), "$['']");
  });
  it('jsonPath tells an array index from an object key made of digits by the instance', () => {
    const data = { hashes: { '0': 'x' }, list: [{ '12': [[], { '3': 1 }] }], s: 'text' };
    assert.equal(jsonPath('/hashes/0', data), "$.hashes['0']");
    assert.equal(jsonPath('/list/0/12/1/3', data), "$.list[0]['12'][1]['3']");
    // below a scalar, or where the instance has nothing, a segment is a key
    assert.equal(jsonPath('/s/0', data), "$.s['0']");
    assert.equal(jsonPath('/none/0/1', data), "$.none['0']['1']");
    assert.equal(jsonPath('/0', null), "$['0']");
    assert.equal(jsonPath('/0', [5]), '$[0]');
  });
  it('an issue under a dictionary key made of digits names the key, not an index', () => {
    assert.deepEqual(
      errors(indicator({ external_references: [{ source_name: 'x', hashes: { '0000': 5 } }] })),
      ["property-type $.external_references[0].hashes['0000']: must be string"],
    );
  });
  it('child adds one key or index', () => {
    assert.equal(child('$', 0), '$[0]');
    assert.equal(child('$.a', 12), '$.a[12]');
    assert.equal(child('$', 'name'), '$.name');
    assert.equal(child('$', '_a9'), '$._a9');
    assert.equal(child('$', 'SHA-256'), "$['SHA-256']");
    assert.equal(child('$', '9a'), "$['9a']");
    assert.equal(child('$', 'a b'), "$['a b']");
    assert.equal(child('$', '12'), "$['12']");
    assert.equal(child('$', ''), "$['']");
  });
});

describe('STIX issues: one line', () => {
  const a = issue('aa', '$', 'x'); // "aa at $: x", 10 characters
  const b = issue('bb', '$.b', 'y'); // "; bb at $.b: y", 14
  const c = issue('cc', '$.c', 'z');
  it('lists every issue, "rule at path: message", joined by "; "', () => {
    assert.equal(formatIssues([]), '');
    assert.equal(formatIssues([a]), 'aa at $: x');
    assert.equal(formatIssues([a, b, c]), 'aa at $: x; bb at $.b: y; cc at $.c: z');
  });
  it('keeps it on one line', () => {
    assert.equal(
      formatIssues([issue('r', '$', 'one\ntwo\r\nthree\rfour\n\n')]),
      'r at $: one two three four ',
    );
  });
  it('cuts to maxChars, saying how many issues were left out', () => {
    assert.equal(formatIssues([a, b], 24), 'aa at $: x; bb at $.b: y');
    assert.equal(formatIssues([a, b], 23), 'aa at $: x; bb at $.b:…');
    assert.equal(formatIssues([a, b], 20), 'aa at $: x; bb at $…');
    assert.equal(formatIssues([a], 10), 'aa at $: x');
    assert.equal(formatIssues([a], 9), 'aa at $:…');
    assert.equal(formatIssues([a], 0), '…');
    assert.equal(formatIssues([a, b, c], 30), 'aa at $: x; bb at $.b: y; cc …');
    assert.equal(formatIssues([a, b, c], 22), 'aa at $: x; … (1 more)');
    assert.equal(formatIssues([a, b, c], 38), 'aa at $: x; bb at $.b: y; cc at $.c: z');
    assert.equal(formatIssues([a, b, c], 37), 'aa at $: x; bb at $.b: y; cc at $.c:…');
    assert.equal(formatIssues([a, b, c], 5), '… (2 more)');
    // no room for the cut issue's text: none of it, never a negative slice
    assert.equal(formatIssues([a, b, c], 12), 'aa at $: x… (1 more)');
  });
});

describe('STIX issues: schema failures', () => {
  it('required, type, range, empty and pattern failures', () => {
    assert.deepEqual(errors(sdo('malware', { is_family: true })), [
      "required-property $.name: required property 'name' is missing",
    ]);
    assert.deepEqual(errors(indicator({ name: 5 })), ['property-type $.name: must be string']);
    assert.deepEqual(errors({ type: 'file', id: `file--${U5}`, name: 'a', size: -1 }), [
      'value-range $.size: must be >= 0',
    ]);
    assert.deepEqual(errors(indicator({ confidence: 101 })), ['value-range $.confidence: must be <= 100']);
    assert.deepEqual(errors(indicator({ labels: [] })), [
      'empty-value $.labels: must NOT have fewer than 1 items',
    ]);
    assert.deepEqual(errors(indicator({ extensions: {} })), [
      'empty-value $.extensions: must NOT have fewer than 1 properties',
    ]);
    assert.deepEqual(
      errors(
        networkTraffic({ src_ref: `ipv4-addr--${U5}`, extensions: { 'tcp-ext': { src_flags_hex: 'zz' } } }),
      ),
      ['value-format $.extensions[\'tcp-ext\'].src_flags_hex: must match pattern "^([a-fA-F0-9]{2})*$"'],
    );
  });
  it('formats: timestamps, identifiers, URLs', () => {
    assert.deepEqual(errors(indicator({ valid_from: '2016-01-01T00:00:00+01:00' })), [
      'timestamp-format $.valid_from: must be an RFC 3339 timestamp in UTC with a Z designator (YYYY-MM-DDThh:mm:ss[.s+]Z)',
    ]);
    assert.deepEqual(errors(indicator({ created: '2016-04-06T20:03:48Z' })), [
      'timestamp-format $.created: must be an RFC 3339 UTC timestamp with millisecond precision (YYYY-MM-DDThh:mm:ss.sssZ)',
    ]);
    assert.deepEqual(errors(indicator({ created_by_ref: 'identity--xyz' })), [
      'identifier-format $.created_by_ref: must be an identifier <type>--<RFC 4122 UUID>',
    ]);
    assert.deepEqual(errors(indicator({ external_references: [{ source_name: 'x', url: 'not a url' }] })), [
      'url-format $.external_references[0].url: must be a valid uri',
    ]);
  });
  it('enums and constants', () => {
    assert.deepEqual(errors(indicator({ spec_version: '2.0' })), [
      'enum-value $.spec_version: must be one of: 2.1',
    ]);
    assert.deepEqual(
      errors(
        sdo('incident', {
          name: 'x',
          extensions: {
            'extension-definition--ef765651-680c-498d-9894-99799f2fa126': {
              extension_type: 'new-sdo',
              determination: 'successful-attempt',
              investigation_status: 'open',
            },
          },
        }),
      ),
      [
        "enum-value $.extensions['extension-definition--ef765651-680c-498d-9894-99799f2fa126'].extension_type: must be 'property-extension'",
      ],
    );
  });
  it('dictionary keys: one issue per bad key, none for the key rule behind it', () => {
    const nt = (ipfix: Obj): Obj => networkTraffic({ src_ref: `ipv4-addr--${U5}`, ipfix });
    assert.deepEqual(errors(nt({ 'bad key!': 1 })), [
      "dictionary-key $.ipfix: invalid key 'bad key!' (keys: ASCII [a-zA-Z0-9_-], at most 250 characters)",
    ]);
    const long = 'a'.repeat(251);
    // a hash algorithm name over 250 characters: the dictionary rule once, and the hash rule
    assert.deepEqual(
      errors(indicator({ external_references: [{ source_name: 'x', hashes: { [long]: 'x' } }] })),
      [
        `dictionary-key $.external_references[0].hashes: invalid key '${long}' (keys: ASCII [a-zA-Z0-9_-], at most 250 characters)`,
        `hash-key $.external_references[0].hashes.${long}: hash algorithm names MUST be 3–250 characters of [a-zA-Z0-9_-]`,
      ],
    );
  });
  it('combinators: one issue with its own message, their branches left out', () => {
    const at = (msg: string) => [`property-combination $: ${msg}`];
    assert.deepEqual(
      errors(sdo('location', { name: 'n' })),
      at('a location MUST have region, country, or latitude and longitude'),
    );
    assert.deepEqual(errors(sdo('location', { latitude: 10 })), [
      'property-combination $: a location MUST have region, country, or latitude and longitude',
      'property-dependency $: must have property longitude when property latitude is present',
    ]);
    assert.deepEqual(
      errors(sdo('malware-analysis', { product: 'p' })),
      at('malware-analysis MUST have result or analysis_sco_refs'),
    );
    const od = {
      first_observed: '2020-01-01T00:00:00Z',
      last_observed: '2020-01-01T00:00:00Z',
      number_observed: 1,
    };
    const oneOf = at('observed-data MUST have exactly one of objects and object_refs');
    assert.deepEqual(errors(sdo('observed-data', od)), oneOf);
    assert.deepEqual(
      errors(
        sdo('observed-data', {
          ...od,
          object_refs: [`ipv4-addr--${U5}`],
          objects: { '0': { type: 'ipv4-addr', value: '10.0.0.1' } },
        }),
      ),
      oneOf,
    );
    assert.deepEqual(errors({ type: 'file', id: `file--${U5}` }), at('a file MUST have hashes or name'));
    assert.deepEqual(errors(networkTraffic({})), at('network-traffic MUST have src_ref or dst_ref'));
    assert.deepEqual(
      errors(networkTraffic({ src_ref: `ipv4-addr--${U5}`, is_active: true, end: '2020-01-01T00:00:00Z' })),
      at('end MUST NOT be present when is_active is true'),
    );
    assert.deepEqual(
      errors({
        type: 'artifact',
        id: `artifact--${U5}`,
        payload_bin: 'YWJj',
        url: 'https://example.com/a',
        hashes: { MD5: 'a'.repeat(32) },
      }),
      at('an artifact MUST NOT have both payload_bin and url'),
    );
    // if/then and if/else: the branch's own failure is the issue (no "must match then schema")
    const multipart = 'body_multipart only with is_multipart true, body only with is_multipart false';
    assert.deepEqual(
      errors({
        type: 'email-message',
        id: `email-message--${U5}`,
        subject: 's',
        is_multipart: true,
        body: 'x',
      }),
      at(multipart),
    );
    assert.deepEqual(
      errors({
        type: 'email-message',
        id: `email-message--${U5}`,
        subject: 's',
        is_multipart: false,
        body_multipart: [{ body: 'x' }],
      }),
      at(multipart),
    );
    assert.deepEqual(
      errors({
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--0d3a7d5e-6a9c-4a4e-9c0d-d1f2e6c1b1a0',
        created: '2017-01-20T00:00:00.000Z',
      }),
      at('a marking-definition MUST have definition_type and definition, or extensions'),
    );
  });
  it('a combinator without a message of its own is named by its keyword', () => {
    const validate = new Ajv({ allErrors: true }).compile({
      anyOf: [{ required: ['a'] }, { required: ['b'] }],
      properties: { c: { not: { type: 'string' } }, d: { oneOf: [{ type: 'string' }, { type: 'string' }] } },
    });
    assert.equal(validate({ c: 'x', d: 'y' }), false);
    const sink = new IssueSink();
    addAjvErrors(sink, validate.errors ?? [], { c: 'x', d: 'y' }, '$', 'x-acme');
    assert.deepEqual(
      sink.errors.map((e) => `${e.rule} ${e.path}: ${e.message}`),
      [
        'property-combination $: properties do not satisfy anyOf',
        'property-combination $.c: properties do not satisfy not',
        'property-combination $.d: properties do not satisfy oneOf',
      ],
    );
    assert.deepEqual(sink.warnings, []);
  });
});
