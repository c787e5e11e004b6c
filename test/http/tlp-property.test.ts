/**
 * Property test of TLP-aware sharing: a seeded random community (members in trust groups,
 * collections granting read/write with TLP ceilings, objects with every TLP marking and none,
 * posted by several publishers, duplicates included) is built on a real hub, and every member is
 * checked on every read endpoint (collections, objects, object, versions, manifest; paged with
 * `next`, with match[version]=first|last|all, match[type], added_after) against the oracle of
 * test/helpers/tlp-world.ts: exactly what the rules allow, in date_added order, with `more`, `next`
 * and the X-TAXII-Date-Added-* headers of only what is shown. Then ceilings, defaults and grants
 * change and everything is checked again on the next request.
 *
 * Members authenticate with every credential form (issue 9 item 3: the secret over Basic, an API
 * key as the Basic password, as Bearer and as Token, a client certificate), against two hub
 * instances over the same store (HTTPS with a client CA) — each member's verdicts are cached by
 * both before anything changes. Some members are disabled once they have posted: they must get
 * 401 everywhere, on both instances, and their POSTs must store nothing. In the second round some
 * members are disabled or enabled, some get a new credential (the old one must be refused on both
 * instances at once), and a member who published is removed: its name stays reserved, and what it
 * published stays, visible by the rules to the others.
 *
 * Seed: TESSERA_TLP_SEED=<n> replays one world; otherwise a fixed seed (CI is reproducible) and,
 * on failure, the seed is printed.
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type http from 'node:http';
import { hashSecret } from '../../server/access/secrets';
import { ConflictError } from '../../server/errors';
import {
  call,
  CREDENTIAL_FORMS,
  issueCredential,
  keepAliveAgent,
  startCredentialHub,
  type Caller,
  type CredentialHub,
  type IssuedCredential,
} from '../helpers/credentials';
import { startHub } from '../helpers/hub';
import { backendName } from '../helpers/store';
import { makeIndicator } from '../helpers/stix';
import {
  changeMembers,
  expected,
  generateWorld,
  isActive,
  LEVELS,
  rightsOf,
  Rng,
  storedVersions,
  visible,
  type Selector,
  type Stored,
  type World,
  type WorldMember,
} from '../helpers/tlp-world';

const SEED = process.env.TESSERA_TLP_SEED ? Number(process.env.TESSERA_TLP_SEED) : 20251101;
// Smaller on the MongoDB test server (FerretDB scans a table per query): CI-sized on both.
// Every credential form, the client certificate included: the hubs serve HTTPS with a client CA.
const FORMS = CREDENTIAL_FORMS;
const SIZE =
  backendName() === 'mongodb'
    ? { members: 10, groups: 4, collections: 3, objects: 30, forms: FORMS, disabled: 0.15 }
    : { members: 12, groups: 5, collections: 4, objects: 48, forms: FORMS, disabled: 0.15 };

/** How the test configures the hubs for a world: through the store operations the CLI uses. */
interface WorldAdmin {
  setUp(w: World): Promise<void>;
  /** Make the hub's grants and defaults those of `w` (same groups and members). */
  applyGrants(w: World): Promise<void>;
}

interface Got<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

class Checks {
  count = 0;
  ok(cond: boolean, msg: () => string): void {
    this.count++;
    if (!cond) assert.fail(msg());
  }
  equal<T>(actual: T, want: T, msg: () => string): void {
    this.count++;
    assert.deepEqual(actual, want, msg());
  }
}

interface Page {
  more?: boolean;
  next?: string;
  objects?: { id: string; modified?: string; date_added?: string; version?: string }[];
  versions?: string[];
}

describe(`TLP property [${backendName()}]: every member sees exactly what the rules allow, on every endpoint, whatever the credential`, function () {
  this.timeout(300_000);
  /** Two instances of the hub over one store: hubs[0] made the store, hubs[1] shares it. */
  const hubs: CredentialHub[] = [];
  let world: World;
  let stored: Stored[];
  const checks = new Checks();
  const ids = new Map<string, string>();
  /** Each member's current credential. */
  const creds = new Map<string, IssuedCredential>();
  /** One keep-alive agent per (caller, instance). */
  const agents = new Map<Caller, http.Agent[]>();
  /** Which instance serves a member in the current round. */
  let round = 0;
  const tally = { refused: 0, withdrawn: 0, reserved: 0, forms: '' };

  function callerOf(m: WorldMember): Caller {
    const c = creds.get(m.name);
    if (!c) throw new Error(`no credential for ${m.name}`);
    return c.caller;
  }

  function instanceFor(m: WorldMember): number {
    return (world.members.indexOf(m) + round) % hubs.length;
  }

  async function send<T = Page>(
    caller: Caller,
    via: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Got<T>> {
    const hub = hubs[via] as CredentialHub;
    let mine = agents.get(caller);
    if (!mine) {
      mine = hubs.map((h) => keepAliveAgent(h, caller));
      agents.set(caller, mine);
    }
    const r = await call<T>(hub, caller, method, path, {
      agent: mine[via] as http.Agent,
      ...(body === undefined ? {} : { body }),
    });
    return { status: r.status, headers: r.headers, body: (r.body ?? {}) as T };
  }

  async function get<T = Page>(m: WorldMember, path: string): Promise<Got<T>> {
    return send<T>(callerOf(m), instanceFor(m), 'GET', path);
  }

  const admin: WorldAdmin = {
    async setUp(w) {
      const hub = hubs[0] as CredentialHub;
      for (const m of w.members) {
        await hub.addMember(m.name, m.password, m.groups);
        creds.set(m.name, await issueCredential(hub, m.name, m.password, m.form));
      }
      for (const c of w.collections) {
        // Created with default ceilings and default TLP, then set: both paths are exercised.
        const rec = await hub.addCollection({
          alias: c.alias,
          title: c.alias,
          grants: c.grants.map((g) => ({ group: g.group, read: g.read, write: g.write })),
        });
        ids.set(c.alias, rec.id);
      }
      await this.applyGrants(w);
    },
    async applyGrants(w) {
      // Through the same registry operations as `tessera collection grant | set`.
      const { registry } = (hubs[0] as CredentialHub).stores;
      for (const c of w.collections) {
        const collectionId = ids.get(c.alias) as string;
        for (const g of c.grants) await registry.putGrant({ collectionId, grant: g });
        await registry.setDefaultTlp({ collectionId, defaultTlp: c.defaultTlp });
      }
    },
  };

  function fail(e: unknown): never {
    console.error(`TLP property test failed: replay with TESSERA_TLP_SEED=${world.seed}`);
    throw e;
  }

  /** Every member's credential works on both instances (and its verdict is now cached by both). */
  async function warmUp(members: WorldMember[]): Promise<void> {
    for (const m of members) {
      for (let via = 0; via < hubs.length; via++) {
        const r = await send(callerOf(m), via, 'GET', '/taxii2/');
        checks.equal(r.status, 200, () => `${m.name} (${m.form}) on instance ${via}: before any change`);
      }
    }
  }

  before(async () => {
    world = generateWorld(SEED, SIZE);
    stored = storedVersions(world);
    tally.forms = FORMS.map((f) => `${f} ${world.members.filter((m) => m.form === f).length}`).join(', ');
    // Disabled and removed members send hundreds of refused requests from this one address: the
    // failure throttle (tested on its own in test/http/auth.test.ts) would answer 429 instead.
    const env = { TESSERA_AUTH_ADDRESS_FAILURES: '1000000', TESSERA_AUTH_USER_FAILURES: '1000000' };
    const first = await startCredentialHub({ env });
    hubs.push(first);
    const second = await startHub({
      storeUrl: first.storeUrl,
      env: {
        ...env,
        TESSERA_TLS_CERT: first.pki.server.certFile,
        TESSERA_TLS_KEY: first.pki.server.keyFile,
        TESSERA_TLS_CLIENT_CA: first.pki.ca.certFile,
      },
    });
    hubs.push(Object.assign(second, { pki: first.pki }));
    await admin.setUp(world);
    // Every member posts with its own credential, through either instance.
    for (const [i, p] of world.posts.entries()) {
      const m = world.members.find((x) => x.name === p.member) as WorldMember;
      const c = p.versions[0]?.collection as string;
      const r = await send<{ success_count?: number; failures?: unknown }>(
        callerOf(m),
        i % hubs.length,
        'POST',
        `/api1/collections/${c}/objects/`,
        { objects: p.versions.map((v) => v.object) },
      );
      assert.equal(r.status, 202, `${m.name} (${m.form}) posting`);
      assert.equal(r.body.success_count, p.versions.length, JSON.stringify(r.body.failures));
    }
    // Both instances cache every member's verdict; then the members meant to be disabled are.
    await warmUp(world.members);
    for (const m of world.members) {
      if (m.status === 'disabled') {
        await hubs[0]?.stores.principals.setMemberDisabled({ name: m.name, disabled: true });
      }
    }
  });

  after(async () => {
    for (const list of agents.values()) for (const a of list) a.destroy();
    for (const h of hubs.reverse()) await h.close();
    if (!world) return;
    console.log(
      `      TLP property (seed ${SEED}, ${backendName()}): ${SIZE.members} members (${tally.forms}; ` +
        `${tally.refused} refusal checks of disabled or removed members, ${tally.withdrawn} withdrawn ` +
        `credentials refused, ${tally.reserved} reserved name), ${SIZE.groups} groups, ` +
        `${SIZE.collections} collections, ${stored.length} versions of ${new Set(stored.map((s) => s.id)).size} objects, ` +
        `2 instances; ${checks.count} checks`,
    );
  });

  /**
   * A member who is disabled or removed: 401 on every endpoint of every collection, on both
   * instances, and a POST stores nothing (later listings of the others would show it).
   */
  async function checkRefused(m: WorldMember, caller: Caller, why: string, rng: Rng): Promise<void> {
    for (let via = 0; via < hubs.length; via++) {
      const who = `${m.name} (${caller.form}, ${why}) on instance ${via}`;
      const paths = ['/taxii2/', '/api1/collections/'];
      for (const c of world.collections) {
        const base = `/api1/collections/${c.alias}`;
        const some =
          stored.find((s) => s.collection === c.alias)?.id ??
          'indicator--00000000-0000-4000-8000-000000000000';
        paths.push(`${base}/`, `${base}/objects/`, `${base}/manifest/`, `${base}/objects/${some}/versions/`);
      }
      for (const path of paths) {
        const r = await send(caller, via, 'GET', path);
        checks.equal(r.status, 401, () => `${who}: GET ${path}`);
        tally.refused++;
      }
      const c = rng.pick(world.collections);
      const post = await send(caller, via, 'POST', `/api1/collections/${c.alias}/objects/`, {
        objects: [makeIndicator({ id: `indicator--${rng.uuid()}` })],
      });
      checks.equal(post.status, 401, () => `${who}: POST to ${c.alias}`);
    }
  }

  /** Follow `next` through every page of `path` (limit `limit`); the pages as served. */
  async function pages(m: WorldMember, path: string, limit: number): Promise<Got<Page>[]> {
    const out: Got<Page>[] = [];
    const sep = path.includes('?') ? '&' : '?';
    let r = await get(m, `${path}${sep}limit=${limit}`);
    for (;;) {
      out.push(r);
      if (r.status !== 200 || !r.body.more) break;
      checks.ok(typeof r.body.next === 'string', () => `${path}: more without next`);
      if (out.length > 500) assert.fail(`${path}: more than 500 pages`);
      r = await get(m, `${path}${sep}limit=${limit}&next=${encodeURIComponent(r.body.next as string)}`);
    }
    return out;
  }

  /** Checks one paged listing against the oracle; returns the date_added values when known. */
  function checkPaged(
    what: string,
    got: Got<Page>[],
    want: Stored[],
    limit: number,
    key: (o: NonNullable<Page['objects']>[number]) => string,
  ): void {
    const items = got.flatMap((p) => p.body.objects ?? []);
    checks.equal(
      items.map(key),
      want.map((s) => `${s.id}@${s.version}`),
      () => `${what}: served versions differ from the rules`,
    );
    got.forEach((p, i) => {
      checks.equal(p.status, 200, () => `${what} page ${i}: status`);
      const n = p.body.objects?.length ?? 0;
      const last = i === got.length - 1;
      checks.ok(
        last ? !p.body.more : p.body.more === true && n === limit,
        () => `${what} page ${i}: more/limit`,
      );
      if (n === 0) {
        checks.ok(
          p.headers['x-taxii-date-added-first'] === undefined,
          () => `${what}: date header on an empty page`,
        );
      }
    });
  }

  async function checkMember(m: WorldMember, focus: Rng): Promise<void> {
    for (const c of world.collections) {
      const r = rightsOf(world, m.name, c.alias);
      const base = `/api1/collections/${c.alias}`;
      const col = await get<{ can_read?: boolean; can_write?: boolean }>(m, `${base}/`);
      if (!r.read && !r.write) {
        checks.equal(col.status, 404, () => `${m.name} ${c.alias}: a collection without rights exists`);
        checks.equal((await get(m, `${base}/objects/`)).status, 404, () => `${m.name} ${c.alias}: objects`);
        continue;
      }
      checks.equal(
        [col.status, col.body.can_read, col.body.can_write],
        [200, r.read, r.write],
        () => `${m.name} ${c.alias}: rights`,
      );
      if (!r.read) {
        for (const ep of ['objects/', 'manifest/'])
          checks.equal(
            (await get(m, `${base}/${ep}`)).status,
            403,
            () => `${m.name} ${c.alias}: ${ep} without read`,
          );
        continue;
      }
      const limit = 2 + focus.int(6);
      const who = `${m.name} (${m.form}, instance ${instanceFor(m)}) on ${c.alias} (ceiling ${r.ceiling}, default ${c.defaultTlp})`;
      for (const sel of ['last', 'first', 'all'] as Selector[]) {
        const want = expected(world, stored, m.name, c.alias, { versions: sel });
        const q = sel === 'last' ? '' : `?match[version]=${sel}`;
        const objs = await pages(m, `${base}/objects/${q}`, limit);
        checkPaged(`${who} objects ${sel}`, objs, want, limit, (o) => `${o.id}@${o.modified}`);
        const man = await pages(m, `${base}/manifest/${q}`, limit);
        checkPaged(`${who} manifest ${sel}`, man, want, limit, (o) => `${o.id}@${o.version}`);
        // The date headers of each objects page are the date_added of its first and last item, as
        // the manifest (same pages) lists them: nothing invisible moves them.
        objs.forEach((p, i) => {
          const rec = man[i]?.body.objects ?? [];
          if (rec.length === 0) return;
          checks.equal(
            [p.headers['x-taxii-date-added-first'], p.headers['x-taxii-date-added-last']],
            [rec[0]?.date_added, rec[rec.length - 1]?.date_added],
            () => `${who} objects ${sel} page ${i}: date headers`,
          );
        });
        // added_after the k-th item: exactly the items after it.
        const all = man.flatMap((p) => p.body.objects ?? []);
        if (all.length > 1) {
          const k = focus.int(all.length);
          const after = await get(
            m,
            `${base}/manifest/${q}${q ? '&' : '?'}added_after=${all[k]?.date_added}`,
          );
          checks.equal(
            (after.body.objects ?? []).map((o) => `${o.id}@${o.version}`),
            want.slice(k + 1).map((s) => `${s.id}@${s.version}`),
            () => `${who} manifest ${sel} added_after`,
          );
        }
      }
      const type = focus.pick(['indicator', 'malware']);
      checkPaged(
        `${who} objects type=${type}`,
        await pages(m, `${base}/objects/?match[type]=${type}`, limit),
        expected(world, stored, m.name, c.alias, { types: [type] }),
        limit,
        (o) => `${o.id}@${o.modified}`,
      );
      // Single objects: a sample of the collection's ids (visible or not).
      const ids = [...new Set(stored.filter((s) => s.collection === c.alias).map((s) => s.id))];
      for (let k = 0; k < Math.min(3, ids.length); k++) {
        const id = focus.pick(ids);
        const anyVisible = stored.some(
          (s) => s.collection === c.alias && s.id === id && visible(world, m.name, s),
        );
        const one = await get(m, `${base}/objects/${id}/`);
        const vers = await get(m, `${base}/objects/${id}/versions/`);
        if (!anyVisible) {
          checks.equal([one.status, vers.status], [404, 404], () => `${who}: ${id} exists for them`);
          continue;
        }
        checks.equal(
          [one.status, (one.body.objects ?? []).map((o) => `${o.id}@${o.modified}`)],
          [200, expected(world, stored, m.name, c.alias, { ids: [id] }).map((s) => `${s.id}@${s.version}`)],
          () => `${who}: object ${id}`,
        );
        checks.equal(
          [vers.status, vers.body.versions ?? []],
          [
            200,
            expected(world, stored, m.name, c.alias, { ids: [id], versions: 'all' }).map((s) => s.version),
          ],
          () => `${who}: versions of ${id}`,
        );
      }
    }
  }

  /** One round: the refused members first (a POST of theirs stored would show below), then the rest. */
  async function checkAll(focus: Rng): Promise<void> {
    for (const m of world.members) {
      if (!isActive(world, m.name)) await checkRefused(m, callerOf(m), m.status, focus);
    }
    for (const m of world.members) if (isActive(world, m.name)) await checkMember(m, focus);
  }

  /** Applies the life-cycle changes of the second round as the CLI does (through the store). */
  async function applyMemberChanges(rng: Rng): Promise<Caller[]> {
    const { principals } = (hubs[0] as CredentialHub).stores;
    const withdrawn: Caller[] = [];
    for (const ch of changeMembers(world, rng, FORMS)) {
      const m = world.members.find((x) => x.name === ch.member) as WorldMember;
      switch (ch.kind) {
        case 'disable':
        case 'enable':
          await principals.setMemberDisabled({ name: m.name, disabled: ch.kind === 'disable' });
          break;
        case 'credential': {
          // A new secret too (`tessera member passwd`), so an old Basic secret ends as well.
          const old = creds.get(m.name) as IssuedCredential;
          m.password = `${m.password}-next`;
          await principals.setMemberSecret({ name: m.name, secretHash: await hashSecret(m.password) });
          await old.withdraw();
          withdrawn.push(old.caller);
          creds.set(m.name, await issueCredential(hubs[0] as CredentialHub, m.name, m.password, m.form));
          break;
        }
        case 'remove':
          await principals.removeMember(m.name);
          // The name stays reserved: a new member of that name would see the removed one's
          // versions as their publisher (whatever their TLP).
          await assert.rejects(
            principals.createMember({ name: m.name, secretHash: await hashSecret('anyone') }),
            ConflictError,
            `${m.name} was removed: the name must stay reserved`,
          );
          checks.count++;
          tally.reserved++;
          break;
      }
    }
    return withdrawn;
  }

  it('before and after ceilings, defaults, grants, credentials and members change', async () => {
    try {
      const focus = new Rng(world.seed ^ 0x5eed);
      await checkAll(focus);
      // Change the rules: new ceilings, new defaults, a grant gained or lost ...
      const rng = new Rng(world.seed + 1);
      for (const c of world.collections) {
        if (rng.chance(0.5)) c.defaultTlp = rng.pick(LEVELS);
        for (const g of c.grants) if (rng.chance(0.5)) g.maxTlp = rng.pick(LEVELS);
      }
      await admin.applyGrants(world);
      // ... and the members: every credential still valid is cached by both instances first.
      await warmUp(world.members.filter((m) => isActive(world, m.name)));
      const withdrawn = await applyMemberChanges(rng);
      for (const caller of withdrawn) {
        for (let via = 0; via < hubs.length; via++) {
          const r = await send(caller, via, 'GET', '/taxii2/');
          checks.equal(
            r.status,
            401,
            () => `${caller.member}'s old ${caller.form} credential on instance ${via}`,
          );
          tally.withdrawn++;
        }
      }
      round = 1;
      await checkAll(focus);
    } catch (e) {
      fail(e);
    }
  });
});
