import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from '../../server/errors';
import { assertMicros, nth, suite, uniq, useStore } from './fixture';

describe(suite('members and trust groups'), function () {
  const store = useStore();

  it('createMember returns an enabled member without groups; getMember reads it back', async function () {
    const name = uniq('member');
    const created = await store().createMember({ name, secretHash: 'hash-a' });
    assert.equal(created.name, name);
    assert.equal(created.secretHash, 'hash-a');
    assert.equal(created.disabled, false);
    assert.deepEqual(created.groups, []);
    assertMicros(created.createdAt, 'createdAt');
    assert.deepEqual(await store().getMember(name), created);
  });

  it('getMember of an unknown name is null', async function () {
    assert.equal(await store().getMember(uniq('nobody')), null);
  });

  it('a duplicate member name is a ConflictError', async function () {
    const name = uniq('member');
    await store().createMember({ name, secretHash: 'original' });
    await assert.rejects(store().createMember({ name, secretHash: 'other' }), ConflictError);
    assert.equal((await store().getMember(name))?.secretHash, 'original');
  });

  it('setMemberSecret replaces the secret hash only', async function () {
    const name = uniq('member');
    const created = await store().createMember({ name, secretHash: 'old' });
    await store().setMemberSecret({ name, secretHash: 'new' });
    assert.deepEqual(await store().getMember(name), { ...created, secretHash: 'new' });
  });

  it('listMembers lists every member with its groups', async function () {
    const a = uniq('member');
    const b = uniq('member');
    const group = uniq('group');
    await store().createMember({ name: a, secretHash: 'ha' });
    await store().createMember({ name: b, secretHash: 'hb' });
    await store().createGroup(group);
    await store().joinGroup({ group, member: b });
    const listed = await store().listMembers();
    assert.deepEqual(listed.find((m) => m.name === a)?.groups, []);
    assert.deepEqual(listed.find((m) => m.name === b)?.groups, [group]);
    assert.equal(listed.find((m) => m.name === b)?.secretHash, 'hb');
    assert.equal(new Set(listed.map((m) => m.name)).size, listed.length, 'no member listed twice');
  });

  it('createGroup returns an empty group; a duplicate group is a ConflictError', async function () {
    const name = uniq('group');
    const created = await store().createGroup(name);
    assert.equal(created.name, name);
    assert.deepEqual(created.members, []);
    assertMicros(created.createdAt, 'createdAt');
    await assert.rejects(store().createGroup(name), ConflictError);
    const listed = (await store().listGroups()).filter((g) => g.name === name);
    assert.deepEqual(listed, [created]);
  });

  it('joinGroup: groups on the member and members on the group are sorted', async function () {
    const suffix = uniq('x');
    const groups = [`zulu-${suffix}`, `alpha-${suffix}`, `mike-${suffix}`];
    const members = [`yankee-${suffix}`, `bravo-${suffix}`, `lima-${suffix}`];
    for (const g of groups) await store().createGroup(g);
    for (const m of members) await store().createMember({ name: m, secretHash: 'h' });
    for (const g of groups) for (const m of members) await store().joinGroup({ group: g, member: m });
    for (const m of members) assert.deepEqual((await store().getMember(m))?.groups, [...groups].sort());
    const listed = await store().listGroups();
    for (const g of groups) assert.deepEqual(listed.find((r) => r.name === g)?.members, [...members].sort());
    const fromList = (await store().listMembers()).find((r) => r.name === nth(members, 0));
    assert.deepEqual(fromList?.groups, [...groups].sort());
  });

  it('leaveGroup removes the membership from both sides', async function () {
    const [g1, g2] = [uniq('group'), uniq('group')];
    const [m1, m2] = [uniq('member'), uniq('member')];
    await store().createGroup(g1);
    await store().createGroup(g2);
    await store().createMember({ name: m1, secretHash: 'h' });
    await store().createMember({ name: m2, secretHash: 'h' });
    await store().joinGroup({ group: g1, member: m1 });
    await store().joinGroup({ group: g2, member: m1 });
    await store().joinGroup({ group: g1, member: m2 });
    await store().leaveGroup({ group: g1, member: m1 });
    assert.deepEqual((await store().getMember(m1))?.groups, [g2]);
    assert.deepEqual((await store().getMember(m2))?.groups, [g1]);
    const listed = await store().listGroups();
    assert.deepEqual(listed.find((g) => g.name === g1)?.members, [m2]);
    assert.deepEqual(listed.find((g) => g.name === g2)?.members, [m1]);
  });

  it('joinGroup of an unknown member is a NotFoundError', async function () {
    const group = uniq('group');
    await store().createGroup(group);
    await assert.rejects(store().joinGroup({ group, member: uniq('ghost') }), NotFoundError);
    assert.deepEqual((await store().listGroups()).find((g) => g.name === group)?.members, []);
  });
});
