/**
 * STIX 2.1 timestamps (server/stix/timestamp.ts): the calendar check behind the timestamp formats,
 * and the order of two timestamps whose fractions differ in length.
 */
import assert from 'node:assert/strict';
import { compareTimestamps, isValidTimestamp } from '../../server/stix/timestamp';
import { tlp2Marking, TLP2_MARKINGS } from '../../server/stix/markings';

describe('STIX timestamps: calendar', () => {
  const day = (date: string) => isValidTimestamp(`${date}T00:00:00Z`);
  it('February has 29 days in leap years only (every 4th year, not centuries, but every 400th)', () => {
    for (const y of ['2024', '2000', '1600', '0004']) {
      assert.equal(day(`${y}-02-29`), true, y);
      assert.equal(day(`${y}-02-30`), false, y);
    }
    for (const y of ['2023', '1900', '2100', '2022', '0001']) {
      assert.equal(day(`${y}-02-28`), true, y);
      assert.equal(day(`${y}-02-29`), false, y);
    }
  });
  it('April, June, September and November have 30 days; the other months 31', () => {
    for (const m of ['04', '06', '09', '11']) {
      assert.equal(day(`2021-${m}-30`), true, m);
      assert.equal(day(`2021-${m}-31`), false, m);
    }
    for (const m of ['01', '03', '05', '07', '08', '10', '12']) assert.equal(day(`2021-${m}-31`), true, m);
  });
  it('a leap second only at 23:59:60; the lexical form first', () => {
    assert.equal(isValidTimestamp('2016-12-31T23:59:60Z'), true);
    assert.equal(isValidTimestamp('2016-12-31T23:59:60.5Z'), true);
    assert.equal(isValidTimestamp('2016-12-31T23:58:60Z'), false);
    assert.equal(isValidTimestamp('2016-12-31T22:59:60Z'), false);
    assert.equal(isValidTimestamp('2016-12-31T23:59:59Z'), true);
    for (const bad of [
      '2016-12-31T23:59:61Z',
      '2016-13-01T00:00:00Z',
      '2016-12-31T24:00:00Z',
      '2016-12-31T23:59:59',
      '2016-00-10T00:00:00Z',
      '2016-01-00T00:00:00Z',
    ]) {
      assert.equal(isValidTimestamp(bad), false, bad);
    }
  });
});

describe('STIX timestamps: lexical form', () => {
  it('YYYY-MM-DDThh:mm:ss[.fraction]Z, each field in its range', () => {
    for (const ok of [
      '2016-01-01T00:00:00Z',
      '2016-10-10T10:10:10Z',
      '2016-11-19T19:19:19Z',
      '2016-12-20T20:20:20Z',
      '2016-09-29T23:59:59Z',
      '2016-01-30T09:30:50Z',
      '2016-01-31T00:00:00.1Z',
      '2016-01-31T00:00:00.123456789Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
    ]) {
      assert.equal(isValidTimestamp(ok), true, ok);
    }
    for (const bad of [
      '2016-01-01T00:00:00.Z',
      '2016-01-01T00:00:00z',
      '2016-01-01t00:00:00Z',
      '2016-01-01T00:00:00',
      '2016-1-01T00:00:00Z',
      '2016-01-1T00:00:00Z',
      '216-01-01T00:00:00Z',
      '20160-01-01T00:00:00Z',
      'x2016-01-01T00:00:00Z',
      '2016-01-01T00:00:00Zx',
      '2016-01-01T00:00:00.1Zx',
      '2016-00-01T00:00:00Z',
      '2016-13-01T00:00:00Z',
      '2016-01-32T00:00:00Z',
      '2016-01-40T00:00:00Z',
      '2016-01-01T24:00:00Z',
      '2016-01-01T30:00:00Z',
      '2016-01-01T00:60:00Z',
      '2016-01-01T00:00:61Z',
      '2016-01-01T00:00:70Z',
      '2016-01-01T0:00:00Z',
      '2016-01-01T00:0:00Z',
      '2016-01-01T00:00:0Z',
      '2016-01-01T00:00:00.1a2Z',
      '2016-01-01 00:00:00Z',
      '2016/01/01T00:00:00Z',
      '2016-01-01T00-00-00Z',
      '2016-01-01T00:00:00+00:00',
    ]) {
      assert.equal(isValidTimestamp(bad), false, bad);
    }
  });
});

describe('STIX timestamps: order', () => {
  const sign = (a: string, b: string) => Math.sign(compareTimestamps(a, b));
  it('orders by the seconds, then by the fraction read as a number', () => {
    assert.equal(sign('2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z'), -1);
    assert.equal(sign('2020-01-01T00:00:01Z', '2020-01-01T00:00:00.999Z'), 1);
    assert.equal(sign('2019-12-31T23:59:59.999Z', '2020-01-01T00:00:00Z'), -1);
    assert.equal(sign('2020-01-01T00:00:00.5Z', '2020-01-01T00:00:00.25Z'), 1);
    assert.equal(sign('2020-01-01T00:00:00.25Z', '2020-01-01T00:00:00.5Z'), -1);
    assert.equal(sign('2020-01-01T00:00:00.001Z', '2020-01-01T00:00:00Z'), 1);
    assert.equal(sign('2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000001Z'), -1);
  });
  it('equal instants written with different precision are equal', () => {
    assert.equal(compareTimestamps('2020-01-01T00:00:00Z', '2020-01-01T00:00:00.000Z'), 0);
    assert.equal(compareTimestamps('2020-01-01T00:00:00.5Z', '2020-01-01T00:00:00.500000Z'), 0);
    assert.equal(compareTimestamps('2020-01-01T00:00:00.50Z', '2020-01-01T00:00:00.5Z'), 0);
    assert.equal(compareTimestamps('2020-01-01T00:00:00.123Z', '2020-01-01T00:00:00.123Z'), 0);
  });
});

describe('TLP 2.0 marking definitions', () => {
  it('tlp2Marking builds the published object of a level, and nothing for an unknown one', () => {
    assert.deepEqual(tlp2Marking('amber+strict'), {
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER+STRICT',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber+strict',
        },
      },
    });
    assert.equal(tlp2Marking('purple'), undefined);
    assert.equal(tlp2Marking('AMBER'), undefined);
    assert.deepEqual([...TLP2_MARKINGS.values()], ['clear', 'green', 'amber', 'amber+strict', 'red']);
  });
});
