/** `tessera group …`: trust groups and their members (principals; removal also the registry's grants). */
import { NotFoundError } from '../../server/errors';
import { checkName, out, unique, type Handler, type Handlers } from './command';
import { presentGroup } from './output';

/**
 * `group remove`: the group's grants are withdrawn from every collection first, then the group and
 * its memberships are deleted — so an interruption never leaves a grant to a group name that a
 * later `group add` could bring back to life.
 */
const removeGroup: Handler<'principals' | 'registry'> = async ({ args, json, stores, audit }) => {
  const { principals, registry } = stores;
  const name = args.group as string;
  const group = (await principals.listGroups()).find((g) => g.name === name);
  if (!group) throw new NotFoundError(`trust group ${name} does not exist`);
  const withdrawn: string[] = [];
  for (const root of await registry.listApiRoots()) {
    for (const c of await registry.listCollections({ apiRoot: root.name, visibleTo: 'all' })) {
      if (!c.grants.some((g) => g.group === name)) continue;
      await registry.setGrants({ collectionId: c.id, grants: c.grants.filter((g) => g.group !== name) });
      withdrawn.push(c.id);
    }
  }
  await principals.removeGroup(name);
  audit.detail = `members ${group.members.join(',') || '-'}; grants withdrawn from ${withdrawn.length} collection(s)`;
  await out(
    json,
    { removed: name, members: group.members, grants_withdrawn: withdrawn },
    `removed trust group ${name} (${group.members.length} member(s) left it; its grants on ${withdrawn.length} collection(s) withdrawn)`,
  );
  return 0;
};

export const groupCommands: Handlers<'principals' | 'registry'> = {
  'group remove': removeGroup,

  'group add': async ({ args, json, stores: { principals } }) => {
    checkName('trust group', args.group as string);
    const g = await unique(`trust group ${args.group}`, () => principals.createGroup(args.group as string));
    await out(json, presentGroup(g), `created trust group ${g.name}`);
    return 0;
  },

  'group list': async ({ json, stores: { principals } }) => {
    const groups = await principals.listGroups();
    await out(
      json,
      { groups: groups.map(presentGroup) },
      groups.length === 0
        ? 'no trust groups'
        : groups
            .map((g) => `${g.name}\t${g.members.length ? g.members.join(',') : '(no members)'}`)
            .join('\n'),
    );
    return 0;
  },

  'group join': async ({ args, json, stores: { principals } }) => {
    await principals.joinGroup({ group: args.group as string, member: args.member as string });
    const g = (await principals.listGroups()).find((x) => x.name === args.group);
    if (!g) throw new NotFoundError(`trust group ${args.group} does not exist`);
    await out(json, presentGroup(g), `${args.member} is a member of ${g.name}`);
    return 0;
  },

  'group leave': async ({ args, json, stores: { principals } }) => {
    const before = (await principals.listGroups()).find((x) => x.name === args.group);
    if (!before) throw new NotFoundError(`trust group ${args.group} does not exist`);
    if (!before.members.includes(args.member as string)) {
      throw new NotFoundError(`${args.member} is not a member of ${args.group}`);
    }
    await principals.leaveGroup({ group: args.group as string, member: args.member as string });
    const g = (await principals.listGroups()).find((x) => x.name === args.group) ?? before;
    await out(json, presentGroup(g), `${args.member} left ${g.name}`);
    return 0;
  },
};
