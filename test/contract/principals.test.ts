import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from '../../server/errors';
import { assertMicros, nth, rejectsWith, suite, uniq, useStores } from './fixture';

describe(suite('members and trust groups'), function () {
  const stores = useStores();

  it('createMember returns an enabled member without groups; getMember reads it back', async function () {
    const name = uniq('member');
    const created = await stores().principals.createMember({ name, secretHash: 'hash-a' });
    assert.equal(created.name, name);
    assert.equal(created.secretHash, 'hash-a');
    assert.equal(created.disabled, false);
    assert.deepEqual(created.groups, []);
    assertMicros(created.createdAt, 'createdAt');
    assert.deepEqual(await stores().principals.getMember(name), created);
  });

  it('getMember of an unknown name is null', async function () {
    assert.equal(await stores().principals.getMember(uniq('nobody')), null);
  });

  it('a duplicate member name is a ConflictError', async function () {
    const name = uniq('member');
    await stores().principals.createMember({ name, secretHash: 'original' });
    await assert.rejects(stores().principals.createMember({ name, secretHash: 'other' }), ConflictError);
    assert.equal((await stores().principals.getMember(name))?.secretHash, 'original');
  });

  it('setMemberSecret replaces the secret hash only', async function () {
    const name = uniq('member');
    const created = await stores().principals.createMember({ name, secretHash: 'old' });
    await stores().principals.setMemberSecret({ name, secretHash: 'new' });
    assert.deepEqual(await stores().principals.getMember(name), { ...created, secretHash: 'new' });
    const ghost = uniq('ghost');
    await rejectsWith(
      stores().principals.setMemberSecret({ name: ghost, secretHash: 'new' }),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
    assert.equal(await stores().principals.getMember(ghost), null);
  });

  it('listMembers lists every member with its groups', async function () {
    const a = uniq('member');
    const b = uniq('member');
    const group = uniq('group');
    await stores().principals.createMember({ name: a, secretHash: 'ha' });
    await stores().principals.createMember({ name: b, secretHash: 'hb' });
    await stores().principals.createGroup(group);
    await stores().principals.joinGroup({ group, member: b });
    const listed = await stores().principals.listMembers();
    assert.deepEqual(listed.find((m) => m.name === a)?.groups, []);
    assert.deepEqual(listed.find((m) => m.name === b)?.groups, [group]);
    assert.equal(listed.find((m) => m.name === b)?.secretHash, 'hb');
    assert.equal(new Set(listed.map((m) => m.name)).size, listed.length, 'no member listed twice');
  });

  it('createGroup returns an empty group; a duplicate group is a ConflictError', async function () {
    const name = uniq('group');
    const created = await stores().principals.createGroup(name);
    assert.equal(created.name, name);
    assert.deepEqual(created.members, []);
    assertMicros(created.createdAt, 'createdAt');
    await assert.rejects(stores().principals.createGroup(name), ConflictError);
    const listed = (await stores().principals.listGroups()).filter((g) => g.name === name);
    assert.deepEqual(listed, [created]);
  });

  it('joinGroup: groups on the member and members on the group are sorted', async function () {
    const suffix = uniq('x');
    const groups = [`zulu-${suffix}`, `alpha-${suffix}`, `mike-${suffix}`];
    const members = [`yankee-${suffix}`, `bravo-${suffix}`, `lima-${suffix}`];
    for (const g of groups) await stores().principals.createGroup(g);
    for (const m of members) await stores().principals.createMember({ name: m, secretHash: 'h' });
    for (const g of groups)
      for (const m of members) await stores().principals.joinGroup({ group: g, member: m });
    for (const m of members)
      assert.deepEqual((await stores().principals.getMember(m))?.groups, [...groups].sort());
    const listed = await stores().principals.listGroups();
    for (const g of groups) assert.deepEqual(listed.find((r) => r.name === g)?.members, [...members].sort());
    const fromList = (await stores().principals.listMembers()).find((r) => r.name === nth(members, 0));
    assert.deepEqual(fromList?.groups, [...groups].sort());
  });

  it('leaveGroup removes the membership from both sides', async function () {
    const [g1, g2] = [uniq('group'), uniq('group')];
    const [m1, m2] = [uniq('member'), uniq('member')];
    await stores().principals.createGroup(g1);
    await stores().principals.createGroup(g2);
    await stores().principals.createMember({ name: m1, secretHash: 'h' });
    await stores().principals.createMember({ name: m2, secretHash: 'h' });
    await stores().principals.joinGroup({ group: g1, member: m1 });
    await stores().principals.joinGroup({ group: g2, member: m1 });
    await stores().principals.joinGroup({ group: g1, member: m2 });
    await stores().principals.leaveGroup({ group: g1, member: m1 });
    assert.deepEqual((await stores().principals.getMember(m1))?.groups, [g2]);
    assert.deepEqual((await stores().principals.getMember(m2))?.groups, [g1]);
    const listed = await stores().principals.listGroups();
    assert.deepEqual(listed.find((g) => g.name === g1)?.members, [m2]);
    assert.deepEqual(listed.find((g) => g.name === g2)?.members, [m1]);
  });

  it('joinGroup of an unknown member or group is a NotFoundError', async function () {
    const group = uniq('group');
    const member = uniq('member');
    const ghost = uniq('ghost');
    await stores().principals.createGroup(group);
    await stores().principals.createMember({ name: member, secretHash: 'h' });
    await rejectsWith(
      stores().principals.joinGroup({ group, member: ghost }),
      NotFoundError,
      `member ${ghost} does not exist`,
    );
    await rejectsWith(
      stores().principals.joinGroup({ group: ghost, member }),
      NotFoundError,
      `group ${ghost} does not exist`,
    );
    assert.deepEqual((await stores().principals.getMember(member))?.groups, []);
    assert.deepEqual((await stores().principals.listGroups()).find((g) => g.name === group)?.members, []);
  });

  it('joining a group twice keeps one membership', async function () {
    const member = uniq('member');
    const group = uniq('group');
    await stores().principals.createMember({ name: member, secretHash: 'h' });
    await stores().principals.createGroup(group);
    await stores().principals.joinGroup({ group, member });
    await stores().principals.joinGroup({ group, member });
    assert.deepEqual((await stores().principals.getMember(member))?.groups, [group]);
    // Leaving removes that membership and no other.
    const pairs = async () =>
      (await stores().principals.listGroups()).flatMap((g) => g.members.map((m) => `${g.name}/${m}`));
    const before = await pairs();
    await stores().principals.leaveGroup({ group, member });
    assert.deepEqual(
      await pairs(),
      before.filter((x) => x !== `${group}/${member}`),
    );
    await stores().principals.joinGroup({ group, member });
    assert.deepEqual((await stores().principals.listGroups()).find((g) => g.name === group)?.members, [
      member,
    ]);
  });

  it('listMembers and listGroups are ordered by name (code units), whatever the creation order', async function () {
    const suffix = uniq('o');
    const names = [`m-${suffix}-b`, `M-${suffix}-c`, `m-${suffix}-a`];
    for (const name of names) {
      await stores().principals.createMember({ name, secretHash: 'h' });
      await stores().principals.createGroup(name);
    }
    const sorted = [...names].sort();
    const members = (await stores().principals.listMembers()).map((m) => m.name);
    const groups = (await stores().principals.listGroups()).map((g) => g.name);
    assert.deepEqual(
      members.filter((n) => names.includes(n)),
      sorted,
    );
    assert.deepEqual(
      groups.filter((n) => names.includes(n)),
      sorted,
    );
    assert.deepEqual(members, [...members].sort(), 'the whole list is ordered');
    assert.deepEqual(groups, [...groups].sort(), 'the whole list is ordered');
  });
});
