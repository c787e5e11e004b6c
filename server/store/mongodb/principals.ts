/** Principals on MongoDB: collections members, groups and memberships (./indexes.ts). */
import type {
  CreateMemberArgs,
  GroupRecord,
  MemberRecord,
  MembershipArgs,
  PrincipalStore,
  SetMemberSecretArgs,
} from '../contract';
import { NotFoundError } from '../../errors';
import { nowMicros, type Micros } from '../../time';
import { guard, type MongoConnection } from './connection';
import { isDuplicateKey } from './errors';
import { GROUPS, MEMBERS, MEMBERSHIPS } from './indexes';
import { byString } from './sort';

interface MemberDoc {
  _id: string;
  secretHash: string;
  disabled: boolean;
  createdAt: Micros;
}

interface GroupDoc {
  _id: string;
  createdAt: Micros;
}

interface MembershipDoc {
  _id: string;
  g: string;
  m: string;
}

export class MongoPrincipalStore implements PrincipalStore {
  constructor(private readonly conn: MongoConnection) {}

  private get members() {
    return this.conn.collection<MemberDoc>(MEMBERS);
  }

  private get groups() {
    return this.conn.collection<GroupDoc>(GROUPS);
  }

  private get memberships() {
    return this.conn.collection<MembershipDoc>(MEMBERSHIPS);
  }

  // ---------------------------------------------------------------- members and groups

  async createMember(args: CreateMemberArgs): Promise<MemberRecord> {
    return guard(`member ${args.name}`, async () => {
      const doc: MemberDoc = {
        _id: args.name,
        secretHash: args.secretHash,
        disabled: false,
        createdAt: nowMicros(),
      };
      await this.members.insertOne(doc);
      return {
        name: doc._id,
        secretHash: doc.secretHash,
        disabled: false,
        createdAt: doc.createdAt,
        groups: [],
      };
    });
  }

  async setMemberSecret(args: SetMemberSecretArgs): Promise<void> {
    return guard(`member ${args.name}`, async () => {
      const r = await this.members.updateOne({ _id: args.name }, { $set: { secretHash: args.secretHash } });
      if (r.matchedCount === 0) throw new NotFoundError(`member ${args.name} does not exist`);
    });
  }

  async getMember(name: string): Promise<MemberRecord | null> {
    return guard('get member', async () => {
      const d = await this.members.findOne({ _id: name });
      if (!d) return null;
      const groups = (await this.memberships.find({ m: name }).toArray()).map((m) => m.g).sort();
      return {
        name: d._id,
        secretHash: d.secretHash,
        disabled: d.disabled === true,
        createdAt: d.createdAt,
        groups,
      };
    });
  }

  async listMembers(): Promise<MemberRecord[]> {
    return guard('list members', async () => {
      const [docs, links] = await Promise.all([
        this.members.find({}).toArray(),
        this.memberships.find({}).toArray(),
      ]);
      const groupsOf = new Map<string, string[]>();
      for (const l of links) groupsOf.set(l.m, [...(groupsOf.get(l.m) ?? []), l.g]);
      return docs
        .map((d) => ({
          name: d._id,
          secretHash: d.secretHash,
          disabled: d.disabled === true,
          createdAt: d.createdAt,
          groups: (groupsOf.get(d._id) ?? []).sort(),
        }))
        .sort(byString((m) => m.name));
    });
  }

  async createGroup(name: string): Promise<GroupRecord> {
    return guard(`group ${name}`, async () => {
      const createdAt = nowMicros();
      await this.groups.insertOne({ _id: name, createdAt });
      return { name, createdAt, members: [] };
    });
  }

  async listGroups(): Promise<GroupRecord[]> {
    return guard('list groups', async () => {
      const [docs, links] = await Promise.all([
        this.groups.find({}).toArray(),
        this.memberships.find({}).toArray(),
      ]);
      const membersOf = new Map<string, string[]>();
      for (const l of links) membersOf.set(l.g, [...(membersOf.get(l.g) ?? []), l.m]);
      return docs
        .map((d) => ({ name: d._id, createdAt: d.createdAt, members: (membersOf.get(d._id) ?? []).sort() }))
        .sort(byString((g) => g.name));
    });
  }

  async joinGroup(args: MembershipArgs): Promise<void> {
    return guard(`join ${args.member} to ${args.group}`, async () => {
      if (!(await this.groups.findOne({ _id: args.group }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`group ${args.group} does not exist`);
      }
      if (!(await this.members.findOne({ _id: args.member }, { projection: { _id: 1 } }))) {
        throw new NotFoundError(`member ${args.member} does not exist`);
      }
      try {
        await this.memberships.insertOne({
          _id: JSON.stringify([args.group, args.member]),
          g: args.group,
          m: args.member,
        });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e; // already a member
      }
    });
  }

  async leaveGroup(args: MembershipArgs): Promise<void> {
    return guard(`remove ${args.member} from ${args.group}`, async () => {
      await this.memberships.deleteOne({ _id: JSON.stringify([args.group, args.member]) });
    });
  }
}
