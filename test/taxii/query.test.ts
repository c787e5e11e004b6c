/**
 * TAXII filter and paging parameters parsed on their own: what each parameter yields, and the
 * exact 400 message for each malformed value (the HTTP suites check that these reach the client
 * as TAXII error resources).
 */
import assert from 'node:assert/strict';
import { BadRequestError } from '../../server/errors';
import { parseTaxiiTimestamp } from '../../server/time';
import {
  isStixId,
  parseTaxiiQuery,
  parseVersionParam,
  QUERY_PARAMS,
  type QueryParam,
  type TaxiiQuery,
} from '../../server/taxii/query';

const ALL = QUERY_PARAMS;
const ID = 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f';
const ID2 = 'x-acme-widget--0A1B2C3D-4E5F-4a6b-8c7d-9e0f1a2b3c4d';

function parse(search: string, allowed: readonly QueryParam[] = ALL): TaxiiQuery {
  return parseTaxiiQuery(search, allowed);
}

function refused(search: string, message: string, allowed: readonly QueryParam[] = ALL): void {
  assert.throws(
    () => parseTaxiiQuery(search, allowed),
    (e: unknown) => {
      assert.ok(e instanceof BadRequestError, `not a BadRequestError: ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
    `expected 400 for ${search}`,
  );
}

describe('TAXII query parameters', () => {
  it('yields an empty query for no parameters and ignores unknown ones', () => {
    assert.deepEqual(parse(''), {});
    assert.deepEqual(parse('?foo=1&match[created_by_ref]=x&match[unknown]=y'), {});
  });

  it('parses every parameter at once', () => {
    assert.deepEqual(
      parse(
        `?added_after=2025-01-01T00:00:00.000001Z&limit=25&next=abc&match[id]=${ID},${ID2}` +
          '&match[type]=indicator,x-acme-widget&match[version]=first,2025-01-01T00:00:00Z,last' +
          '&match[spec_version]=2.1,2.0',
      ),
      {
        addedAfter: parseTaxiiTimestamp('2025-01-01T00:00:00.000001Z'),
        limit: 25,
        next: 'abc',
        ids: [ID, ID2],
        types: ['indicator', 'x-acme-widget'],
        versions: { kind: 'some', first: true, last: true, exact: ['2025-01-01T00:00:00.000000000'] },
        specVersions: ['2.1', '2.0'],
      },
    );
  });

  it('reads only the parameters the endpoint allows', () => {
    const search = `?added_after=bad&limit=0&next=&match[id]=x&match[type]=X&match[version]=y&match[spec_version]=z`;
    assert.deepEqual(parse(search, []), {});
    assert.deepEqual(parse('?limit=3&match[type]=indicator', ['limit']), { limit: 3 });
    assert.deepEqual(parse('?limit=3&match[type]=indicator', ['match[type]']), { types: ['indicator'] });
  });

  it('refuses any parameter given twice, even one it ignores, in any spelling', () => {
    refused('?limit=1&limit=2', 'the parameter limit must not be given more than once');
    refused('?foo=1&foo=1', 'the parameter foo must not be given more than once', []);
    refused(
      '?match%5Btype%5D=campaign&match[type]=malware',
      'the parameter match[type] must not be given more than once',
    );
  });

  describe('added_after', () => {
    it('is a timestamp in microseconds, with or without an offset', () => {
      assert.equal(parse('?added_after=2025-01-01T00:00:00Z').addedAfter, Date.UTC(2025, 0, 1) * 1000);
      assert.equal(
        parse('?added_after=2025-01-01T01:00:00.5%2B01:00').addedAfter,
        Date.UTC(2025, 0, 1) * 1000 + 500_000,
      );
    });
    it('refuses anything else', () => {
      refused('?added_after=yesterday', 'added_after: "yesterday" is not a timestamp');
      refused('?added_after=', 'added_after: "" is not a timestamp');
      refused('?added_after=2025-02-30T00:00:00Z', 'added_after: "2025-02-30T00:00:00Z" is not a timestamp');
    });
  });

  describe('limit', () => {
    it('is a positive integer of at most nine digits', () => {
      assert.equal(parse('?limit=1').limit, 1);
      assert.equal(parse('?limit=999999999').limit, 999999999);
      assert.equal(parse('?limit=007').limit, 7);
    });
    for (const bad of ['0', '000', '-1', '+1', '1.5', '1e3', 'ten', '', '1000000000', ' 1', '1 ']) {
      it(`refuses limit=${JSON.stringify(bad)}`, () =>
        refused(
          `?limit=${encodeURIComponent(bad)}`,
          `limit: ${JSON.stringify(bad)} is not a positive integer`,
        ));
    }
  });

  describe('next', () => {
    it('is passed on as given', () => assert.equal(parse('?next=a.b-c_d').next, 'a.b-c_d'));
    it('refuses an empty value', () => refused('?next=', 'next: empty value'));
  });

  describe('match[id]', () => {
    it('is a list of STIX identifiers (UUID hex digits in either case)', () => {
      assert.deepEqual(parse(`?match[id]=${ID}`).ids, [ID]);
      assert.deepEqual(parse(`?match[id]=${ID2},${ID}`).ids, [ID2, ID]);
      assert.deepEqual(parse('?match[id]=a1--00000000-0000-0000-0000-000000000000').ids, [
        'a1--00000000-0000-0000-0000-000000000000',
      ]);
    });
    const what = 'is not a STIX identifier';
    for (const bad of [
      `X${ID}`,
      `${ID}x`,
      ` ${ID}`,
      `Indicator${ID.slice('indicator'.length)}`,
      `-indicator${ID.slice('indicator'.length)}`,
      `indicator-${ID.slice('indicator'.length)}`,
      `a${ID.slice('indicator'.length)}`,
      'indicator--8e2e2d2b17d4-4cbf-938f-98ee46b3cd3f',
      'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3',
      'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g',
      'indicator--8e2e2d2b-17d-4cbf-938f-98ee46b3cd3f0',
      'indicator--8e2e2d2b-17d4-4cb-f938f-98ee46b3cd3f',
      'indicator--8e2e2d2b-17d4-4cbf-938-f98ee46b3cd3f',
      'indicator--8e2e2d2-b17d4-4cbf-938f-98ee46b3cd3f',
      'indicator',
    ]) {
      it(`refuses match[id]=${bad}`, () =>
        refused(`?match[id]=${encodeURIComponent(bad)}`, `match[id]: ${JSON.stringify(bad)} ${what}`));
    }
    it('refuses an empty item and a repeated identifier', () => {
      refused(`?match[id]=${ID},`, `match[id]: "" ${what}`);
      refused(`?match[id]=,${ID}`, `match[id]: "" ${what}`);
      refused('?match[id]=', `match[id]: "" ${what}`);
      refused(`?match[id]=${ID},${ID2},${ID}`, `match[id]: ${JSON.stringify(ID)} is given twice`);
    });
    it('isStixId agrees', () => {
      assert.equal(isStixId(ID), true);
      assert.equal(isStixId(`X${ID}`), false);
      assert.equal(isStixId(`${ID}x`), false);
    });
  });

  describe('match[type]', () => {
    it('is a list of STIX type names of 3 to 250 characters', () => {
      assert.deepEqual(parse('?match[type]=abc,x-acme-widget,0a9').types, ['abc', 'x-acme-widget', '0a9']);
      const longest = `a${'-'.repeat(248)}z`;
      assert.deepEqual(parse(`?match[type]=${longest}`).types, [longest]);
    });
    const what = 'is not a STIX type name';
    for (const bad of [
      'ab',
      `a${'b'.repeat(250)}`,
      'Indicator',
      'indicatoR',
      '-abc',
      'abc-',
      'a_c',
      'a.c',
      'xabc ',
    ]) {
      it(`refuses match[type]=${bad.length > 20 ? `<${bad.length} characters>` : bad}`, () =>
        refused(`?match[type]=${encodeURIComponent(bad)}`, `match[type]: ${JSON.stringify(bad)} ${what}`));
    }
    it('refuses an empty item and a repeated type', () => {
      refused('?match[type]=indicator,', `match[type]: "" ${what}`);
      refused('?match[type]=malware,indicator,malware', 'match[type]: "malware" is given twice');
    });
  });

  describe('match[spec_version]', () => {
    it('is a list of spec versions', () => {
      assert.deepEqual(parse('?match[spec_version]=2.1').specVersions, ['2.1']);
      assert.deepEqual(parse('?match[spec_version]=2.0,10.25').specVersions, ['2.0', '10.25']);
    });
    for (const bad of ['2.1x', 'x2.1', '2', '2.', '.1', '2.1.0', 'v2.1', '2.1 ']) {
      it(`refuses match[spec_version]=${JSON.stringify(bad)}`, () =>
        refused(
          `?match[spec_version]=${encodeURIComponent(bad)}`,
          `match[spec_version]: ${JSON.stringify(bad)} is not a spec version`,
        ));
    }
    it('refuses a repeated version', () =>
      refused('?match[spec_version]=2.1,2.1', 'match[spec_version]: "2.1" is given twice'));
  });

  describe('match[version]', () => {
    const some = (first: boolean, last: boolean, exact: string[]) => ({ kind: 'some', first, last, exact });
    it('parses the keywords and timestamps, keeping the order of the timestamps', () => {
      assert.deepEqual(parseVersionParam('all'), { kind: 'all' });
      assert.deepEqual(parseVersionParam('first'), some(true, false, []));
      assert.deepEqual(parseVersionParam('last'), some(false, true, []));
      assert.deepEqual(parseVersionParam('last,first'), some(true, true, []));
      assert.deepEqual(
        parseVersionParam('2025-01-02T00:00:00.5Z,first,2025-01-01T00:00:00Z'),
        some(true, false, ['2025-01-02T00:00:00.500000000', '2025-01-01T00:00:00.000000000']),
      );
      assert.deepEqual(parse('?match[version]=all').versions, { kind: 'all' });
    });
    it('refuses "all" with anything else', () => {
      for (const v of ['all,first', 'last,all', 'all,2025-01-01T00:00:00Z']) {
        refused(`?match[version]=${v}`, 'match[version]: "all" cannot be combined with other values');
      }
    });
    it('refuses the same value or the same instant twice', () => {
      refused('?match[version]=last,last', 'match[version]: "last" is given twice');
      refused('?match[version]=all,all', 'match[version]: "all" is given twice');
      refused(
        '?match[version]=2025-01-01T00:00:00Z,2025-01-01T00:00:00.000Z',
        'match[version]: the version 2025-01-01T00:00:00.000Z is given twice',
      );
      refused(
        '?match[version]=first,2025-01-01T00:00:00.1Z,last,2025-01-01T00:00:00.100000Z',
        'match[version]: the version 2025-01-01T00:00:00.100000Z is given twice',
      );
    });
    it('refuses what is neither keyword nor STIX timestamp', () => {
      const what = 'is not all, first, last or a STIX timestamp';
      for (const bad of [
        'latest',
        'First',
        'ALL',
        '2025-01-01',
        '2025-01-01T00:00:00+00:00',
        '2025-13-01T00:00:00Z',
      ]) {
        refused(
          `?match[version]=${encodeURIComponent(bad)}`,
          `match[version]: ${JSON.stringify(bad)} ${what}`,
        );
      }
      refused('?match[version]=', `match[version]: "" ${what}`);
      refused('?match[version]=first,', `match[version]: "" ${what}`);
    });
  });
});
