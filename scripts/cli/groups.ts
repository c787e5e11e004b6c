/** `tessera group …`: trust groups and their members (principals). */
import { NotFoundError } from '../../server/errors';
import { checkName, out, unique, type Handlers } from './command';
import { presentGroup } from './output';

export const groupCommands: Handlers<'principals'> = {
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
