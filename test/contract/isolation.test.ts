/**
 * An operation on one record finds, changes and reports that record only, however many others the
 * store holds: each test makes its own neighbours first (a test may run alone, on an empty store).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../server/errors';
import type { Stores } from '../../server/store/contract';
import { newApiRoot, newCollection, rejectsWith, suite, uniq, useStores } from './fixture';

async function newMember(s: Stores): Promise<string> {
  const name = uniq('member');
  await s.principals.createMember({ name, secretHash: 'h' });
  return name;
}

async function newGroup(s: Stores): Promise<string> {
  const name = uniq('group');
  await s.principals.createGroup(name);
  return name;
}

describe(suite('one record among others'), function () {
  const stores = useStores();

  describe('registry', function () {
    it('listApiRoots is ordered by name (code units), whatever the creation order', async function () {
      const tag = randomUUID().slice(0, 8);
      const names = [`z-${tag}`, `B-${tag}`, `a-${tag}`, `m-${tag}`];
      for (const name of names) await stores().registry.createApiRoot({ name, title: name });
      const listed = (await stores().registry.listApiRoots())
        .map((r) => r.name)
        .filter((n) => n.endsWith(tag));
      assert.deepEqual(listed, [`B-${tag}`, `a-${tag}`, `m-${tag}`, `z-${tag}`]);
    });

    it('removeApiRoot removes an empty root while another root holds collections; an unknown one is false', async function () {
      const busy = await newApiRoot(stores());
      await newCollection(stores(), busy);
      const empty = await newApiRoot(stores());
      assert.equal(await stores().registry.removeApiRoot(empty), true);
      assert.equal(await stores().registry.getApiRoot(empty), null);
      assert.equal(await stores().registry.removeApiRoot(uniq('never')), false);
      assert.ok(await stores().registry.getApiRoot(busy));
    });

    it('createCollection under an unknown root is refused while other roots exist', async function () {
      await newApiRoot(stores());
      const ghost = uniq('root');
      await rejectsWith(newCollection(stores(), ghost), NotFoundError, `API root ${ghost} does not exist`);
    });

    it('grant and default-TLP changes apply to the named collection only, and return it', async function () {
      const root = await newApiRoot(stores());
      const first = await newCollection(stores(), root, {
        grants: [{ group: 'g1', read: true, write: false }],
      });
      const second = await newCollection(stores(), root, {
        grants: [{ group: 'g2', read: true, write: false }],
      });
      const reg = stores().registry;
      const changes = [
        () => reg.setGrants({ collectionId: second.id, grants: [{ group: 'g3', read: true, write: true }] }),
        () => reg.putGrant({ collectionId: second.id, grant: { group: 'g4', read: false, write: true } }),
        () => reg.removeGrant({ collectionId: second.id, group: 'g3' }),
        () => reg.setDefaultTlp({ collectionId: second.id, defaultTlp: 'red' }),
      ];
      for (const change of changes) assert.equal((await change()).id, second.id);
      const now = await reg.findCollection({ apiRoot: root, idOrAlias: second.id });
      assert.deepEqual(
        [now?.grants, now?.defaultTlp],
        [[{ group: 'g4', read: false, write: true, maxTlp: 'amber' }], 'red'],
      );
      assert.deepEqual(await reg.findCollection({ apiRoot: root, idOrAlias: first.id }), first);
    });
  });

  describe('principals', function () {
    it('joinGroup refuses an unknown group or member while others exist', async function () {
      const member = await newMember(stores());
      const group = await newGroup(stores());
      const ghost = uniq('ghost');
      await rejectsWith(
        stores().principals.joinGroup({ member, group: ghost }),
        NotFoundError,
        `group ${ghost} does not exist`,
      );
      await rejectsWith(
        stores().principals.joinGroup({ member: ghost, group }),
        NotFoundError,
        `member ${ghost} does not exist`,
      );
      assert.deepEqual((await stores().principals.getMember(member))?.groups, []);
    });

    it('removeGroup refuses an unknown group while others exist, and removes only the named one', async function () {
      const kept = await newGroup(stores());
      const gone = await newGroup(stores());
      const ghost = uniq('ghost');
      await rejectsWith(
        stores().principals.removeGroup(ghost),
        NotFoundError,
        `group ${ghost} does not exist`,
      );
      await stores().principals.removeGroup(gone);
      const names = (await stores().principals.listGroups()).map((g) => g.name);
      assert.ok(names.includes(kept) && !names.includes(gone), names.join(','));
    });

    it('an API key or certificate for an unknown member is refused while other members exist', async function () {
      await newMember(stores());
      const ghost = uniq('ghost');
      await rejectsWith(
        stores().principals.createApiKey({
          id: randomUUID(),
          member: ghost,
          name: null,
          hash: 'h',
          expiresAt: null,
        }),
        NotFoundError,
        `member ${ghost} does not exist`,
      );
      await rejectsWith(
        stores().principals.bindCertificate({ fingerprint: 'ab'.repeat(32), member: ghost, subject: null }),
        NotFoundError,
        `member ${ghost} does not exist`,
      );
    });

    it('removeMember disables and removes the named member only', async function () {
      const first = await newMember(stores());
      const gone = await newMember(stores());
      await stores().principals.removeMember(gone);
      assert.equal(await stores().principals.getMember(gone), null);
      assert.equal((await stores().principals.getMember(first))?.disabled, false);
    });

    it('revokeApiKey revokes and returns the named key only', async function () {
      const member = await newMember(stores());
      const args = { member, name: null, hash: 'h', expiresAt: null };
      const one = await stores().principals.createApiKey({ ...args, id: randomUUID() });
      const two = await stores().principals.createApiKey({ ...args, id: randomUUID() });
      const revoked = await stores().principals.revokeApiKey({ id: two.id, at: 5 });
      assert.deepEqual(revoked, { ...two, revokedAt: 5 });
      assert.deepEqual(await stores().principals.getApiKey(one.id), one);
    });

    it("listApiKeys and listCertificates of one member list that member's only", async function () {
      const [a, b] = [await newMember(stores()), await newMember(stores())];
      const p = stores().principals;
      for (const member of [a, b]) {
        await p.createApiKey({ id: randomUUID(), member, name: null, hash: 'h', expiresAt: null });
        await p.bindCertificate({ fingerprint: randomUUID().replace(/-/g, ''), member, subject: null });
      }
      assert.deepEqual(
        (await p.listApiKeys({ member: b })).map((k) => k.member),
        [b],
      );
      assert.deepEqual(
        (await p.listCertificates({ member: b })).map((c) => c.member),
        [b],
      );
    });
  });
});
