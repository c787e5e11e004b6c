/**
 * A seeded random sharing community for the TLP property test, and the oracle that says what each
 * member may see in it. Both are written from the rules in README ("Access model"), independently
 * of server/access and server/store: the generator knows the TLP it meant for each object (it
 * writes the markings from the published ids below), and the oracle is a few lines of plain
 * filtering over the list of what was posted, in the order it was posted.
 */
import type { CredentialForm } from './credentials';
import type { StixObject } from './stix';

export const LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type Level = (typeof LEVELS)[number];
const rank = (l: Level): number => LEVELS.indexOf(l);

/** The published TLP marking-definition ids (STIX 2.1 §7.2.1.4; OASIS TLP 2.0 extension). */
export const TLP_IDS: Record<Level, string[]> = {
  clear: [
    'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', // TLP 1.0 WHITE
    'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  ],
  green: [
    'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
    'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  ],
  amber: [
    'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
    'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  ],
  'amber+strict': ['marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003'],
  red: [
    'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
    'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
  ],
};
/** A marking that is not TLP (a copyright statement from the OASIS examples). */
export const STATEMENT_ID = 'marking-definition--d81f86b9-975b-4c0b-875e-810c5ad45a4f';

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same world. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)] as T;
  }
  /** A shuffled copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let k = out.length - 1; k > 0; k--) {
      const j = this.int(k + 1);
      [out[k], out[j]] = [out[j] as T, out[k] as T];
    }
    return out;
  }
  uuid(): string {
    const h = (n: number) =>
      Array.from({ length: n }, () => '0123456789abcdef'[this.int(16)] as string).join('');
    return `${h(8)}-${h(4)}-4${h(3)}-${'89ab'[this.int(4)] as string}${h(3)}-${h(12)}`;
  }
}

export interface WorldGrant {
  group: string;
  read: boolean;
  write: boolean;
  maxTlp: Level;
}

export interface WorldCollection {
  alias: string;
  defaultTlp: Level;
  grants: WorldGrant[];
}

/** active: authenticates; disabled: every credential refused; removed: deleted, name reserved. */
export type MemberStatus = 'active' | 'disabled' | 'removed';

export interface WorldMember {
  name: string;
  password: string;
  groups: string[];
  /** How the member authenticates (test/helpers/credentials.ts). */
  form: CredentialForm;
  status: MemberStatus;
}

/** One version as the generator means it: its TLP (null: unmarked) and the STIX object. */
export interface WorldVersion {
  collection: string;
  tlp: Level | null;
  object: StixObject;
}

export interface Post {
  member: string;
  versions: WorldVersion[];
}

export interface World {
  seed: number;
  groups: string[];
  members: WorldMember[];
  collections: WorldCollection[];
  posts: Post[];
}

export interface WorldSize {
  members: number;
  groups: number;
  collections: number;
  objects: number;
  /** The credential forms members use (round robin over a shuffled list, so each one is used). */
  forms: readonly CredentialForm[];
  /** Share of members disabled once they have posted (at least one). */
  disabled: number;
}

/** Markings for an object of level `l`: TLP 1.0 or 2.0 ids, extra lower levels, granular parts. */
function markingsFor(rng: Rng, l: Level | null): Partial<StixObject> {
  const out: { object_marking_refs?: string[]; granular_markings?: unknown[] } = {};
  const refs: string[] = [];
  const granular: unknown[] = [];
  if (rng.chance(0.2)) refs.push(STATEMENT_ID);
  if (l !== null) {
    const top = rng.pick(TLP_IDS[l]);
    // The top marking at object level, or on a part of the object (granular).
    if (rng.chance(0.25)) granular.push({ marking_ref: top, selectors: [rng.pick(['description', 'name'])] });
    else refs.push(top);
    // Less restrictive TLP markings beside it do not lower it.
    if (rng.chance(0.3)) {
      const lower = LEVELS.filter((x) => rank(x) < rank(l));
      if (lower.length > 0) {
        const id = rng.pick(TLP_IDS[rng.pick(lower)]);
        if (rng.chance(0.5)) refs.push(id);
        else granular.push({ marking_ref: id, selectors: ['pattern'] });
      }
    }
  }
  if (rng.chance(0.1)) granular.push({ lang: 'en', selectors: ['name'] });
  if (refs.length > 0) out.object_marking_refs = [...new Set(refs)];
  if (granular.length > 0) out.granular_markings = granular;
  return out;
}

/** Members who can write to a collection in this world. */
export function writers(w: Pick<World, 'members'>, c: WorldCollection): WorldMember[] {
  return w.members.filter((m) => c.grants.some((g) => g.write && m.groups.includes(g.group)));
}

export function generateWorld(seed: number, size: WorldSize): World {
  const rng = new Rng(seed);
  const groups = Array.from({ length: size.groups }, (_, i) => `g${i}`);
  const members: WorldMember[] = Array.from({ length: size.members }, (_, i) => {
    const gs = groups.filter(() => rng.chance(0.35));
    return { name: `m${i}`, password: `pw-${i}-${rng.uuid()}`, groups: gs, form: 'basic', status: 'active' };
  });
  // Credentials and statuses from a second generator, so they do not change the rest of the world.
  const crng = new Rng(seed ^ 0xc2ed5);
  const offset = crng.int(size.forms.length);
  members.forEach((m, i) => {
    m.form = size.forms[(i + offset) % size.forms.length] as CredentialForm;
  });
  // Disabled once they have posted: members of different forms (the others get theirs later).
  const nDisabled = Math.max(1, Math.round(size.members * size.disabled));
  for (const m of crng.shuffle(members)) {
    if (members.filter((x) => x.status === 'disabled').length >= Math.min(nDisabled, members.length - 1))
      break;
    if (!members.some((x) => x.status === 'disabled' && x.form === m.form)) m.status = 'disabled';
  }
  const collections: WorldCollection[] = Array.from({ length: size.collections }, (_, i) => {
    const grants: WorldGrant[] = [];
    for (const g of groups) {
      if (!rng.chance(0.6)) continue;
      const read = rng.chance(0.8);
      const write = rng.chance(0.6) || !read;
      grants.push({ group: g, read, write, maxTlp: rng.pick(LEVELS) });
    }
    return { alias: `c${i}`, defaultTlp: rng.pick(LEVELS), grants };
  });
  const posts: Post[] = [];
  const base = Date.UTC(2024, 0, 1);
  let made = 0;
  while (made < size.objects) {
    const c = rng.pick(collections);
    const ws = writers({ members }, c);
    if (ws.length === 0) {
      made++;
      continue;
    }
    made++;
    const uuid = rng.uuid();
    const type = rng.pick(['indicator', 'malware']);
    const nVersions = 1 + rng.int(3);
    // Version timestamps in random order, so the post order differs from the version order.
    const stamps = Array.from({ length: nVersions }, (_, k) => base + (made * 10 + k) * 1000);
    for (let k = stamps.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [stamps[k], stamps[j]] = [stamps[j] as number, stamps[k] as number];
    }
    const created = new Date(base).toISOString();
    for (const t of stamps) {
      const level = rng.chance(0.2) ? null : rng.pick(LEVELS);
      const common = {
        spec_version: '2.1',
        id: `${type}--${uuid}`,
        created,
        modified: new Date(t).toISOString(),
        name: `o${made}`,
        description: `object ${made}`,
      };
      const body: StixObject =
        type === 'indicator'
          ? {
              type,
              ...common,
              pattern: `[ipv4-addr:value = '198.51.100.${made % 250}']`,
              pattern_type: 'stix',
              valid_from: created,
              ...markingsFor(rng, level),
            }
          : { type, ...common, is_family: false, ...markingsFor(rng, level) };
      if (type === 'malware' && Array.isArray(body.granular_markings)) {
        // malware has no pattern: move selectors that point at it to the description
        body.granular_markings = (body.granular_markings as { selectors: string[] }[]).map((g) => ({
          ...g,
          selectors: g.selectors.map((s) => (s === 'pattern' ? 'description' : s)),
        }));
      }
      const member = rng.pick(ws).name;
      posts.push({ member, versions: [{ collection: c.alias, tlp: level, object: body }] });
      // Sometimes another writer posts the very same version again: a duplicate, which does not
      // make them its publisher.
      if (ws.length > 1 && rng.chance(0.1)) {
        const other = rng.pick(ws.filter((m) => m.name !== member)).name;
        posts.push({ member: other, versions: [{ collection: c.alias, tlp: level, object: body }] });
      }
    }
  }
  return { seed, groups, members, collections, posts };
}

// ------------------------------------------------------------------------------------ oracle

/** A stored version as the oracle tracks it, in date_added (= posting) order. */
export interface Stored {
  collection: string;
  id: string;
  type: string;
  version: string;
  tlp: Level | null;
  publisher: string;
}

/** Replays the posts: the first post of an (id, version) stores it; later ones are duplicates. */
export function storedVersions(w: World): Stored[] {
  const out: Stored[] = [];
  const seen = new Set<string>();
  for (const p of w.posts) {
    for (const v of p.versions) {
      const version = v.object.modified as string;
      const key = `${v.collection}|${v.object.id}|${version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        collection: v.collection,
        id: v.object.id,
        type: v.object.type,
        version,
        tlp: v.tlp,
        publisher: p.member,
      });
    }
  }
  return out;
}

export interface Rights {
  read: boolean;
  write: boolean;
  /** Highest ceiling among the member's read grants (null without read). */
  ceiling: Level | null;
}

/** Only active members authenticate; the others get 401 on every endpoint. */
export function isActive(w: World, member: string): boolean {
  return w.members.find((x) => x.name === member)?.status === 'active';
}

export function rightsOf(w: World, member: string, collection: string): Rights {
  const m = w.members.find((x) => x.name === member);
  const c = w.collections.find((x) => x.alias === collection);
  if (!m || !c) throw new Error(`oracle: unknown ${member} or ${collection}`);
  let read = false;
  let write = false;
  let ceiling: Level | null = null;
  for (const g of c.grants) {
    if (!m.groups.includes(g.group)) continue;
    if (g.write) write = true;
    if (g.read) {
      read = true;
      if (ceiling === null || rank(g.maxTlp) > rank(ceiling)) ceiling = g.maxTlp;
    }
  }
  return { read, write, ceiling };
}

export function visible(w: World, member: string, v: Stored): boolean {
  if (!isActive(w, member)) return false;
  const r = rightsOf(w, member, v.collection);
  if (!r.read || r.ceiling === null) return false;
  if (v.publisher === member) return true;
  const c = w.collections.find((x) => x.alias === v.collection) as WorldCollection;
  return rank(v.tlp ?? c.defaultTlp) <= rank(r.ceiling);
}

export type Selector = 'last' | 'first' | 'all';

/**
 * What `member` should get from a collection, in order: first/last are decided over every
 * version of the object in the collection (visible or not), then visibility applies.
 */
export function expected(
  w: World,
  stored: Stored[],
  member: string,
  collection: string,
  q: { versions?: Selector; ids?: string[]; types?: string[] } = {},
): Stored[] {
  const inColl = stored.filter((s) => s.collection === collection);
  const sel = q.versions ?? 'last';
  return inColl.filter((s) => {
    if (q.ids && !q.ids.includes(s.id)) return false;
    if (q.types && !q.types.includes(s.type)) return false;
    if (sel !== 'all') {
      const keys = inColl.filter((o) => o.id === s.id).map((o) => o.version);
      const end = keys.reduce((a, b) => ((sel === 'last' ? b > a : b < a) ? b : a));
      if (s.version !== end) return false;
    }
    return visible(w, member, s);
  });
}

// ------------------------------------------------------------------ member life-cycle changes

export type MemberChange =
  | { kind: 'disable' | 'enable' | 'remove'; member: string }
  /** A new credential of `form` replaces the member's current one (a new secret, key or certificate). */
  | { kind: 'credential'; member: string; from: CredentialForm; form: CredentialForm };

/**
 * Life-cycle changes for a later round, applied to `w` (so the oracle follows them), chosen at
 * random but so that every credential form is covered: a member of each form that was not disabled
 * yet is disabled; the disabled ones are enabled again at random; a member of each form gets a new
 * credential (the old one must stop working), a few more at random; and a member who published
 * something is removed (what it published stays, attributed; its name stays reserved).
 */
export function changeMembers(w: World, rng: Rng, forms: readonly CredentialForm[]): MemberChange[] {
  const out: MemberChange[] = [];
  const touched = new Set<string>();
  const disabledForms = new Set(w.members.filter((m) => m.status === 'disabled').map((m) => m.form));
  for (const m of rng.shuffle(w.members)) {
    if (m.status === 'disabled' && rng.chance(0.5)) {
      m.status = 'active';
      touched.add(m.name);
      out.push({ kind: 'enable', member: m.name });
    }
  }
  const active = () => rng.shuffle(w.members.filter((m) => m.status === 'active' && !touched.has(m.name)));
  for (const f of forms) {
    if (disabledForms.has(f)) continue;
    const m = active().find((x) => x.form === f);
    if (!m) continue;
    m.status = 'disabled';
    touched.add(m.name);
    out.push({ kind: 'disable', member: m.name });
  }
  const renewed = new Set<CredentialForm>();
  for (const m of active()) {
    if (renewed.has(m.form) && !rng.chance(0.2)) continue;
    renewed.add(m.form);
    touched.add(m.name);
    const from = m.form;
    m.form = rng.pick(forms);
    out.push({ kind: 'credential', member: m.name, from, form: m.form });
  }
  const publishers = new Set(storedVersions(w).map((s) => s.publisher));
  const candidates = w.members.filter((m) => m.status !== 'removed' && publishers.has(m.name));
  if (candidates.length > 0) {
    const gone = rng.pick(candidates);
    gone.status = 'removed';
    out.push({ kind: 'remove', member: gone.name });
  }
  return out;
}
