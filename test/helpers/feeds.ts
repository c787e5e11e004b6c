/** Feed test fixtures shared by the converter and runner tests. */
import type { CsvMapping } from '../../feeds/formats';

/** The column mapping of test/fixtures/feeds/partner.csv. */
export const PARTNER_CSV_MAPPING: CsvMapping = {
  value: 'indicator',
  typeColumn: 'kind',
  firstSeen: 'first_seen',
  tags: 'tags',
  tagSeparator: ';',
  confidence: 'score',
};
