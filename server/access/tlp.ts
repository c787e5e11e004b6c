/**
 * TLP: the order of the levels and the TLP of a STIX object.
 *
 * Levels, least to most restrictive: clear < green < amber < amber+strict < red (TLP 2.0). TLP 1.0
 * WHITE is TLP 2.0 CLEAR; TLP 1.0 GREEN, AMBER and RED are the TLP 2.0 levels of the same name
 * (TLP 1.0 AMBER already allowed sharing with clients who need to know, as TLP 2.0 AMBER does).
 *
 * The TLP of an object is the most restrictive TLP marking it carries, counting the marking
 * definitions published for TLP 1.0 (STIX 2.1 §7.2.1.4) and TLP 2.0 (the OASIS TLP 2.0 extension)
 * wherever the object references them: in `object_marking_refs` and in every `granular_markings`
 * entry, whatever its selectors. Tessera serves whole objects and never redacts, so a TLP:RED
 * description makes the object TLP:RED for distribution. Every other marking (statements,
 * copyright, custom definitions, TLP-looking definitions under other ids) is ignored; an object with
 * no TLP marking has none (`null`) and takes its collection's default TLP when it is read.
 */
import { TLP1_MARKINGS, TLP2_MARKINGS } from '../stix/markings';

export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];
/** Position of a level in TLP_LEVELS: 0 (clear) … 4 (red); a larger rank is more restrictive. */
export type TlpRank = 0 | 1 | 2 | 3 | 4;

/** The ceiling of a grant and the default TLP of a collection when none is given. */
export const DEFAULT_TLP: TlpLevel = 'amber';

export function rankOf(level: TlpLevel): TlpRank {
  return TLP_LEVELS.indexOf(level) as TlpRank;
}

export function levelOf(rank: TlpRank): TlpLevel {
  return TLP_LEVELS[rank] as TlpLevel;
}

export function isTlpLevel(v: unknown): v is TlpLevel {
  return (TLP_LEVELS as readonly unknown[]).includes(v);
}

/**
 * A level as an operator writes it: one of the five names, in any case, with or without a
 * `TLP:` prefix (`amber+strict`, `TLP:AMBER+STRICT`). null for anything else.
 */
export function parseTlpLevel(text: string): TlpLevel | null {
  const t = text.trim().toLowerCase();
  const name = t.startsWith('tlp:') ? t.slice(4) : t;
  return isTlpLevel(name) ? name : null;
}

/** marking-definition id → level, for the TLP 1.0 and TLP 2.0 published definitions. */
const LEVEL_OF_MARKING: ReadonlyMap<string, TlpLevel> = new Map<string, TlpLevel>([
  ...[...TLP1_MARKINGS.values()].map((m): [string, TlpLevel] => {
    const tlp = m.definition.tlp === 'white' ? 'clear' : m.definition.tlp;
    // Stryker disable next-line ConditionalExpression,StringLiteral: the published definitions all name a level; this guards the table against a bad edit
    if (!isTlpLevel(tlp)) throw new Error(`TLP 1.0 marking ${m.id} has an unknown level ${tlp}`);
    return [m.id, tlp];
  }),
  ...[...TLP2_MARKINGS].map(([id, level]): [string, TlpLevel] => {
    // Stryker disable next-line ConditionalExpression,StringLiteral: the published definitions all name a level; this guards the table against a bad edit
    if (!isTlpLevel(level)) throw new Error(`TLP 2.0 marking ${id} has an unknown level ${level}`);
    return [id, level];
  }),
]);

/** marking-definition id → rank; keyed by anything so a malformed reference simply finds nothing. */
const RANK_OF_MARKING: ReadonlyMap<unknown, TlpRank> = new Map(
  [...LEVEL_OF_MARKING].map(([id, level]) => [id, rankOf(level)]),
);

/** The TLP level a marking-definition id stands for, or undefined when it is not a TLP marking. */
export function markingLevel(id: string): TlpLevel | undefined {
  return LEVEL_OF_MARKING.get(id);
}

/**
 * The TLP rank of a STIX object (see the file comment), or null when it carries no TLP marking.
 * Total over any input: malformed marking properties contribute whatever TLP ids they hold.
 */
export function classify(obj: unknown): TlpRank | null {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const o = obj as { object_marking_refs?: unknown; granular_markings?: unknown };
  const refs: unknown[] = Array.isArray(o.object_marking_refs)
    ? [...(o.object_marking_refs as unknown[])]
    : [o.object_marking_refs];
  if (Array.isArray(o.granular_markings)) {
    // A malformed entry (a primitive, null) has no marking_ref: it contributes undefined.
    for (const g of o.granular_markings as unknown[])
      refs.push((g as { marking_ref?: unknown } | null)?.marking_ref);
  }
  const ranks = refs.map((ref) => RANK_OF_MARKING.get(ref)).filter((r) => r !== undefined);
  return ranks.length === 0 ? null : (Math.max(...ranks) as TlpRank);
}
