/**
 * TLP marking definitions.
 * TLP 1.0: STIX 2.1 §7.2.1.4 — the four published marking-definition objects, which MUST be used as they are.
 * TLP 2.0: OASIS "TLP 2.0" extension-definition (cti-stix-common-objects) and its five marking definitions.
 */

export interface Tlp1Marking {
  type: 'marking-definition';
  spec_version: '2.1';
  id: string;
  created: string;
  definition_type: 'tlp';
  name: string;
  definition: { tlp: string };
}

const tlp1 = (id: string, level: string): Tlp1Marking => ({
  type: 'marking-definition',
  spec_version: '2.1',
  id: `marking-definition--${id}`,
  created: '2017-01-20T00:00:00.000Z',
  definition_type: 'tlp',
  name: `TLP:${level.toUpperCase()}`,
  definition: { tlp: level },
});

export const TLP1_MARKINGS: ReadonlyMap<string, Tlp1Marking> = new Map(
  [
    tlp1('613f2e26-407d-48c7-9eca-b8e91df99dc9', 'white'),
    tlp1('34098fce-860f-48ae-8e50-ebd3cc5e41da', 'green'),
    tlp1('f88d31f6-486f-44da-b317-01333bde0b82', 'amber'),
    tlp1('5e57c739-391a-4eb3-b6be-7d15ca92d5ed', 'red'),
  ].map((m) => [m.id, m]),
);

export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** TLP 2.0 marking-definition id → level (value of the extension's `tlp_2_0` property). */
export const TLP2_MARKINGS: ReadonlyMap<string, string> = new Map([
  ['marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', 'clear'],
  ['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', 'green'],
  ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', 'amber'],
  ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', 'amber+strict'],
  ['marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', 'red'],
]);

export const TLP2_CREATED = '2022-10-01T00:00:00.000Z';

/** The TLP 2.0 marking-definition object for a level, as published. */
export function tlp2Marking(level: string): Record<string, unknown> | undefined {
  for (const [id, l] of TLP2_MARKINGS) {
    if (l === level) {
      return {
        type: 'marking-definition',
        spec_version: '2.1',
        id,
        created: TLP2_CREATED,
        name: `TLP:${level.toUpperCase()}`,
        extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
      };
    }
  }
  return undefined;
}
