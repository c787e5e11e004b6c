/**
 * The admin CLI `tessera`, run for real as a child process (`node --import tsx scripts/cli.ts …`)
 * on a fresh store of the configured backend (a temporary SQLite file by default), also while a
 * real hub process serves the same store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifySecret } from '../../server/access/secrets';
import { describeStore, openStore } from '../../server/store';
import {
  basic,
  getTaxii,
  killAllHubs,
  postEnvelope,
  processStoreUrl,
  REPO_ROOT,
  reportOnFailure,
  startHubProcess,
  TAXII,
  type HubProcess,
} from '../helpers/process';
import { addSharedCollection, describeRun, fails, ok, okJson, tessera, type CliRun } from '../helpers/cli';
import type { TestStoreUrl } from '../helpers/store';
import { makeIndicator, makeIpv4Addr, makeMalware, withModified, type StixObject } from '../helpers/stix';

const APT1 = path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'oasis-examples', 'apt1.json');
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORD = 'correct-horse-battery-staple';

type Run = CliRun;

interface BundleJson {
  type: string;
  id: string;
  objects?: StixObject[];
}

interface CollectionJson {
  id: string;
  api_root: string;
  title: string;
  alias?: string;
  description?: string;
  media_types: string[];
  grants: { group: string; read: boolean; write: boolean; max_tlp: string }[];
  default_tlp: string;
}

interface ImportJson {
  total: number;
  added: number;
  duplicates: number;
  failed: number;
  member: string;
  failures: { id: string; version: string; message?: string }[];
}

const versionOf = (o: StixObject): string => `${o.id}|${o.modified ?? o.created ?? ''}`;

function exported(r: Run): BundleJson {
  const bundle = JSON.parse(r.stdout) as BundleJson;
  assert.equal(bundle.type, 'bundle');
  assert.match(bundle.id, /^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return bundle;
}

describe('admin CLI (tessera)', function () {
  this.timeout(180_000);
  let fresh: TestStoreUrl;
  let url: string;
  let tmp: string;

  beforeEach(async () => {
    fresh = processStoreUrl();
    url = fresh.url;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-'));
    // The store exists, as after `tessera init` or the hub's first start (tested below).
    await (await openStore(url)).close();
  });
  afterEach(async () => {
    await fresh.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  /** A group, a member in it and a collection granting it read and write; returns the collection. */
  async function setUp(alias = 'shared'): Promise<CollectionJson> {
    await ok(url, ['group', 'add', 'csirts']);
    return addSharedCollection<CollectionJson>(url, {
      root: 'api1',
      alias,
      group: 'csirts',
      title: 'Shared',
    });
  }

  async function writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(tmp, name);
    await writeFile(file, JSON.stringify(value));
    return file;
  }

  describe('usage', () => {
    it('--help and help print the usage of every command on stdout and exit 0', async () => {
      const runs = await Promise.all([['--help'], ['help'], ['-h']].map((args) => ok(url, args)));
      for (const r of runs) {
        for (const cmd of [
          'root add <name> --title <title>',
          'root list',
          'group add <group>',
          'group list',
          'group join <group> <member>',
          'group leave <group> <member>',
          'member add <member> --password-stdin',
          'member passwd <member> --password-stdin',
          'member list',
          'collection add <root> --title <t> [--id <uuid>] [--alias <a>]',
          'collection list <root>',
          'collection grant <root> <id-or-alias> <group> [--read] [--write] [--max-tlp <level>]',
          'collection revoke <root> <id-or-alias> <group>',
          'collection set <root> <id-or-alias> --default-tlp <level>',
          'collection remove <root> <id-or-alias> --yes',
          'root remove <name> --yes',
          'import <root>',
          'export <root>',
          'validate <file> [--strict]',
        ]) {
          assert.ok(r.stdout.includes(`tessera ${cmd}`), `help lacks "${cmd}":\n${r.stdout}`);
        }
      }
    });

    it('usage errors exit 2 with the usage line', async () => {
      await Promise.all([
        fails(url, [], 2, /missing command/),
        fails(url, ['frobnicate'], 2, /unknown command "frobnicate"/),
        fails(url, ['group'], 2, /group: missing subcommand/),
        fails(url, ['group', 'frob'], 2, /unknown subcommand "frob"/),
        fails(url, ['group', 'add'], 2, /missing argument <group>[\s\S]*usage: tessera group add <group>/),
        fails(url, ['group', 'add', 'a', 'b'], 2, /unexpected argument "b"/),
        fails(url, ['group', 'list', '--bogus'], 2, /unknown option --bogus/),
        fails(url, ['root', 'add', 'r9'], 2, /missing option --title/),
        fails(url, ['root', 'add', 'r9', '--title'], 2, /option --title needs a value/),
        fails(url, ['root', 'add', 'r9', '--title', 'a', '--title', 'b'], 2, /given twice/),
        fails(url, ['member', 'add', 'm1'], 2, /--password-stdin/, `${PASSWORD}\n`),
        fails(
          url,
          ['collection', 'add', 'api1', '--title', 'x', '--default-tlp', 'orange'],
          2,
          /not a TLP level/,
        ),
        fails(url, ['export', 'api1'], 2, /missing argument <collection>/),
      ]);
      // Nothing was created by the failed commands.
      const groups = await okJson<{ groups: unknown[] }>(url, ['group', 'list']);
      assert.deepEqual(groups.groups, []);
    });
  });

  describe('root', () => {
    it('root add / root list, with the default API root the hub creates', async () => {
      const root = await okJson(url, [
        'root',
        'add',
        'intel',
        '--title',
        'Intel',
        '--description',
        'Shared intel',
      ]);
      assert.equal(root.name, 'intel');
      assert.equal(root.title, 'Intel');
      assert.equal(root.description, 'Shared intel');
      const list = await okJson<{ roots: { name: string; title: string }[] }>(url, ['root', 'list']);
      assert.deepEqual(list.roots.map((r) => r.name).sort(), ['api1', 'intel']);
      const text = await ok(url, ['root', 'list']);
      assert.match(text.stdout, /^intel\tIntel$/m);
      await Promise.all([
        fails(url, ['root', 'add', 'intel', '--title', 'Again'], 1, /API root intel already exists/),
        fails(url, ['root', 'add', 'taxii2', '--title', 'Clash'], 1, /reserved/),
        fails(url, ['root', 'add', 'bad/name', '--title', 'Bad'], 1, /invalid API root name/),
      ]);
    });
  });

  describe('groups and members', () => {
    it('group add / list / join / leave, with --json', async () => {
      const g = await okJson(url, ['group', 'add', 'national-csirts']);
      assert.equal(g.name, 'national-csirts');
      assert.deepEqual(g.members, []);
      await ok(url, ['member', 'add', 'cert-a', '--password-stdin'], PASSWORD);
      const joined = await okJson(url, ['group', 'join', 'national-csirts', 'cert-a']);
      assert.deepEqual(joined.members, ['cert-a']);
      const list = await okJson<{ groups: { name: string; members: string[] }[] }>(url, ['group', 'list']);
      assert.deepEqual(
        list.groups.map((x) => ({ name: x.name, members: x.members })),
        [{ name: 'national-csirts', members: ['cert-a'] }],
      );
      const members = await okJson<{ members: { name: string; groups: string[] }[] }>(url, [
        'member',
        'list',
      ]);
      assert.deepEqual(members.members[0]?.groups, ['national-csirts']);
      const left = await okJson(url, ['group', 'leave', 'national-csirts', 'cert-a']);
      assert.deepEqual(left.members, []);
      await Promise.all([
        fails(
          url,
          ['group', 'leave', 'national-csirts', 'cert-a'],
          1,
          /cert-a is not a member of national-csirts/,
        ),
        fails(url, ['group', 'join', 'national-csirts', 'nobody'], 1, /member nobody does not exist/),
        fails(url, ['group', 'join', 'no-such-group', 'cert-a'], 1, /group no-such-group does not exist/),
      ]);
    });

    it('a duplicate group is a clear error (exit 1)', async () => {
      await ok(url, ['group', 'add', 'dup']);
      await fails(url, ['group', 'add', 'dup'], 1, /^tessera: trust group dup already exists\n$/);
    });

    it('member add stores only a scrypt hash of the secret read from stdin; passwd replaces it', async () => {
      const m = await okJson(url, ['member', 'add', 'soc-1', '--password-stdin'], `${PASSWORD}\n`);
      assert.equal(m.name, 'soc-1');
      assert.deepEqual(m.groups, []);
      assert.equal('secretHash' in m, false);
      assert.doesNotMatch(JSON.stringify(m), /scrypt/);

      const store = await openStore(url);
      try {
        const rec = await store.principals.getMember('soc-1');
        assert.ok(rec);
        assert.ok(rec.secretHash.startsWith('scrypt$'), rec.secretHash);
        assert.ok(!rec.secretHash.includes(PASSWORD));
        // One trailing newline is trimmed, nothing else.
        assert.equal(await verifySecret(PASSWORD, rec.secretHash), true);
        assert.equal(await verifySecret(`${PASSWORD}\n`, rec.secretHash), false);
      } finally {
        await store.close();
      }

      const listed = await ok(url, ['member', 'list', '--json']);
      assert.doesNotMatch(listed.stdout, /scrypt|secret/i);
      const text = await ok(url, ['member', 'list']);
      assert.match(text.stdout, /^soc-1\t/m);
      assert.doesNotMatch(text.stdout, /scrypt/);

      await Promise.all([
        fails(
          url,
          ['member', 'add', 'soc-1', '--password-stdin'],
          1,
          /member soc-1 already exists/,
          PASSWORD,
        ),
        fails(url, ['member', 'add', 'soc-2', '--password-stdin'], 1, /too short: at least 12/, 'short\n'),
        fails(url, ['member', 'add', 'soc-3', '--password-stdin'], 1, /empty/, '\n'),
        fails(url, ['member', 'add', 'bad:name', '--password-stdin'], 1, /invalid member name/, PASSWORD),
        fails(
          url,
          ['member', 'passwd', 'ghost', '--password-stdin'],
          1,
          /member ghost does not exist/,
          PASSWORD,
        ),
      ]);
      const names = (await okJson<{ members: { name: string }[] }>(url, ['member', 'list'])).members.map(
        (x) => x.name,
      );
      assert.deepEqual(names, ['soc-1']);

      const NEW = 'a-completely-new-secret\r\n';
      await ok(url, ['member', 'passwd', 'soc-1', '--password-stdin'], NEW);
      const again = await openStore(url);
      try {
        const rec = await again.principals.getMember('soc-1');
        assert.ok(rec);
        assert.equal(await verifySecret('a-completely-new-secret', rec.secretHash), true);
        assert.equal(await verifySecret(PASSWORD, rec.secretHash), false);
      } finally {
        await again.close();
      }
    });
  });

  describe('collections', () => {
    it('collection add prints the collection; list shows grants; grant replaces them', async () => {
      await ok(url, ['group', 'add', 'readers']);
      await ok(url, ['group', 'add', 'writers']);
      const a = await okJson<CollectionJson>(url, [
        'collection',
        'add',
        'api1',
        '--title',
        'Indicators',
        '--alias',
        'indicators',
        '--description',
        'IOCs',
        '--read',
        'readers,writers',
        '--write',
        'writers',
      ]);
      assert.match(a.id, UUID4);
      assert.equal(a.api_root, 'api1');
      assert.equal(a.title, 'Indicators');
      assert.equal(a.alias, 'indicators');
      assert.equal(a.description, 'IOCs');
      assert.deepEqual(a.media_types, ['application/stix+json;version=2.1']);
      assert.deepEqual(a.grants, [
        { group: 'readers', read: true, write: false, max_tlp: 'amber' },
        { group: 'writers', read: true, write: true, max_tlp: 'amber' },
      ]);

      const given = randomUUID();
      const b = await okJson<CollectionJson>(url, [
        'collection',
        'add',
        'api1',
        '--title=Read only',
        `--id=${given.toUpperCase()}`,
        '--read',
        'readers',
      ]);
      assert.equal(b.id, given);
      const text = await ok(url, ['collection', 'add', 'api1', '--title', 'Third', '--write', 'writers']);
      assert.match(text.stdout, /^[0-9a-f-]{36} {2}Third$/m);

      const list = await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']);
      assert.equal(list.collections.length, 3);
      const byId = new Map(list.collections.map((c) => [c.id, c]));
      assert.deepEqual(byId.get(b.id)?.grants, [
        { group: 'readers', read: true, write: false, max_tlp: 'amber' },
      ]);

      const g = await okJson<CollectionJson>(url, [
        'collection',
        'grant',
        'api1',
        'indicators',
        '--read',
        'readers',
        '--write',
        '',
      ]);
      assert.equal(g.id, a.id);
      assert.deepEqual(g.grants, [{ group: 'readers', read: true, write: false, max_tlp: 'amber' }]);
      const after = await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']);
      assert.deepEqual(after.collections.find((c) => c.id === a.id)?.grants, g.grants);

      await fails(
        url,
        ['collection', 'add', 'api1', '--title', 'x', '--id', 'not-a-uuid', '--read', 'readers'],
        1,
        /UUIDv4/,
      );
      const v1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
      await Promise.all([
        fails(
          url,
          ['collection', 'add', 'api1', '--title', 'x', '--id', v1, '--read', 'readers'],
          1,
          /UUIDv4/,
        ),
        fails(
          url,
          ['collection', 'add', 'api1', '--title', 'x', '--id', given, '--read', 'readers'],
          1,
          /already exists/,
        ),
        fails(
          url,
          ['collection', 'add', 'api1', '--title', 'x', '--alias', 'indicators', '--read', 'readers'],
          1,
          /alias indicators already exists/,
        ),
        fails(
          url,
          ['collection', 'add', 'api1', '--title', 'x', '--read', 'ghosts'],
          1,
          /trust group ghosts does not exist/,
        ),
        fails(
          url,
          ['collection', 'add', 'nope', '--title', 'x', '--read', 'readers'],
          1,
          /API root "nope" does not exist/,
        ),
        fails(
          url,
          ['collection', 'grant', 'api1', 'missing', '--read', 'readers'],
          1,
          /collection "missing" does not exist/,
        ),
        fails(url, ['collection', 'list', 'nope'], 1, /API root "nope" does not exist/),
      ]);
      const final = await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']);
      assert.equal(final.collections.length, 3);
    });
  });

  describe('TLP ceilings and defaults', () => {
    it('add without grants; grant/revoke one group with --max-tlp; set --default-tlp; the list form still works', async () => {
      await ok(url, ['group', 'add', 'sector']);
      await ok(url, ['group', 'add', 'csirts']);
      const c = await okJson<CollectionJson>(url, [
        'collection',
        'add',
        'api1',
        '--title',
        'Nobody yet',
        '--alias',
        'n',
      ]);
      assert.deepEqual([c.grants, c.default_tlp], [[], 'amber']);
      let g = await okJson<CollectionJson>(url, [
        'collection',
        'grant',
        'api1',
        'n',
        'sector',
        '--read',
        '--max-tlp',
        'TLP:GREEN',
      ]);
      assert.deepEqual(g.grants, [{ group: 'sector', read: true, write: false, max_tlp: 'green' }]);
      g = await okJson<CollectionJson>(url, [
        'collection',
        'grant',
        'api1',
        'n',
        'csirts',
        '--read',
        '--write',
      ]);
      // a new grant gets amber; changing sector's rights keeps its ceiling
      g = await okJson<CollectionJson>(url, [
        'collection',
        'grant',
        'api1',
        'n',
        'sector',
        '--read',
        '--write',
      ]);
      assert.deepEqual(g.grants, [
        { group: 'csirts', read: true, write: true, max_tlp: 'amber' },
        { group: 'sector', read: true, write: true, max_tlp: 'green' },
      ]);
      g = await okJson<CollectionJson>(url, ['collection', 'revoke', 'api1', 'n', 'sector']);
      assert.deepEqual(
        g.grants.map((x) => x.group),
        ['csirts'],
      );
      g = await okJson<CollectionJson>(url, [
        'collection',
        'set',
        'api1',
        'n',
        '--default-tlp',
        'amber+strict',
      ]);
      assert.equal(g.default_tlp, 'amber+strict');
      g = await okJson<CollectionJson>(url, [
        'collection',
        'grant',
        'api1',
        'n',
        '--read',
        'sector,csirts',
        '--write',
        'csirts',
        '--max-tlp',
        'red',
      ]);
      assert.deepEqual(g.grants, [
        { group: 'csirts', read: true, write: true, max_tlp: 'red' },
        { group: 'sector', read: true, write: false, max_tlp: 'red' },
      ]);
      const text = await ok(url, ['collection', 'list', 'api1']);
      assert.match(
        text.stdout,
        /read: csirts\(≤red\),sector\(≤red\)\s+write: csirts\s+default TLP: amber\+strict/,
      );
    });

    it('refuses bad levels, missing rights, values on single-group flags, unknown groups and absent grants', async () => {
      await ok(url, ['group', 'add', 'sector']);
      await ok(url, ['collection', 'add', 'api1', '--title', 'T', '--alias', 't', '--read', 'sector']);
      await Promise.all([
        fails(
          url,
          ['collection', 'grant', 'api1', 't', 'sector', '--read', '--max-tlp', 'white'],
          2,
          /--max-tlp: "white" is not a TLP level/,
        ),
        fails(url, ['collection', 'grant', 'api1', 't', 'sector', '--max-tlp'], 2, /--max-tlp needs a value/),
        fails(
          url,
          ['collection', 'grant', 'api1', 't', 'sector'],
          2,
          /give --read and\/or --write[\s\S]*collection revoke/,
        ),
        fails(
          url,
          ['collection', 'grant', 'api1', 't', 'sector', '--read', 'x'],
          2,
          /unexpected argument "x"|takes no value/,
        ),
        fails(url, ['collection', 'grant', 'api1', 't'], 2, /give a trust group/),
        fails(url, ['collection', 'grant', 'api1', 't', '--read'], 2, /--read needs a list of trust groups/),
        fails(
          url,
          ['collection', 'grant', 'api1', 't', 'ghosts', '--read'],
          1,
          /trust group ghosts does not exist/,
        ),
        fails(
          url,
          ['collection', 'grant', 'api1', 'nope', 'sector', '--read'],
          1,
          /collection "nope" does not exist/,
        ),
        fails(url, ['collection', 'revoke', 'api1', 't', 'nobody'], 1, /nobody has no grant/),
        fails(url, ['collection', 'revoke', 'api1', 't'], 2, /missing argument <group>/),
        fails(url, ['collection', 'set', 'api1', 't'], 2, /missing option --default-tlp/),
        fails(url, ['collection', 'set', 'api1', 't', '--default-tlp', 'purple'], 2, /not a TLP level/),
      ]);
      const after = await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']);
      assert.deepEqual(after.collections[0]?.grants, [
        { group: 'sector', read: true, write: false, max_tlp: 'amber' },
      ]);
      assert.equal(after.collections[0]?.default_tlp, 'amber');
    });

    it('apply sets maxTlp per grant and defaultTlp per collection, and lists bad ones', async () => {
      const id = randomUUID();
      const defs = (grants: unknown, defaultTlp?: string) => ({
        collections: [
          {
            apiRoot: 'api1',
            id,
            title: 't',
            alias: 'a',
            read: ['x'],
            grants,
            ...(defaultTlp ? { defaultTlp } : {}),
          },
        ],
      });
      const f1 = await writeJson('t1.json', defs([{ group: 'y', read: true, maxTlp: 'red' }], 'green'));
      await ok(url, ['apply', f1]);
      let c = (await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']))
        .collections[0];
      assert.deepEqual(
        [c?.grants, c?.default_tlp],
        [
          [
            { group: 'x', read: true, write: false, max_tlp: 'amber' },
            { group: 'y', read: true, write: false, max_tlp: 'red' },
          ],
          'green',
        ],
      );
      const f2 = await writeJson('t2.json', defs([{ group: 'y', read: true, maxTlp: 'clear' }]));
      const second = await okJson<{ changes: string[] }>(url, ['apply', f2]);
      assert.equal(second.changes.length, 2, second.changes.join('\n'));
      c = (await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']))
        .collections[0];
      assert.deepEqual([c?.grants[1]?.max_tlp, c?.default_tlp], ['clear', 'amber']);
      const bad = await writeJson(
        't3.json',
        defs([{ group: 'x', read: true, maxTlp: 'orange' }, { group: 'z' }], 'pink'),
      );
      await fails(
        url,
        ['apply', bad],
        1,
        /maxTlp must be equal to one of the allowed values[\s\S]*defaultTlp/,
      );
      const dup = await writeJson('t4.json', defs([{ group: 'x', read: true }, { group: 'z' }]));
      await fails(
        url,
        ['apply', dup],
        1,
        /group x is also in read\/write[\s\S]*grants\/1 a grant needs read and\/or write/,
      );
    });
  });

  describe('import and export', () => {
    it('imports a generated bundle in batches (failures listed, exit 1) and exports the same objects', async () => {
      const c = await setUp();
      const objects: StixObject[] = [];
      for (let i = 0; i < 1100; i++) objects.push(makeIndicator({ name: `Indicator ${i}` }));
      const evolving = makeMalware();
      const evolved = withModified(evolving, '2025-06-01T00:00:00.000Z');
      const sco = makeIpv4Addr();
      objects.push(evolving, evolved, sco);
      const broken = makeIndicator({ id: 'indicator--not-a-uuid' });
      objects.splice(600, 0, broken);
      const file = await writeJson('bundle.json', { type: 'bundle', id: `bundle--${randomUUID()}`, objects });

      const r = await tessera(url, ['import', 'api1', 'shared', file]);
      assert.equal(r.code, 1, describeRun(r));
      // Not a TTY: plain progress lines, one per batch of 500.
      assert.match(r.stderr, /^imported 500\/1104 objects$/m);
      assert.match(r.stderr, /^imported 1104\/1104 objects$/m);
      assert.match(r.stdout, /1104 objects read .*: 1103 added, 0 duplicates, 1 failed/);
      assert.match(r.stdout, /^failed: indicator--not-a-uuid \(2025-01-01T00:00:00.000Z\): \S/m);

      // Again with --json: everything is a duplicate; nothing on stderr but nothing else either.
      const again = await tessera(url, ['import', 'api1', c.id, file, '--json']);
      assert.equal(again.code, 1, describeRun(again));
      assert.equal(again.stderr, '');
      const totals = JSON.parse(again.stdout) as ImportJson;
      assert.equal(totals.total, 1104);
      assert.equal(totals.added, 0);
      assert.equal(totals.duplicates, 1103);
      assert.equal(totals.failed, 1);
      assert.equal(totals.failures[0]?.id, 'indicator--not-a-uuid');
      assert.ok(totals.failures[0]?.message, 'a failure carries a message');
      assert.equal(totals.member, `cli:${os.userInfo().username}`);

      const valid = objects.filter((o) => o !== broken);
      const last = exported(await ok(url, ['export', 'api1', 'shared']));
      assert.deepEqual(
        (last.objects ?? []).map(versionOf).sort(),
        valid
          .filter((o) => o !== evolving)
          .map(versionOf)
          .sort(),
      );
      // Bodies are exported as imported.
      const sample = (last.objects ?? []).find((o) => o.id === objects[5]?.id);
      assert.deepEqual(sample, objects[5]);

      const all = exported(await ok(url, ['export', 'api1', c.id, '--all-versions']));
      assert.deepEqual((all.objects ?? []).map(versionOf).sort(), valid.map(versionOf).sort());
    });

    it('imports a TAXII envelope; a clean import exits 0; an empty collection exports a bundle without objects', async () => {
      await setUp();
      const empty = exported(await ok(url, ['export', 'api1', 'shared']));
      assert.equal(empty.objects, undefined);

      const objects = [makeIndicator(), makeMalware()];
      const file = await writeJson('envelope.json', { objects });
      const totals = await okJson<ImportJson>(url, ['import', 'api1', 'shared', file]);
      assert.equal(totals.added, 2);
      assert.equal(totals.failed, 0);
      const bundle = exported(await ok(url, ['export', 'api1', 'shared']));
      assert.deepEqual((bundle.objects ?? []).map(versionOf).sort(), objects.map(versionOf).sort());
    });

    it('refuses files that are not a bundle or envelope, and unknown collections (exit 1)', async () => {
      await setUp();
      const notJson = path.join(tmp, 'x.json');
      await writeFile(notJson, '{ nope');
      await fails(url, ['import', 'api1', 'shared', notJson], 1, /is not JSON/);
      const bare = await writeJson('bare.json', makeIndicator());
      await fails(url, ['import', 'api1', 'shared', bare], 1, /single "indicator" object/);
      const empty = await writeJson('empty.json', {
        type: 'bundle',
        id: `bundle--${randomUUID()}`,
        objects: [],
      });
      await Promise.all([
        fails(url, ['import', 'api1', 'shared', empty], 1, /contains no objects/),
        fails(url, ['import', 'api1', 'shared', path.join(tmp, 'absent.json')], 1, /no such file/),
        fails(url, ['import', 'api1', 'nope', bare], 1, /collection "nope" does not exist/),
        fails(url, ['export', 'api2', 'shared'], 1, /API root "api2" does not exist/),
      ]);
    });

    it('imports the OASIS APT1 example bundle and exports the same objects', async function () {
      if (!existsSync(APT1)) {
        console.log(`      skipped: the corpus file ${APT1} is absent`);
        this.skip();
      }
      await setUp();
      const bundle = JSON.parse(await readFile(APT1, 'utf8')) as BundleJson;
      const totals = await okJson<ImportJson>(url, ['import', 'api1', 'shared', APT1]);
      assert.equal(totals.failed, 0, JSON.stringify(totals.failures));
      assert.equal(totals.added, bundle.objects?.length);
      const out = exported(await ok(url, ['export', 'api1', 'shared', '--all-versions']));
      assert.deepEqual(
        (out.objects ?? []).map(versionOf).sort(),
        (bundle.objects ?? []).map(versionOf).sort(),
      );
    });
  });

  describe('validate', () => {
    it('prints the verdict of every object; exit 1 when one fails', async () => {
      const good = makeIndicator();
      const file = await writeJson('v.json', {
        type: 'bundle',
        id: `bundle--${randomUUID()}`,
        objects: [good],
      });
      await ok(url, ['validate', file]);
      const bad = { ...makeIndicator(), id: 'indicator--nope' };
      const badFile = await writeJson('bad.json', { objects: [good, bad] });
      const r = await tessera(url, ['validate', badFile, '--json']);
      assert.equal(r.code, 1, describeRun(r));
      const verdicts = JSON.parse(r.stdout) as { total: number; failed: number };
      assert.equal(verdicts.total, 2);
      assert.equal(verdicts.failed, 1);
      await fails(url, ['validate'], 2, /missing argument <file>/);
    });
  });

  describe('with a hub running on the same store', () => {
    let hub: HubProcess | undefined;
    afterEach(async function () {
      reportOnFailure(this, [hub]);
      await killAllHubs([hub]);
      hub = undefined;
    });

    it('the README first-run flow gives a member who sees the API root over TAXII', async () => {
      hub = await startHubProcess({ storeUrl: url });
      await ok(url, ['member', 'add', 'soc-sentinel', '--password-stdin'], PASSWORD);
      await ok(url, ['group', 'add', 'national-csirts']);
      await ok(url, ['group', 'join', 'national-csirts', 'soc-sentinel']);
      const c = await okJson<CollectionJson>(url, [
        'collection',
        'add',
        'api1',
        '--title',
        'Shared indicators',
        '--alias',
        'indicators',
        '--read',
        'national-csirts',
        '--write',
        'national-csirts',
      ]);
      const auth = basic('soc-sentinel', PASSWORD);
      const discovery = await getTaxii(`${hub.url}/taxii2/`, auth);
      assert.equal(discovery.status, 200, JSON.stringify(discovery.body));
      assert.deepEqual(discovery.body?.api_roots, ['/api1/']);
      const cols = await getTaxii(`${hub.url}/api1/collections/`, auth);
      assert.equal(cols.status, 200);
      const listed = (cols.body?.collections ?? []) as {
        id: string;
        can_read: boolean;
        can_write: boolean;
      }[];
      assert.deepEqual(
        listed.map((x) => ({ id: x.id, can_read: x.can_read, can_write: x.can_write })),
        [{ id: c.id, can_read: true, can_write: true }],
      );
      const wrong = await getTaxii(`${hub.url}/taxii2/`, basic('soc-sentinel', 'not-the-password'));
      assert.equal(wrong.status, 401);
    });

    it('imports while the hub serves and writes the same collection', async () => {
      hub = await startHubProcess({ storeUrl: url });
      await ok(url, ['member', 'add', 'analyst', '--password-stdin'], PASSWORD);
      const c = await setUp();
      await ok(url, ['group', 'join', 'csirts', 'analyst']);
      const imported: StixObject[] = [];
      for (let i = 0; i < 1500; i++) imported.push(makeIndicator({ name: `Imported ${i}` }));
      const file = await writeJson('big.json', {
        type: 'bundle',
        id: `bundle--${randomUUID()}`,
        objects: imported,
      });

      const auth = basic('analyst', PASSWORD);
      const importing = tessera(url, ['import', 'api1', 'shared', file, '--json']);
      let importDone = false;
      void importing.then(() => (importDone = true));
      const posted: StixObject[] = [];
      // POST through the hub for as long as the import runs (at least 10 envelopes).
      for (let i = 0; i < 10 || !importDone; i++) {
        const batch = Array.from({ length: 20 }, () => makeMalware());
        const status = await postEnvelope(hub, c.id, auth, batch);
        assert.equal(status.success_count, 20, JSON.stringify(status));
        posted.push(...batch);
      }
      const r = await importing;
      assert.equal(r.code, 0, describeRun(r));
      const totals = JSON.parse(r.stdout) as ImportJson;
      assert.equal(totals.added, 1500);

      // The hub serves what the CLI imported.
      const one = imported[1234] as StixObject;
      const got = await getTaxii(`${hub.url}/api1/collections/${c.id}/objects/${one.id}/`, auth);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.deepEqual((got.body?.objects as unknown[])[0], one);

      const bundle = exported(await ok(url, ['export', 'api1', 'shared']));
      assert.deepEqual(
        (bundle.objects ?? []).map(versionOf).sort(),
        [...imported, ...posted].map(versionOf).sort(),
      );
      const res = await fetch(`${hub.url}/api1/collections/${c.id}/manifest/?limit=1`, {
        headers: { Authorization: auth, Accept: TAXII },
      });
      assert.equal(res.status, 200);
    });
  });

  it('apply creates what a definitions file declares, idempotently, and lists bad definitions', async () => {
    const example = path.resolve(__dirname, '../../collections/example.json');
    const first = await okJson<{ changes: string[] }>(url, ['apply', example]);
    assert.ok(first.changes.includes('created trust group energy-isac'), first.changes.join('\n'));
    assert.ok(first.changes.some((c) => c.includes('(indicators)')));
    const again = await okJson<{ changes: string[] }>(url, ['apply', example]);
    assert.deepEqual(again.changes, []);
    const listed = await okJson<{ collections: CollectionJson[] }>(url, ['collection', 'list', 'api1']);
    assert.deepEqual(listed.collections.map((c) => c.alias).sort(), ['energy-incidents', 'indicators']);
    const bad = path.join(tmp, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({ collections: [{ apiRoot: 'api1', id: 'x', title: 't', read: [], write: [] }] }),
    );
    await fails(url, ['apply', bad], 1, /invalid definitions:[\s\S]*\/collections\/0\/id/);
  });
});

describe('admin CLI (tessera): a store that does not exist is refused, except by tessera init', function () {
  this.timeout(120_000);
  let fresh: TestStoreUrl;
  let tmp: string;

  beforeEach(async () => {
    fresh = processStoreUrl();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-init-'));
  });
  afterEach(async () => {
    await fresh.dispose();
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses every store command on a missing store, naming it, and creates nothing', async () => {
    for (const args of [
      ['member', 'list'],
      ['root', 'list'],
      ['group', 'add', 'g1'],
    ]) {
      const r = await tessera(fresh.url, args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /no Tessera store at /);
      assert.match(r.stderr, /tessera init/);
      assert.equal(r.stdout, '');
    }
    if (fresh.url.startsWith('sqlite:')) {
      const file = fresh.url.slice('sqlite:'.length);
      assert.match((await tessera(fresh.url, ['member', 'list'])).stderr, new RegExp(path.basename(file)));
      assert.equal(existsSync(file), false, 'the refused command created the database file');
    }
  });

  it('names the absolute path of a relative TESSERA_STORE run from another folder', async () => {
    const r = await tessera('sqlite:data/tessera.db', ['member', 'list'], '', { cwd: tmp });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(path.join(tmp, 'data', 'tessera.db')), r.stderr);
    assert.ok(r.stderr.includes(`relative to ${tmp}`), r.stderr);
    assert.equal(existsSync(path.join(tmp, 'data')), false);
  });

  it('tessera init creates the store with the default API root; again, it changes nothing', async () => {
    const first = await tessera(fresh.url, ['init']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created the store at /);
    const again = await tessera(fresh.url, ['init', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { created: boolean }).created, false);
    const roots = await tessera(fresh.url, ['root', 'list']);
    assert.equal(roots.code, 0, roots.stderr);
    assert.match(roots.stdout, /^api1\t/m);
    const members = await tessera(fresh.url, ['member', 'list']);
    assert.equal(members.code, 0, members.stderr);
    assert.equal(members.stdout.trim(), 'no members');
    // Both runs are in the audit trail, as every administrative command is.
    const trail = await okJson<{
      records: { kind: string; endpoint: string; status: number; detail: string | null }[];
    }>(fresh.url, ['audit']);
    const where = describeStore(fresh.url);
    assert.deepEqual(
      trail.records.map((r) => [r.kind, r.endpoint, r.status, r.detail]),
      [
        ['admin', 'tessera init', 200, `created the store at ${where}`],
        ['admin', 'tessera init', 200, `the store at ${where} already existed`],
      ],
    );
  });
});
