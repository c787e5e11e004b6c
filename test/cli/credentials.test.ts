/**
 * The CLI of issue 9 items 3-5, run for real against a store that a real hub process serves at
 * the same time: `key create|list|revoke`, `member cert`, `member disable|enable|remove`,
 * `group remove`, and `audit` — every change effective on the hub's next request, and recorded.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatFingerprint } from '../../server/access/certificates';
import { openStore } from '../../server/store';
import { fails, ok, okJson, tessera } from '../helpers/cli';
import { makeTestPki, type TestPki } from '../helpers/pki';
import {
  API_ROOT,
  basic,
  getTaxii,
  killAllHubs,
  processStoreUrl,
  reportOnFailure,
  seedStore,
  startHubProcess,
  type HubProcess,
} from '../helpers/process';
import type { TestStoreUrl } from '../helpers/store';

const SECRET = 'alice-secret-for-cli-1';

interface KeyJson {
  id: string;
  member: string;
  name: string | null;
  created: string;
  expires: string | null;
  revoked: string | null;
  state: 'active' | 'expired' | 'revoked';
  key?: string;
}

interface AuditJson {
  since: string;
  more: boolean;
  records: {
    time: string;
    kind: string;
    member: string | null;
    address: string | null;
    endpoint: string;
    collection: string | null;
    count: number | null;
    status: number;
    detail: string | null;
  }[];
}

describe('CLI: keys, certificates, member life cycle, audit (issue 9 items 3-5)', function () {
  this.timeout(180_000);
  let fresh: TestStoreUrl;
  let col: string;
  let hub: HubProcess;
  let pki: TestPki;
  let dir: string;
  const hubs: HubProcess[] = [];

  before(async function () {
    fresh = processStoreUrl();
    pki = makeTestPki();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-creds-'));
    [col] = (await seedStore(fresh.url, {
      members: [
        { name: 'alice', password: SECRET, groups: ['analysts'] },
        { name: 'bob', password: 'bob-secret-for-cli-1', groups: ['analysts', 'temporary'] },
      ],
      collections: [
        {
          grants: [
            { group: 'analysts', read: true, write: true },
            { group: 'temporary', read: true, write: false },
          ],
        },
      ],
    })) as [string];
    hub = await startHubProcess({ storeUrl: fresh.url });
    hubs.push(hub);
  });
  afterEach(function () {
    reportOnFailure(this, hubs);
  });
  after(async function () {
    await killAllHubs(hubs);
    await fresh?.dispose();
    pki?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const objects = () => `${hub.url}/${API_ROOT}/collections/${col}/objects/`;
  const statusWith = async (authorization: string) => (await getTaxii(objects(), authorization)).status;

  it('key create prints the key once; it works as Bearer, Token and Basic password; list never shows it', async function () {
    const r = await ok(fresh.url, ['key', 'create', 'alice', '--name', 'sentinel-prod', '--expires', '90d']);
    const key = r.stdout.split('\n')[0] as string;
    assert.match(key, /^tessera_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.match(r.stdout, /shown only this once/);
    for (const auth of [`Bearer ${key}`, `Token ${key}`, basic('alice', key)]) {
      assert.equal(await statusWith(auth), 200, auth.split(' ')[0]);
    }
    const listed = await okJson<{ keys: KeyJson[] }>(fresh.url, ['key', 'list', 'alice']);
    assert.equal(listed.keys.length, 1);
    const k = listed.keys[0] as KeyJson;
    assert.equal(k.id, key.slice(8, 24));
    assert.equal(k.name, 'sentinel-prod');
    assert.equal(k.state, 'active');
    assert.ok(k.expires && Date.parse(k.expires) > Date.now() + 89 * 86_400_000);
    const text = (await ok(fresh.url, ['key', 'list'])).stdout;
    assert.ok(!text.includes(key.slice(25)), 'the secret part is never printed again');
    assert.ok(!JSON.stringify(listed).includes(key.slice(25)));
    // The store holds a hash, not the key.
    const stores = await openStore(fresh.url);
    try {
      const rec = await stores.principals.getApiKey(k.id);
      assert.ok(rec && !rec.hash.includes(key.slice(25)));
    } finally {
      await stores.close();
    }
  });

  it('key create refusals; key revoke takes effect on the next request (by id or by the pasted key)', async function () {
    await fails(fresh.url, ['key', 'create', 'nobody'], 1, /member nobody does not exist/);
    await fails(fresh.url, ['key', 'create', 'alice', '--expires', '2001-01-01'], 1, /in the past/);
    await fails(fresh.url, ['key', 'create', 'alice', '--expires', 'soon'], 1, /--expires/);
    await fails(fresh.url, ['key', 'revoke', 'not-an-id'], 1, /not an API key id/);
    await fails(fresh.url, ['key', 'revoke', '0123456789abcdef'], 1, /does not exist/);
    const created = await okJson<KeyJson>(fresh.url, ['key', 'create', 'bob']);
    const key = created.key as string;
    assert.equal(await statusWith(`Bearer ${key}`), 200);
    const revoked = await okJson<KeyJson>(fresh.url, ['key', 'revoke', key]);
    assert.equal(revoked.state, 'revoked');
    assert.equal(await statusWith(`Bearer ${key}`), 401);
    assert.match((await ok(fresh.url, ['key', 'revoke', created.id])).stdout, /already revoked/);
  });

  it('member disable / enable / remove take effect on the running hub at once', async function () {
    const bob = basic('bob', 'bob-secret-for-cli-1');
    assert.equal(await statusWith(bob), 200); // verified and cached by the hub
    await ok(fresh.url, ['member', 'disable', 'bob']);
    assert.equal(await statusWith(bob), 401);
    assert.match((await ok(fresh.url, ['member', 'list'])).stdout, /bob\t.*\(disabled\)/);
    await ok(fresh.url, ['member', 'enable', 'bob']);
    assert.equal(await statusWith(bob), 200);
    const removed = await okJson<{ removed: string; keys_deleted: number }>(fresh.url, [
      'member',
      'remove',
      'bob',
    ]);
    assert.equal(removed.removed, 'bob');
    assert.equal(removed.keys_deleted, 1);
    assert.equal(await statusWith(bob), 401);
    await fails(
      fresh.url,
      ['member', 'add', 'bob', '--password-stdin'],
      1,
      /reserved/,
      'another-long-secret\n',
    );
    await fails(fresh.url, ['member', 'disable', 'bob'], 1, /does not exist/);
  });

  it('member add refuses a secret shaped like an API key', async function () {
    await fails(
      fresh.url,
      ['member', 'add', 'eve', '--password-stdin'],
      1,
      /form of an API key/,
      `tessera_0123456789abcdef_${'A'.repeat(43)}\n`,
    );
  });

  it('member cert binds by fingerprint or PEM file, refuses a second binding, --remove unbinds', async function () {
    const c1 = pki.issueClient('alice');
    const c2 = pki.issueClient('alice-2');
    const pemFile = path.join(dir, 'alice.pem');
    await writeFile(pemFile, c1.cert);
    const bound = await okJson<{ fingerprint: string; subject: string }>(fresh.url, [
      'member',
      'cert',
      'alice',
      pemFile,
    ]);
    assert.equal(bound.fingerprint, formatFingerprint(c1.fingerprint));
    assert.match(bound.subject, /CN=alice/);
    await ok(fresh.url, ['member', 'cert', 'alice', formatFingerprint(c2.fingerprint).toLowerCase()]);
    const list = await okJson<{ members: { name: string; certificates: string[] }[] }>(fresh.url, [
      'member',
      'list',
    ]);
    assert.deepEqual(
      list.members.find((m) => m.name === 'alice')?.certificates.sort(),
      [c1.fingerprint, c2.fingerprint].map(formatFingerprint).sort(),
    );
    await fails(fresh.url, ['member', 'cert', 'alice', pemFile], 1, /bound to alice already/);
    await fails(
      fresh.url,
      ['member', 'cert', 'alice', path.join(dir, 'missing.pem')],
      1,
      /neither a SHA-256 fingerprint/,
    );
    await ok(fresh.url, ['member', 'cert', 'alice', c2.fingerprint, '--remove']);
    await fails(fresh.url, ['member', 'cert', 'alice', c2.fingerprint, '--remove'], 1, /not bound to alice/);
  });

  it("group remove withdraws the group's grants and memberships", async function () {
    await ok(fresh.url, ['group', 'add', 'short-lived']);
    await ok(fresh.url, ['group', 'join', 'short-lived', 'alice']);
    await ok(fresh.url, [
      'collection',
      'grant',
      API_ROOT,
      col,
      '--read',
      'analysts,short-lived',
      '--write',
      'analysts',
    ]);
    const r = await okJson<{ removed: string; grants_withdrawn: string[] }>(fresh.url, [
      'group',
      'remove',
      'short-lived',
    ]);
    assert.deepEqual(r.grants_withdrawn, [col]);
    const cols = await okJson<{ collections: { id: string; grants: { group: string }[] }[] }>(fresh.url, [
      'collection',
      'list',
      API_ROOT,
    ]);
    assert.deepEqual(
      cols.collections.find((c) => c.id === col)?.grants.map((g) => g.group),
      ['analysts'],
    );
    assert.equal(await statusWith(basic('alice', SECRET)), 200, 'access through the other group stays');
    await fails(fresh.url, ['group', 'remove', 'short-lived'], 1, /does not exist/);
  });

  it('audit lists TAXII requests, refused logins and CLI changes; filters by member, collection, since', async function () {
    assert.equal(await statusWith(basic('alice', SECRET)), 200);
    assert.equal(await statusWith(basic('alice', 'not-her-secret')), 401);
    // The hub writes its records in batches (at most a second behind).
    await new Promise((r) => setTimeout(r, 1500));
    const all = await okJson<AuditJson>(fresh.url, ['audit']);
    const kinds = new Set(all.records.map((r) => `${r.kind} ${r.endpoint}`));
    for (const k of [
      'read GET objects',
      'auth GET /api1/collections/' + col + '/objects/',
      'admin tessera key create',
      'admin tessera key revoke',
      'admin tessera member disable',
      'admin tessera member remove',
      'admin tessera member cert',
      'admin tessera group remove',
    ]) {
      assert.ok(kinds.has(k), `${k} in ${[...kinds].join('; ')}`);
    }
    const cli = all.records.find((r) => r.endpoint === 'tessera member disable');
    assert.match(cli?.address ?? '', /^cli:/);
    assert.equal(cli?.status, 200);
    const failed = all.records.find((r) => r.endpoint === 'tessera key create' && r.status !== 200);
    assert.ok(failed, 'a refused command is recorded with its status');
    assert.match(failed.detail ?? '', /nobody/);
    const refused = all.records.filter((r) => r.kind === 'auth').map((r) => [r.member, r.detail]);
    assert.ok(
      refused.some((r) => r[0] === 'alice' && r[1] === 'basic: wrong secret'),
      JSON.stringify(refused),
    );
    assert.ok(
      refused.some((r) => r[0] === 'bob' && r[1] === 'basic: member disabled'),
      JSON.stringify(refused),
    );
    assert.ok(
      refused.some((r) => r[0] === 'bob' && /^bearer: API key revoked/.test(String(r[1]))),
      JSON.stringify(refused),
    );

    const mine = await okJson<AuditJson>(fresh.url, ['audit', '--member', 'alice', '--collection', col]);
    assert.ok(mine.records.length > 0);
    assert.ok(mine.records.every((r) => r.member === 'alice' && r.collection === col));
    const none = await okJson<AuditJson>(fresh.url, [
      'audit',
      '--since',
      new Date(Date.now() + 60_000).toISOString(),
    ]);
    assert.deepEqual(none.records, []);
    const one = await okJson<AuditJson>(fresh.url, ['audit', '--limit', '1']);
    assert.equal(one.records.length, 1);
    assert.equal(one.more, true);
    const text = (await ok(fresh.url, ['audit', '--member', 'alice'])).stdout;
    assert.match(text, /^audit records since .*:\ntime\tkind\tmember/);
    await fails(fresh.url, ['audit', '--since', 'yesterday-ish'], 1, /--since/);
    await fails(fresh.url, ['audit', '--limit', '0'], 1, /--limit/);
  });

  it('reading the audit trail needs no hub and changes nothing (not recorded itself)', async function () {
    const before = (await okJson<AuditJson>(fresh.url, ['audit', '--limit', '100000'])).records.length;
    const after = (await okJson<AuditJson>(fresh.url, ['audit', '--limit', '100000'])).records.length;
    assert.equal(after, before);
    const r = await tessera(fresh.url, ['audit', '--json']);
    assert.equal(r.code, 0);
  });
});
