/**
 * TLP classification against the published marking-definition ids, written out here from their
 * sources (STIX 2.1 §7.2.1.4 for TLP 1.0; the OASIS TLP 2.0 extension-definition examples in
 * cti-stix-common-objects for TLP 2.0) rather than imported, so a wrong id in the code fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  classify,
  DEFAULT_TLP,
  levelOf,
  markingLevel,
  parseTlpLevel,
  rankOf,
  TLP_LEVELS,
  type TlpLevel,
} from '../../server/access/tlp';

const TLP1: Record<string, TlpLevel> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'clear', // TLP:WHITE
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'green',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'amber',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'red',
};
const TLP2: Record<string, TlpLevel> = {
  'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487': 'clear',
  'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb': 'green',
  'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421': 'amber',
  'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003': 'amber+strict',
  'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1': 'red',
};
const ALL: [string, TlpLevel][] = [...Object.entries(TLP1), ...Object.entries(TLP2)];
/** Not TLP: a statement marking (from the OASIS examples) and a made-up id. */
const STATEMENT = 'marking-definition--d81f86b9-975b-4c0b-875e-810c5ad45a4f';
const CUSTOM = 'marking-definition--0f0f0f0f-1111-4222-8333-444444444444';

const ORDER: TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];
const stricter = (a: TlpLevel, b: TlpLevel): TlpLevel => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

function indicator(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
    created: '2024-01-01T00:00:00.000Z',
    modified: '2024-01-01T00:00:00.000Z',
    name: 'x',
    description: 'd',
    pattern: "[ipv4-addr:value = '192.0.2.1']",
    pattern_type: 'stix',
    valid_from: '2024-01-01T00:00:00Z',
    ...extra,
  };
}

const levelOfObject = (o: unknown): TlpLevel | null => {
  const r = classify(o);
  return r === null ? null : levelOf(r);
};

describe('TLP: levels', () => {
  it('orders clear < green < amber < amber+strict < red, default amber', () => {
    assert.deepEqual([...TLP_LEVELS], ORDER);
    ORDER.forEach((l, i) => assert.equal(rankOf(l), i));
    ORDER.forEach((l, i) => assert.equal(levelOf(rankOf(l)), l, `round trip of ${i}`));
    assert.equal(DEFAULT_TLP, 'amber');
  });

  it('parses the five names in any case, with or without TLP:, and nothing else', () => {
    for (const l of ORDER) {
      assert.equal(parseTlpLevel(l), l);
      assert.equal(parseTlpLevel(l.toUpperCase()), l);
      assert.equal(parseTlpLevel(`TLP:${l.toUpperCase()}`), l);
      assert.equal(parseTlpLevel(` tlp:${l} `), l);
    }
    for (const bad of [
      '',
      'white',
      'amber-strict',
      'amberstrict',
      'TLP:',
      'tlp',
      'orange',
      'red!',
      '4',
      'TLP: red',
    ])
      assert.equal(parseTlpLevel(bad), null, bad);
  });
});

describe('TLP: classification of STIX objects', () => {
  it('knows every published TLP 1.0 and TLP 2.0 marking-definition id, and only those', () => {
    for (const [id, level] of ALL) assert.equal(markingLevel(id), level, id);
    for (const id of [STATEMENT, CUSTOM, '', 'marking-definition--', ALL[0]?.[0].toUpperCase() ?? 'x'])
      assert.equal(markingLevel(id), undefined, id);
  });

  it('an object marked with one TLP marking in object_marking_refs has that level', () => {
    for (const [id, level] of ALL)
      assert.equal(levelOfObject(indicator({ object_marking_refs: [id] })), level, id);
  });

  it('several TLP markings (every pair, TLP 1.0 and 2.0 mixed, in any order): the most restrictive wins', () => {
    for (const [a, la] of ALL) {
      for (const [b, lb] of ALL) {
        const want = stricter(la, lb);
        assert.equal(levelOfObject(indicator({ object_marking_refs: [a, b] })), want, `${la}+${lb}`);
        assert.equal(levelOfObject(indicator({ object_marking_refs: [STATEMENT, b, a] })), want);
        // one at object level, one granular
        const mixed = indicator({
          object_marking_refs: [a],
          granular_markings: [{ marking_ref: b, selectors: ['description'] }],
        });
        assert.equal(levelOfObject(mixed), want, `${la} object + ${lb} granular`);
      }
    }
  });

  it('a granular TLP marking counts for the whole object, whatever its selectors', () => {
    for (const [id, level] of ALL) {
      for (const selectors of [['description'], ['name', 'pattern'], ['indicator_types.[0]']]) {
        const o = indicator({ granular_markings: [{ marking_ref: id, selectors }] });
        assert.equal(levelOfObject(o), level, `${id} on ${selectors.join(',')}`);
      }
    }
    // a granular red part raises a green object to red
    const o = indicator({
      object_marking_refs: ['marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da'],
      granular_markings: [
        { lang: 'en', selectors: ['name'] },
        {
          marking_ref: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
          selectors: ['description'],
        },
      ],
    });
    assert.equal(levelOfObject(o), 'red');
  });

  it('no TLP marking → null (statements, custom definitions, language markings, nothing at all)', () => {
    assert.equal(classify(indicator({})), null);
    assert.equal(classify(indicator({ object_marking_refs: [STATEMENT, CUSTOM] })), null);
    assert.equal(
      classify(
        indicator({
          granular_markings: [
            { lang: 'fr', selectors: ['name'] },
            { marking_ref: CUSTOM, selectors: ['name'] },
          ],
        }),
      ),
      null,
    );
    // the marking-definition objects themselves are not marked by being TLP definitions
    assert.equal(
      classify({
        type: 'marking-definition',
        spec_version: '2.1',
        id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
        created: '2017-01-20T00:00:00.000Z',
        definition_type: 'tlp',
        name: 'TLP:RED',
        definition: { tlp: 'red' },
      }),
      null,
    );
  });

  it('is total over malformed input and still honours the TLP ids it finds', () => {
    const red = 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed';
    for (const junk of [
      null,
      undefined,
      42,
      'x',
      [],
      [red],
      { object_marking_refs: null },
      { granular_markings: 'x' },
    ])
      assert.equal(classify(junk), null);
    assert.equal(levelOfObject({ object_marking_refs: red }), 'red'); // a bare string, not a list
    assert.equal(levelOfObject({ object_marking_refs: [1, null, {}, red] }), 'red');
    assert.equal(
      levelOfObject({ granular_markings: [null, 1, 'x', { marking_ref: 5 }, { marking_ref: red }] }),
      'red',
    );
  });

  it('classifies the OASIS marking examples as published', () => {
    const corpus = path.resolve(__dirname, '../../../shared/corpus/oasis-examples');
    const load = (f: string) =>
      (JSON.parse(readFileSync(path.join(corpus, f), 'utf8')) as { objects: { id: string }[] }).objects;
    let byId: Map<string, unknown>;
    try {
      byId = new Map(
        [...load('using-marking-definitions.json'), ...load('using-granular-markings.json')].map((o) => [
          o.id,
          o,
        ]),
      );
    } catch (e) {
      if (process.env.CI === 'true') throw e;
      return; // the shared corpus is not here
    }
    // TLP:AMBER (TLP 1.0) next to a copyright statement
    assert.equal(levelOfObject(byId.get('indicator--33fe3b22-0201-47cf-85d0-97c02164528d')), 'amber');
    // granular: red on description, amber and green on other parts → red
    assert.equal(levelOfObject(byId.get('indicator--1ed8caa7-a708-4706-b651-f1186ede6ca1')), 'red');
    assert.equal(levelOfObject(byId.get('threat-actor--8b6297fe-cae7-47c6-9256-5584b417849c')), 'red');
    assert.equal(levelOfObject(byId.get('identity--b38dfe21-7477-40d1-aa90-5c8671ce51ca')), null);
  });
});
