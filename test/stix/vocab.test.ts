/**
 * The open vocabularies (server/stix/vocab.ts, STIX 2.1 §10) and the properties they apply to,
 * restated from the specification: a value of the vocabulary passes, any other gets one warning
 * naming the vocabulary at the property's path.
 */
import assert from 'node:assert/strict';
import { validateStixObject } from '../../server/stix/validate';
import type { Obj } from './helpers';

const U4 = '31b940d4-6f7f-459a-80ea-9c1f17b5891b';
const U5 = '4d22aae0-2bf9-5427-8819-e4f6abf20a53';

/** [type, property, vocabulary, values of it (one a list property takes one by one)]. */
const USES: [string, string, string, string[]][] = [
  ['grouping', 'context', 'grouping-context-ov', ['suspicious-activity', 'malware-analysis', 'unspecified']],
  ['identity', 'identity_class', 'identity-class-ov', ['individual', 'organization', 'unknown']],
  ['identity', 'sectors', 'industry-sector-ov', ['agriculture', 'financial-services', 'dams', 'utilities']],
  [
    'indicator',
    'indicator_types',
    'indicator-type-ov',
    ['anomalous-activity', 'malicious-activity', 'unknown'],
  ],
  ['indicator', 'pattern_type', 'pattern-type-ov', ['stix', 'sigma', 'yara']],
  [
    'infrastructure',
    'infrastructure_types',
    'infrastructure-type-ov',
    ['amplification', 'botnet', 'unknown'],
  ],
  ['intrusion-set', 'resource_level', 'attack-resource-level-ov', ['individual', 'team', 'government']],
  [
    'intrusion-set',
    'primary_motivation',
    'attack-motivation-ov',
    ['accidental', 'ideology', 'unpredictable'],
  ],
  ['intrusion-set', 'secondary_motivations', 'attack-motivation-ov', ['coercion', 'revenge']],
  ['location', 'region', 'region-ov', ['africa', 'eastern-africa', 'antarctica', 'polynesia']],
  ['malware', 'malware_types', 'malware-type-ov', ['adware', 'ransomware', 'worm']],
  ['malware', 'architecture_execution_envs', 'processor-architecture-ov', ['alpha', 'mips', 'x86-64']],
  ['malware', 'implementation_languages', 'implementation-language-ov', ['applescript', 'c#', 'x86-64']],
  [
    'malware',
    'capabilities',
    'malware-capabilities-ov',
    ['accesses-remote-machines', 'evades-av', 'violates-system-operational-integrity'],
  ],
  ['malware-analysis', 'result', 'malware-result-ov', ['malicious', 'benign', 'unknown']],
  ['report', 'report_types', 'report-type-ov', ['attack-pattern', 'threat-report', 'vulnerability']],
  ['threat-actor', 'threat_actor_types', 'threat-actor-type-ov', ['activist', 'nation-state', 'unknown']],
  ['threat-actor', 'roles', 'threat-actor-role-ov', ['agent', 'malware-author', 'sponsor']],
  ['threat-actor', 'sophistication', 'threat-actor-sophistication-ov', ['none', 'expert', 'strategic']],
  ['threat-actor', 'resource_level', 'attack-resource-level-ov', ['club', 'organization']],
  ['threat-actor', 'primary_motivation', 'attack-motivation-ov', ['dominance', 'personal-gain']],
  ['threat-actor', 'secondary_motivations', 'attack-motivation-ov', ['notoriety']],
  [
    'threat-actor',
    'personal_motivations',
    'attack-motivation-ov',
    ['organizational-gain', 'personal-satisfaction'],
  ],
  ['tool', 'tool_types', 'tool-type-ov', ['denial-of-service', 'remote-access', 'unknown']],
  ['user-account', 'account_type', 'account-type-ov', ['facebook', 'unix', 'windows-domain']],
];

const SCOS = ['user-account'];

function vocabularyWarnings(type: string, prop: string, value: unknown): string[] {
  const o: Obj = SCOS.includes(type)
    ? { type, spec_version: '2.1', id: `${type}--${U5}`, user_id: '1', [prop]: value }
    : {
        type,
        spec_version: '2.1',
        id: `${type}--${U4}`,
        created: '2020-01-01T00:00:00.000Z',
        modified: '2020-01-01T00:00:00.000Z',
        [prop]: value,
      };
  return validateStixObject(o)
    .warnings.filter((w) => w.rule === 'vocabulary')
    .map((w) => `${w.path}: ${w.message}`);
}

describe('STIX open vocabularies', () => {
  for (const [type, prop, vocab, values] of USES) {
    it(`${type} ${prop}: ${vocab}`, () => {
      const list = prop.endsWith('s') && !['sophistication', 'class'].some((x) => prop.endsWith(x));
      for (const value of values) {
        assert.deepEqual(vocabularyWarnings(type, prop, list ? [value] : value), [], value);
      }
      assert.deepEqual(vocabularyWarnings(type, prop, list ? [values[0], 'zz-other'] : 'zz-other'), [
        `$.${prop}${list ? '[1]' : ''}: 'zz-other' is not in ${vocab}`,
      ]);
    });
  }
  it('properties outside the table are not checked against a vocabulary', () => {
    assert.deepEqual(vocabularyWarnings('campaign', 'objective', 'zz-other'), []);
    assert.deepEqual(vocabularyWarnings('attack-pattern', 'name', 'zz-other'), []);
  });
});
