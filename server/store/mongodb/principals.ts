/**
 * Principals on MongoDB: collections members, groups, memberships, apikeys, certificates and
 * removedmembers (./indexes.ts). Without transactions, multi-document changes are ordered so that
 * an interruption leaves a safe state that repeating the operation completes (see removeMember).
 */
import type {
  ApiKeyRecord,
  BindCertificateArgs,
  CertificateRecord,
  CreateApiKeyArgs,
  CreateMemberArgs,
  GroupRecord,
  ListApiKeysArgs,
  ListCertificatesArgs,
  MemberRecord,
  MembershipArgs,
  PrincipalStore,
  RevokeApiKeyArgs,
  SetMemberDisabledArgs,
  SetMemberSecretArgs,
} from '../contract';
import { ConflictError, NotFoundError } from '../../errors';
import { nowMicros, type Micros } from '../../time';
import { guard, type MongoConnection } from './connection';
import { isDuplicateKey } from './errors';
import { API_KEYS, CERTIFICATES, GROUPS, MEMBERS, MEMBERSHIPS, REMOVED_MEMBERS } from './indexes';
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

interface ApiKeyDoc extends Omit<ApiKeyRecord, 'id'> {
  _id: string;
}

interface CertificateDoc extends Omit<CertificateRecord, 'fingerprint'> {
  _id: string;
}

interface RemovedMemberDoc {
  _id: string;
  removedAt: Micros;
}

function keyFromDoc(d: ApiKeyDoc): ApiKeyRecord {
  return {
    id: d._id,
    member: d.member,
    name: d.name ?? null,
    hash: d.hash,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt ?? null,
    revokedAt: d.revokedAt ?? null,
  };
}

function certFromDoc(d: CertificateDoc): CertificateRecord {
  return { fingerprint: d._id, member: d.member, subject: d.subject ?? null, createdAt: d.createdAt };
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

  private get apiKeys() {
    return this.conn.collection<ApiKeyDoc>(API_KEYS);
  }

  private get certificates() {
    return this.conn.collection<CertificateDoc>(CERTIFICATES);
  }

  private get removedMembers() {
    return this.conn.collection<RemovedMemberDoc>(REMOVED_MEMBERS);
  }

  private async requireMember(name: string): Promise<void> {
    if (!(await this.members.findOne({ _id: name }))) {
      throw new NotFoundError(`member ${name} does not exist`);
    }
  }

  // ---------------------------------------------------------------- members and groups

  async createMember(args: CreateMemberArgs): Promise<MemberRecord> {
    return guard(`member ${args.name}`, async () => {
      if (await this.removedMembers.findOne({ _id: args.name })) {
        throw new ConflictError(
          `member ${args.name}: the name belonged to a removed member and stays reserved`,
        );
      }
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
      if (!(await this.groups.findOne({ _id: args.group }))) {
        throw new NotFoundError(`group ${args.group} does not exist`);
      }
      if (!(await this.members.findOne({ _id: args.member }))) {
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

  async setMemberDisabled(args: SetMemberDisabledArgs): Promise<void> {
    return guard(`member ${args.name}`, async () => {
      const r = await this.members.updateOne({ _id: args.name }, { $set: { disabled: args.disabled } });
      if (r.matchedCount === 0) throw new NotFoundError(`member ${args.name} does not exist`);
    });
  }

  /**
   * In this order: disable (access ends at once), reserve the name, delete memberships, keys and
   * certificates, then the member itself. Interrupted anywhere, the member is at least disabled and
   * repeating the removal finishes it.
   */
  async removeMember(name: string): Promise<void> {
    return guard(`remove member ${name}`, async () => {
      const r = await this.members.updateOne({ _id: name }, { $set: { disabled: true } });
      if (r.matchedCount === 0) throw new NotFoundError(`member ${name} does not exist`);
      await this.removedMembers.updateOne(
        { _id: name },
        { $setOnInsert: { removedAt: nowMicros() } },
        { upsert: true },
      );
      await this.memberships.deleteMany({ m: name });
      await this.apiKeys.deleteMany({ member: name });
      await this.certificates.deleteMany({ member: name });
      await this.members.deleteOne({ _id: name });
    });
  }

  async removeGroup(name: string): Promise<void> {
    return guard(`remove group ${name}`, async () => {
      if (!(await this.groups.findOne({ _id: name }))) {
        throw new NotFoundError(`group ${name} does not exist`);
      }
      await this.memberships.deleteMany({ g: name });
      await this.groups.deleteOne({ _id: name });
    });
  }

  // ---------------------------------------------------------------- API keys

  async createApiKey(args: CreateApiKeyArgs): Promise<ApiKeyRecord> {
    return guard(`API key ${args.id}`, async () => {
      await this.requireMember(args.member);
      const rec: ApiKeyRecord = { ...args, createdAt: nowMicros(), revokedAt: null };
      const { id, ...rest } = rec;
      await this.apiKeys.insertOne({ _id: id, ...rest });
      return rec;
    });
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return guard('get API key', async () => {
      const d = await this.apiKeys.findOne({ _id: id });
      return d ? keyFromDoc(d) : null;
    });
  }

  async listApiKeys(args: ListApiKeysArgs): Promise<ApiKeyRecord[]> {
    return guard('list API keys', async () => {
      const docs = await this.apiKeys
        .find({ member: args.member }) // undefined: every member's (the client ignores undefined values)
        .toArray();
      return docs
        .map(keyFromDoc)
        .sort(
          (a, b) =>
            byString<ApiKeyRecord>((k) => k.member)(a, b) ||
            a.createdAt - b.createdAt ||
            byString<ApiKeyRecord>((k) => k.id)(a, b),
        );
    });
  }

  async revokeApiKey(args: RevokeApiKeyArgs): Promise<ApiKeyRecord> {
    return guard(`revoke API key ${args.id}`, async () => {
      await this.apiKeys.updateOne({ _id: args.id, revokedAt: null }, { $set: { revokedAt: args.at } });
      const d = await this.apiKeys.findOne({ _id: args.id });
      if (!d) throw new NotFoundError(`API key ${args.id} does not exist`);
      return keyFromDoc(d);
    });
  }

  // ---------------------------------------------------------------- client certificates

  async bindCertificate(args: BindCertificateArgs): Promise<CertificateRecord> {
    return guard(`certificate ${args.fingerprint}`, async () => {
      await this.requireMember(args.member);
      const rec: CertificateRecord = { ...args, createdAt: nowMicros() };
      await this.certificates.insertOne({
        _id: rec.fingerprint,
        member: rec.member,
        subject: rec.subject,
        createdAt: rec.createdAt,
      });
      return rec;
    });
  }

  async unbindCertificate(fingerprint: string): Promise<boolean> {
    return guard(`unbind certificate ${fingerprint}`, async () => {
      const r = await this.certificates.deleteOne({ _id: fingerprint });
      return r.deletedCount > 0;
    });
  }

  async getCertificate(fingerprint: string): Promise<CertificateRecord | null> {
    return guard('get certificate', async () => {
      const d = await this.certificates.findOne({ _id: fingerprint });
      return d ? certFromDoc(d) : null;
    });
  }

  async listCertificates(args: ListCertificatesArgs): Promise<CertificateRecord[]> {
    return guard('list certificates', async () => {
      const docs = await this.certificates
        .find({ member: args.member }) // undefined: every member's (the client ignores undefined values)
        .toArray();
      return docs
        .map(certFromDoc)
        .sort(
          (a, b) =>
            byString<CertificateRecord>((c) => c.member)(a, b) ||
            byString<CertificateRecord>((c) => c.fingerprint)(a, b),
        );
    });
  }
}
