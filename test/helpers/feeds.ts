/** Feed test fixtures shared by the converter and runner tests. */
import { identityId, type CsvMapping, type FeedStamp, type Tlp } from '../../feeds/formats';

/** The column mapping of test/fixtures/feeds/partner.csv. */
export const PARTNER_CSV_MAPPING: CsvMapping = {
  value: 'indicator',
  typeColumn: 'kind',
  firstSeen: 'first_seen',
  tags: 'tags',
  tagSeparator: ';',
  confidence: 'score',
};

/** The published TLP 2.0 marking-definition ids, written out so a test pins them. */
export const TLP_MARKING_IDS = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const;

/** A feed stamp for converter tests: the feed's name, its identity's name, its TLP, then overrides. */
export function testStamp(
  feed: string,
  identityName: string,
  tlp: Tlp,
  overrides: Partial<FeedStamp> = {},
): FeedStamp {
  return {
    feed,
    identityId: identityId(identityName),
    tlp,
    labels: [],
    indicatorTypes: ['malicious-activity'],
    epoch: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}
