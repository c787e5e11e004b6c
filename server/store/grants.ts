/**
 * Grants as both backends store them: every grant with its TLP ceiling (the default when an
 * operator gave none, and for grants stored before ceilings existed), sorted by group.
 */
import { DEFAULT_TLP, isTlpLevel, type TlpLevel } from '../access/tlp';
import type { Grant, GrantInput } from './contract';

/** A stored TLP level, or the default for a missing one (records written before TLP existed). */
export function storedLevel(v: unknown): TlpLevel {
  return isTlpLevel(v) ? v : DEFAULT_TLP;
}

/** Complete, normalised grants sorted by group (a group given twice keeps its last grant). */
export function completeGrants(grants: readonly GrantInput[]): Grant[] {
  const byGroup = new Map<string, Grant>();
  for (const g of grants) {
    byGroup.set(g.group, {
      group: g.group,
      read: g.read === true,
      write: g.write === true,
      maxTlp: storedLevel(g.maxTlp),
    });
  }
  return [...byGroup.values()].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}
