/**
 * Principals beyond the secret: API keys, client-certificate bindings, and the member life cycle
 * (disable, enable, remove — with the removed name reserved — and group removal).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { CreateApiKeyArgs } from '../../server/store/contract';
import { ConflictError, NotFoundError } from '../../server/errors';
import { assertMicros, rejectsWith, suite, uniq, useStores } from './fixture';

const keyId = () => randomBytes(8).toString('hex');
const fingerprint = () => randomBytes(32).toString('hex');

describe(suite('API keys'), function () {
  const stores = useStores();
  let member: string;
  before(async function () {
    member = uniq('member');
    await stores().principals.createMember({ name: member, secretHash: 'h' });
  });

  function keyArgs(extra: Partial<CreateApiKeyArgs> = {}): CreateApiKeyArgs {
    return {
      id: keyId(),
      member,
      name: 'sentinel-prod',
      hash: `sha256$${keyId()}`,
      expiresAt: null,
      ...extra,
    };
  }

  it('createApiKey stores the record, getApiKey reads it back exactly', async function () {
    const args = keyArgs({ expiresAt: Date.UTC(2031, 0, 1) * 1000 + 7 });
    const created = await stores().principals.createApiKey(args);
    assert.deepEqual({ ...created, createdAt: 0 }, { ...args, createdAt: 0, revokedAt: null });
    assertMicros(created.createdAt, 'createdAt');
    assert.deepEqual(await stores().principals.getApiKey(args.id), created);
    const unnamed = await stores().principals.createApiKey(keyArgs({ name: null }));
    assert.equal((await stores().principals.getApiKey(unnamed.id))?.name, null);
    assert.equal((await stores().principals.getApiKey(unnamed.id))?.expiresAt, null);
  });

  it('an unknown key id is null; a key for an unknown member is a NotFoundError; a reused id a ConflictError', async function () {
    assert.equal(await stores().principals.getApiKey(keyId()), null);
    const ghost = uniq('ghost');
    await rejectsWith(
      stores().principals.createApiKey(keyArgs({ member: ghost })),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
    const args = keyArgs();
    await stores().principals.createApiKey(args);
    await assert.rejects(stores().principals.createApiKey({ ...args, hash: 'other' }), ConflictError);
    assert.equal((await stores().principals.getApiKey(args.id))?.hash, args.hash);
  });

  it('revokeApiKey sets revokedAt once; an unknown id is a NotFoundError', async function () {
    const k = await stores().principals.createApiKey(keyArgs());
    const at = Date.UTC(2026, 1, 2) * 1000 + 3;
    const revoked = await stores().principals.revokeApiKey({ id: k.id, at });
    assert.deepEqual(revoked, { ...k, revokedAt: at });
    const again = await stores().principals.revokeApiKey({ id: k.id, at: at + 1_000_000 });
    assert.equal(again.revokedAt, at, 'the first revocation time stays');
    assert.deepEqual(await stores().principals.getApiKey(k.id), revoked);
    const unknown = keyId();
    await rejectsWith(
      stores().principals.revokeApiKey({ id: unknown, at }),
      NotFoundError,
      `API key ${unknown} does not exist`,
    );
  });

  it('listApiKeys: all members ordered by member then creation, or one member', async function () {
    const a = `a-${uniq('m')}`;
    const z = `z-${uniq('m')}`;
    for (const m of [z, a]) await stores().principals.createMember({ name: m, secretHash: 'h' });
    const z1 = await stores().principals.createApiKey(keyArgs({ member: z }));
    const a1 = await stores().principals.createApiKey(keyArgs({ member: a }));
    const z2 = await stores().principals.createApiKey(keyArgs({ member: z }));
    const all = (await stores().principals.listApiKeys({})).filter((k) => k.member === a || k.member === z);
    assert.deepEqual(
      all.map((k) => k.id),
      [
        a1.id,
        ...[z1, z2].sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1)).map((k) => k.id),
      ],
    );
    assert.deepEqual(
      (await stores().principals.listApiKeys({ member: a })).map((k) => k.id),
      [a1.id],
    );
    assert.deepEqual(await stores().principals.listApiKeys({ member: uniq('nobody') }), []);
  });
});

describe(suite('client certificates'), function () {
  const stores = useStores();

  it('bindCertificate, getCertificate, listCertificates, unbindCertificate', async function () {
    const m = uniq('member');
    await stores().principals.createMember({ name: m, secretHash: 'h' });
    const fp1 = fingerprint();
    const fp2 = fingerprint();
    const c1 = await stores().principals.bindCertificate({ fingerprint: fp1, member: m, subject: 'CN=soc' });
    assertMicros(c1.createdAt, 'createdAt');
    assert.deepEqual(await stores().principals.getCertificate(fp1), c1);
    const c2 = await stores().principals.bindCertificate({ fingerprint: fp2, member: m, subject: null });
    assert.deepEqual(
      await stores().principals.listCertificates({ member: m }),
      [c1, c2].sort((x, y) => (x.fingerprint < y.fingerprint ? -1 : 1)),
    );
    assert.ok((await stores().principals.listCertificates({})).some((c) => c.fingerprint === fp2));
    assert.equal(await stores().principals.unbindCertificate(fp1), true);
    assert.equal(await stores().principals.unbindCertificate(fp1), false);
    assert.equal(await stores().principals.getCertificate(fp1), null);
    assert.deepEqual(await stores().principals.listCertificates({ member: m }), [c2]);
  });

  it('a fingerprint binds to one member only; an unknown member is a NotFoundError', async function () {
    const [m1, m2] = [uniq('member'), uniq('member')];
    for (const m of [m1, m2]) await stores().principals.createMember({ name: m, secretHash: 'h' });
    const fp = fingerprint();
    await stores().principals.bindCertificate({ fingerprint: fp, member: m1, subject: null });
    await assert.rejects(
      stores().principals.bindCertificate({ fingerprint: fp, member: m2, subject: null }),
      ConflictError,
    );
    assert.equal((await stores().principals.getCertificate(fp))?.member, m1);
    const ghost = uniq('ghost');
    await rejectsWith(
      stores().principals.bindCertificate({ fingerprint: fingerprint(), member: ghost, subject: null }),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
  });
});

describe(suite('member and group life cycle'), function () {
  const stores = useStores();

  it('setMemberDisabled disables and enables; an unknown member is a NotFoundError', async function () {
    const m = uniq('member');
    const created = await stores().principals.createMember({ name: m, secretHash: 'h' });
    await stores().principals.setMemberDisabled({ name: m, disabled: true });
    assert.deepEqual(await stores().principals.getMember(m), { ...created, disabled: true });
    assert.equal((await stores().principals.listMembers()).find((x) => x.name === m)?.disabled, true);
    await stores().principals.setMemberDisabled({ name: m, disabled: false });
    assert.deepEqual(await stores().principals.getMember(m), created);
    const ghost = uniq('ghost');
    await rejectsWith(
      stores().principals.setMemberDisabled({ name: ghost, disabled: true }),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
  });

  it('removeMember deletes the member, its memberships, keys and certificates, and reserves the name', async function () {
    const m = uniq('member');
    const other = uniq('member');
    const g = uniq('group');
    await stores().principals.createGroup(g);
    for (const x of [m, other]) {
      await stores().principals.createMember({ name: x, secretHash: 'h' });
      await stores().principals.joinGroup({ group: g, member: x });
    }
    const k = await stores().principals.createApiKey({
      id: keyId(),
      member: m,
      name: null,
      hash: 'x',
      expiresAt: null,
    });
    const keep = await stores().principals.createApiKey({
      id: keyId(),
      member: other,
      name: null,
      hash: 'y',
      expiresAt: null,
    });
    const fp = fingerprint();
    await stores().principals.bindCertificate({ fingerprint: fp, member: m, subject: null });
    await stores().principals.bindCertificate({ fingerprint: fingerprint(), member: other, subject: null });
    const names = async () => (await stores().principals.listMembers()).map((x) => x.name);
    const prints = async () => (await stores().principals.listCertificates({})).map((c) => c.fingerprint);
    const [namesBefore, printsBefore] = [await names(), await prints()];

    await stores().principals.removeMember(m);
    // Nothing of anyone else is touched.
    assert.deepEqual(
      await names(),
      namesBefore.filter((x) => x !== m),
    );
    assert.deepEqual(
      await prints(),
      printsBefore.filter((x) => x !== fp),
    );
    assert.equal(await stores().principals.getMember(m), null);
    assert.ok(!(await stores().principals.listMembers()).some((x) => x.name === m));
    assert.deepEqual((await stores().principals.listGroups()).find((x) => x.name === g)?.members, [other]);
    assert.equal(await stores().principals.getApiKey(k.id), null);
    assert.deepEqual(await stores().principals.listApiKeys({ member: m }), []);
    assert.deepEqual(await stores().principals.getApiKey(keep.id), keep, "another member's key stays");
    assert.equal(await stores().principals.getCertificate(fp), null);

    // The name stays reserved: nobody inherits what the removed member published.
    await rejectsWith(
      stores().principals.createMember({ name: m, secretHash: 'new' }),
      ConflictError,
      `member ${m}: the name belonged to a removed member and stays reserved`,
    );
    assert.equal(await stores().principals.getMember(m), null);
    await rejectsWith(stores().principals.removeMember(m), NotFoundError, `member ${m} does not exist`);
    const ghost = uniq('ghost');
    await rejectsWith(
      stores().principals.removeMember(ghost),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
  });

  it('removeGroup deletes the group and its memberships; members stay; the name can be used again', async function () {
    const g = uniq('group');
    const keep = uniq('group');
    const m = uniq('member');
    await stores().principals.createGroup(g);
    await stores().principals.createGroup(keep);
    await stores().principals.createMember({ name: m, secretHash: 'h' });
    await stores().principals.joinGroup({ group: g, member: m });
    await stores().principals.joinGroup({ group: keep, member: m });
    const groupsBefore = (await stores().principals.listGroups()).map((x) => x.name);
    await stores().principals.removeGroup(g);
    assert.deepEqual(
      (await stores().principals.listGroups()).map((x) => x.name),
      groupsBefore.filter((x) => x !== g),
      'no other group is touched',
    );
    assert.deepEqual((await stores().principals.getMember(m))?.groups, [keep]);
    await rejectsWith(stores().principals.removeGroup(g), NotFoundError, `group ${g} does not exist`);
    const again = await stores().principals.createGroup(g);
    assert.deepEqual(again.members, [], 'a new group of the same name starts empty');
  });
});
