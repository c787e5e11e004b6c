/**
 * The structural checks every object passes before the store sees it (server/stix/basic.ts) and the
 * one verdict built on them (server/stix/check.ts): each refusal with its exact rule, path and
 * message, every problem of an object listed (not only the first), and the identity derived from
 * an object that passes.
 */
import assert from 'node:assert/strict';
import { basicCheck, describe as describeObject, SCO_TYPES, type Issue } from '../../server/stix/basic';
import { checkObject } from '../../server/stix/check';
import { DEFAULT_MAX_DEPTH, excessNesting, nestingMessage } from '../../server/stix/depth';
import { validateStixObject } from '../../server/stix/validate';
import { indicator, sdo, without, type Obj } from './helpers';

const TS_MESSAGE = 'must be an RFC 3339 timestamp in UTC with a Z designator (YYYY-MM-DDThh:mm:ss[.s+]Z)';
const U = '6b616fc1-1505-48e3-8b2c-0d19337bff38';

/** "rule path: message" of every issue basicCheck finds (none: the object passes). */
function issues(o: unknown, maxDepth?: number): string[] {
  const r = basicCheck(o, maxDepth);
  if (r.identity !== null) assert.deepEqual(r.issues, []);
  else assert.ok(r.issues.length > 0, 'a refusal names at least one issue');
  return r.issues.map((i: Issue) => `${i.rule} ${i.path}: ${i.message}`);
}

describe('STIX structural checks (basicCheck)', () => {
  it('refuses what is not a JSON object', () => {
    for (const v of [null, 42, 'indicator', true, [], [indicator()]]) {
      assert.deepEqual(issues(v), ['object-form $: a STIX object MUST be a JSON object'], JSON.stringify(v));
    }
  });

  it('refuses nesting deeper than the limit before anything else, at the root key holding it', () => {
    const o = { ...indicator(), x_deep: [[['x']]] };
    // the object is level 1, x_deep 2, its inner arrays 3 and 4
    assert.deepEqual(issues(o, 4), []);
    assert.deepEqual(issues(o, 3), [
      "nesting-depth $.x_deep: arrays and objects are nested more than 3 levels deep (this hub's limit)",
    ]);
    // the depth check runs before the type and id checks
    assert.deepEqual(issues({ type: 5, x_deep: [[['x']]] }, 3), [
      "nesting-depth $.x_deep: arrays and objects are nested more than 3 levels deep (this hub's limit)",
    ]);
  });

  it('checks the type: present, a string, a valid type name', () => {
    assert.deepEqual(issues(without(indicator(), 'type')), [
      "required-property $.type: required property 'type' is missing",
    ]);
    assert.deepEqual(issues(indicator({ type: 7 })), ['property-type $.type: type MUST be a string']);
    for (const bad of ['In', 'Indicator', '-ab', 'a_b', 'a'.repeat(251), 'ab']) {
      assert.deepEqual(
        issues(sdo(bad)),
        [`type-name $.type: type '${bad}' MUST be 3–250 characters of a–z, 0–9 and hyphen`],
        bad,
      );
    }
    // a trailing hyphen: the type is refused (and '--' inside 'ab---…' then cuts the id wrongly)
    assert.deepEqual(issues(sdo('ab-')), [
      "type-name $.type: type 'ab-' MUST be 3–250 characters of a–z, 0–9 and hyphen",
      'identifier-format $.id: must be an identifier <type>--<RFC 4122 UUID> in lower case',
    ]);
    for (const good of ['abc', 'x-a', 'a'.repeat(250), 'x-mitre-tactic', '0x0']) {
      assert.deepEqual(issues(sdo(good)), [], good);
    }
  });

  it('checks the id: present, a string, <type>--<lower-case UUID>, its prefix the type', () => {
    assert.deepEqual(issues(without(indicator(), 'id')), [
      "required-property $.id: required property 'id' is missing",
    ]);
    assert.deepEqual(issues(indicator({ id: 12 })), ['property-type $.id: id MUST be a string']);
    const form = 'identifier-format $.id: must be an identifier <type>--<RFC 4122 UUID> in lower case';
    for (const bad of [
      `indicator-${U}`,
      `--${U}`,
      U,
      `indicator--${U.toUpperCase()}`,
      `indicator--${U}x`,
      `xindicator--${U}`.slice(1, -1),
      `indicator--{${U}}`,
      '',
    ]) {
      assert.deepEqual(issues(indicator({ id: bad })), [form], bad);
    }
    assert.deepEqual(issues(indicator({ id: `malware--${U}` })), [
      "id-type $.id: the id prefix 'malware' MUST equal the type 'indicator'",
    ]);
    // a type that is no string has its own issue; the id is not compared with it
    assert.deepEqual(issues(indicator({ type: 7, id: `malware--${U}` })), [
      'property-type $.type: type MUST be a string',
    ]);
  });

  it('checks created and modified: RFC 3339 UTC with Z, real dates, modified not before created', () => {
    for (const bad of [
      '2016-04-06T20:03:48+00:00',
      '2016-02-30T00:00:00Z',
      '2016-04-06 20:03:48Z',
      20160406,
    ]) {
      assert.deepEqual(
        issues(indicator({ created: bad })),
        [`timestamp-format $.created: ${TS_MESSAGE}`],
        String(bad),
      );
      assert.deepEqual(
        issues(indicator({ modified: bad })),
        [`timestamp-format $.modified: ${TS_MESSAGE}`],
        String(bad),
      );
    }
    // a timestamp in a list is no timestamp
    assert.deepEqual(issues(indicator({ created: ['2016-04-06T20:03:48.000Z'] })), [
      `timestamp-format $.created: ${TS_MESSAGE}`,
    ]);
    assert.deepEqual(issues(indicator({ modified: ['2016-04-06T20:03:48.000Z'] })), [
      `timestamp-format $.modified: ${TS_MESSAGE}`,
    ]);
    assert.deepEqual(issues(indicator({ created: 'x', modified: null })), [
      `timestamp-format $.created: ${TS_MESSAGE}`,
      `timestamp-format $.modified: ${TS_MESSAGE}`,
    ]);
    assert.deepEqual(issues(indicator({ modified: '2016-04-06T20:03:47.999Z' })), [
      'modified-before-created $.modified: modified (2016-04-06T20:03:47.999Z) MUST be later than or equal to created (2016-04-06T20:03:48.000Z)',
    ]);
    // equal instants written with different precision are not "before"
    assert.deepEqual(
      issues(indicator({ created: '2016-04-06T20:03:48Z', modified: '2016-04-06T20:03:48.000Z' })),
      [],
    );
    assert.deepEqual(issues(indicator({ modified: '2016-04-06T20:03:48.000001Z' })), []);
  });

  it('checks spec_version: 2.1, required on SDOs, SROs and meta objects, optional on SCOs', () => {
    assert.deepEqual(issues(indicator({ spec_version: '2.0' })), [
      'enum-value $.spec_version: must be \'2.1\', got "2.0"',
    ]);
    assert.deepEqual(issues(indicator({ spec_version: 2.1 })), [
      "enum-value $.spec_version: must be '2.1', got 2.1",
    ]);
    const missing =
      "required-property $.spec_version: required property 'spec_version' is missing (STIX 2.0 objects are not accepted)";
    assert.deepEqual(issues(without(indicator(), 'spec_version')), [missing]);
    assert.deepEqual(issues(without(indicator(), 'spec_version', 'modified')), [missing]);
    assert.deepEqual(issues(without(indicator(), 'spec_version', 'created')), [
      missing,
      "required-property $.created: required property 'created' is missing",
    ]);
    // an SCO needs neither spec_version nor created
    const ip = { type: 'ipv4-addr', id: `ipv4-addr--${U}`, value: '10.0.0.1' };
    assert.deepEqual(issues(ip), []);
    assert.deepEqual(issues({ ...ip, spec_version: '2.1' }), []);
    assert.deepEqual(issues({ ...ip, spec_version: '2.0' }), [
      'enum-value $.spec_version: must be \'2.1\', got "2.0"',
    ]);
    // a custom object without spec_version, created and modified: nothing to say here (the validator decides)
    assert.deepEqual(issues({ type: 'x-thing', id: `x-thing--${U}` }), []);
  });

  it('requires created on non-SCOs that have spec_version or modified', () => {
    const created = "required-property $.created: required property 'created' is missing";
    assert.deepEqual(issues(without(indicator(), 'created')), [created]);
    assert.deepEqual(issues(without(indicator(), 'created', 'modified')), [created]);
    assert.deepEqual(issues(without(indicator(), 'created', 'spec_version')), [
      "required-property $.spec_version: required property 'spec_version' is missing (STIX 2.0 objects are not accepted)",
      created,
    ]);
    // an SCO with modified only: no created needed
    assert.deepEqual(
      issues({
        type: 'file',
        spec_version: '2.1',
        id: `file--${U}`,
        name: 'a',
        modified: '2016-04-06T20:03:48.000Z',
      }),
      [],
    );
    // a type that is no string: its own issue, not a created one
    assert.deepEqual(issues(without(indicator({ type: 1 }), 'created')), [
      'property-type $.type: type MUST be a string',
    ]);
  });

  it('lists every problem of an object, in order', () => {
    assert.deepEqual(
      issues({ type: 'Bad', id: 'nope', created: 'then', modified: 'now', spec_version: '2' }),
      [
        "type-name $.type: type 'Bad' MUST be 3–250 characters of a–z, 0–9 and hyphen",
        'identifier-format $.id: must be an identifier <type>--<RFC 4122 UUID> in lower case',
        `timestamp-format $.created: ${TS_MESSAGE}`,
        `timestamp-format $.modified: ${TS_MESSAGE}`,
        'enum-value $.spec_version: must be \'2.1\', got "2"',
      ],
    );
    assert.deepEqual(issues({}), [
      "required-property $.type: required property 'type' is missing",
      "required-property $.id: required property 'id' is missing",
    ]);
  });

  it('derives the identity: id, type, version (modified, else created, else none) and its sort key', () => {
    assert.deepEqual(basicCheck(indicator({ modified: '2017-01-02T03:04:05.678Z' })), {
      identity: {
        id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        type: 'indicator',
        specVersion: '2.1',
        version: '2017-01-02T03:04:05.678Z',
        versionKey: '2017-01-02T03:04:05.678000000',
      },
      issues: [],
    });
    const noModified = basicCheck(without(sdo('x-thing', { created: '2016-04-06T20:03:48.5Z' }), 'modified'));
    assert.deepEqual(noModified.identity, {
      id: `x-thing--${U}`,
      type: 'x-thing',
      specVersion: '2.1',
      version: '2016-04-06T20:03:48.5Z',
      versionKey: '2016-04-06T20:03:48.500000000',
    });
    const sco = basicCheck({ type: 'url', id: `url--${U}`, value: 'https://example.com/' });
    assert.deepEqual(sco.identity, {
      id: `url--${U}`,
      type: 'url',
      specVersion: '2.1',
      version: null,
      versionKey: null,
    });
    const modifiedOnly = basicCheck({
      type: 'url',
      id: `url--${U}`,
      value: 'x',
      modified: '2020-01-01T00:00:00Z',
    });
    assert.equal(modifiedOnly.identity?.version, '2020-01-01T00:00:00Z');
    assert.equal(modifiedOnly.identity?.versionKey, '2020-01-01T00:00:00.000000000');
  });

  it('knows the 18 STIX 2.1 SCO types', () => {
    assert.equal(SCO_TYPES.size, 18);
    for (const t of SCO_TYPES) {
      // each: no spec_version, no created needed
      assert.deepEqual(issues({ type: t, id: `${t}--${U}`, modified: '2020-01-01T00:00:00Z' }), [], t);
    }
    assert.equal(SCO_TYPES.has('indicator'), false);
  });
});

describe('describe (status entries of refused objects)', () => {
  it('gives the id and version of anything, or unknown', () => {
    assert.deepEqual(describeObject(indicator()), {
      id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
      version: '2016-04-06T20:03:48.000Z',
    });
    assert.deepEqual(describeObject({ id: 'a--b', created: 'c' }), { id: 'a--b', version: 'c' });
    assert.deepEqual(describeObject({ id: '', modified: 5, created: 6 }), {
      id: 'unknown',
      version: 'unknown',
    });
    assert.deepEqual(describeObject({ id: 5, modified: 'm', created: 'c' }), { id: 'unknown', version: 'm' });
    for (const v of [null, undefined, 'x', 3, [indicator()]]) {
      assert.deepEqual(describeObject(v), { id: 'unknown', version: 'unknown' }, String(v));
    }
  });
});

describe('checkObject (one verdict, whatever brought the object)', () => {
  const validate = (o: unknown) => validateStixObject(o);
  it('structural failures come first, without running the validator', () => {
    let ran = 0;
    const counting = (o: unknown) => {
      ran++;
      return validateStixObject(o);
    };
    const r = checkObject(indicator({ id: 'x' }), counting);
    assert.equal(ran, 0);
    assert.deepEqual(r, {
      identity: null,
      errors: [
        {
          rule: 'identifier-format',
          path: '$.id',
          message: 'must be an identifier <type>--<RFC 4122 UUID> in lower case',
        },
      ],
      warnings: [],
    });
  });
  it('the plugged-in validator decides the rest, and its warnings are kept', () => {
    const bad = indicator({ valid_until: '2015-01-01T00:00:00Z', indicator_types: ['odd'] });
    const r = checkObject(bad, validate);
    assert.equal(r.identity, null);
    assert.deepEqual(
      r.errors.map((e) => `${e.rule} ${e.path}`),
      ['timestamp-order $.valid_until'],
    );
    assert.deepEqual(
      r.warnings.map((e) => `${e.rule} ${e.path}`),
      ['vocabulary $.indicator_types[0]'],
    );
    const warned = checkObject(indicator({ indicator_types: ['odd'] }), validate);
    assert.equal(warned.identity?.id, 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f');
    assert.deepEqual(warned.errors, []);
    assert.deepEqual(
      warned.warnings.map((e) => `${e.rule} ${e.path}`),
      ['vocabulary $.indicator_types[0]'],
    );
  });
  it('without a validator, the structural checks alone', () => {
    const r = checkObject(indicator({ valid_until: '2015-01-01T00:00:00Z' }));
    assert.equal(r.identity?.type, 'indicator');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings, []);
  });
  it('passes the depth limit on', () => {
    const o: Obj = { ...indicator(), x_deep: [['x']] };
    assert.equal(checkObject(o, undefined, 3).identity?.type, 'indicator');
    assert.deepEqual(
      checkObject(o, validate, 2).errors.map((e) => `${e.rule} ${e.path}`),
      ['nesting-depth $.x_deep'],
    );
  });
});

describe('excessNesting (depth.ts)', () => {
  it('primitives never nest', () => {
    for (const v of [null, undefined, 5, 'x', true]) assert.equal(excessNesting(v, 0), null);
  });
  it('the root is level 1; a limit below 1 refuses any object or array', () => {
    assert.equal(excessNesting({}, 0), '$');
    assert.equal(excessNesting([], 0), '$');
    assert.equal(excessNesting({}, 1), null);
    assert.equal(excessNesting({ a: 1, b: 'x', c: null }, 1), null);
    assert.equal(excessNesting({ a: {} }, 1), '$.a');
    assert.equal(excessNesting([1, []], 1), '$[1]');
  });
  it('names the root key or index under which the excess lies', () => {
    assert.equal(excessNesting({ a: {} }, 2), null);
    assert.equal(excessNesting({ a: [[]] }, 2), '$.a');
    assert.equal(excessNesting({ a: [[]] }, 3), null);
    assert.equal(excessNesting({ n: 1, 'x-y': [[[]]] }, 3), "$['x-y']");
    assert.equal(excessNesting([0, [[[]]]], 3), '$[1]');
    assert.equal(excessNesting([0, [[[]]]], 4), null);
    // objects inside arrays inside objects, and nulls that are no containers
    assert.equal(excessNesting({ a: [{ b: [null, 1] }] }, 4), null);
    assert.equal(excessNesting({ a: [{ b: [null, 1] }] }, 3), '$.a');
    assert.equal(excessNesting({ a: { b: { c: { d: 1 } } }, z: 1 }, 3), '$.a');
    assert.equal(excessNesting({ a: { b: { c: { d: 1 } } }, z: 1 }, 4), null);
  });
  it('says the limit in its message', () => {
    assert.equal(
      nestingMessage(7),
      "arrays and objects are nested more than 7 levels deep (this hub's limit)",
    );
    assert.equal(DEFAULT_MAX_DEPTH, 100);
  });
});
