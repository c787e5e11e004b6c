/**
 * Principals on SQLite: tables members, groups, group_members, api_keys, certificates and
 * removed_members (the reserved names of removed members) (./schema.ts).
 */

interface KeyRow {
  id: string;
  member: string;
  name: string | null;
  hash: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

interface CertRow {
  fingerprint: string;
  member: string;
  subject: string | null;
  created_at: number;
}

function keyFromRow(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    member: r.member,
    name: r.name,
    hash: r.hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

function certFromRow(r: CertRow): CertificateRecord {
  return { fingerprint: r.fingerprint, member: r.member, subject: r.subject, createdAt: r.created_at };
}
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
import { nowMicros } from '../../time';
import type { SqliteConnection } from './connection';

export class SqlitePrincipalStore implements PrincipalStore {
  constructor(private readonly db: SqliteConnection) {}

  private memberFromRow(row: { name: string; secret_hash: string; disabled: number; created_at: number }) {
    const groups = (
      this.db.stmt('SELECT grp FROM group_members WHERE member = ? ORDER BY grp').all(row.name) as {
        grp: string;
      }[]
    ).map((g) => g.grp);
    const rec: MemberRecord = {
      name: row.name,
      secretHash: row.secret_hash,
      disabled: row.disabled === 1,
      createdAt: row.created_at,
      groups,
    };
    return rec;
  }

  async createMember(args: CreateMemberArgs): Promise<MemberRecord> {
    return this.db.run(`member ${args.name}`, () => {
      if (this.db.stmt('SELECT 1 FROM removed_members WHERE name = ?').get(args.name)) {
        throw new ConflictError(
          `member ${args.name}: the name belonged to a removed member and stays reserved`,
        );
      }
      const createdAt = nowMicros();
      this.db
        .stmt('INSERT INTO members (name, secret_hash, disabled, created_at) VALUES (?, ?, 0, ?)')
        .run(args.name, args.secretHash, createdAt);
      return { name: args.name, secretHash: args.secretHash, disabled: false, createdAt, groups: [] };
    });
  }

  async setMemberSecret(args: SetMemberSecretArgs): Promise<void> {
    return this.db.run(`member ${args.name}`, () => {
      const r = this.db
        .stmt('UPDATE members SET secret_hash = ? WHERE name = ?')
        .run(args.secretHash, args.name);
      if (r.changes === 0) throw new NotFoundError(`member ${args.name} does not exist`);
    });
  }

  async getMember(name: string): Promise<MemberRecord | null> {
    return this.db.run('get member', () => {
      const row = this.db.stmt('SELECT * FROM members WHERE name = ?').get(name) as
        { name: string; secret_hash: string; disabled: number; created_at: number } | undefined;
      return row ? this.memberFromRow(row) : null;
    });
  }

  async listMembers(): Promise<MemberRecord[]> {
    return this.db.run('list members', () =>
      (
        this.db.stmt('SELECT * FROM members ORDER BY name').all() as {
          name: string;
          secret_hash: string;
          disabled: number;
          created_at: number;
        }[]
      ).map((r) => this.memberFromRow(r)),
    );
  }

  async createGroup(name: string): Promise<GroupRecord> {
    return this.db.run(`group ${name}`, () => {
      const createdAt = nowMicros();
      this.db.stmt('INSERT INTO groups (name, created_at) VALUES (?, ?)').run(name, createdAt);
      return { name, createdAt, members: [] };
    });
  }

  async listGroups(): Promise<GroupRecord[]> {
    return this.db.run('list groups', () => {
      const groups = this.db.stmt('SELECT name, created_at FROM groups ORDER BY name').all() as {
        name: string;
        created_at: number;
      }[];
      const members = this.db.stmt('SELECT member FROM group_members WHERE grp = ? ORDER BY member');
      return groups.map((g) => ({
        name: g.name,
        createdAt: g.created_at,
        members: (members.all(g.name) as { member: string }[]).map((m) => m.member),
      }));
    });
  }

  async joinGroup(args: MembershipArgs): Promise<void> {
    return this.db.run(`join ${args.member} to ${args.group}`, () => {
      if (!this.db.stmt('SELECT 1 FROM groups WHERE name = ?').get(args.group)) {
        throw new NotFoundError(`group ${args.group} does not exist`);
      }
      if (!this.db.stmt('SELECT 1 FROM members WHERE name = ?').get(args.member)) {
        throw new NotFoundError(`member ${args.member} does not exist`);
      }
      this.db
        .stmt('INSERT OR IGNORE INTO group_members (grp, member) VALUES (?, ?)')
        .run(args.group, args.member);
    });
  }

  async leaveGroup(args: MembershipArgs): Promise<void> {
    return this.db.run(`remove ${args.member} from ${args.group}`, () => {
      this.db.stmt('DELETE FROM group_members WHERE grp = ? AND member = ?').run(args.group, args.member);
    });
  }

  async setMemberDisabled(args: SetMemberDisabledArgs): Promise<void> {
    return this.db.run(`member ${args.name}`, () => {
      const r = this.db
        .stmt('UPDATE members SET disabled = ? WHERE name = ?')
        .run(args.disabled ? 1 : 0, args.name);
      if (r.changes === 0) throw new NotFoundError(`member ${args.name} does not exist`);
    });
  }

  async removeMember(name: string): Promise<void> {
    return this.db.run(`remove member ${name}`, () =>
      this.db.immediate(() => {
        if (!this.db.stmt('SELECT 1 FROM members WHERE name = ?').get(name)) {
          throw new NotFoundError(`member ${name} does not exist`);
        }
        this.db.stmt('DELETE FROM group_members WHERE member = ?').run(name);
        this.db.stmt('DELETE FROM api_keys WHERE member = ?').run(name);
        this.db.stmt('DELETE FROM certificates WHERE member = ?').run(name);
        this.db.stmt('DELETE FROM members WHERE name = ?').run(name);
        this.db
          .stmt('INSERT OR REPLACE INTO removed_members (name, removed_at) VALUES (?, ?)')
          .run(name, nowMicros());
      }),
    );
  }

  async removeGroup(name: string): Promise<void> {
    return this.db.run(`remove group ${name}`, () =>
      this.db.immediate(() => {
        if (!this.db.stmt('SELECT 1 FROM groups WHERE name = ?').get(name)) {
          throw new NotFoundError(`group ${name} does not exist`);
        }
        this.db.stmt('DELETE FROM group_members WHERE grp = ?').run(name);
        this.db.stmt('DELETE FROM groups WHERE name = ?').run(name);
      }),
    );
  }

  // ---------------------------------------------------------------- API keys

  async createApiKey(args: CreateApiKeyArgs): Promise<ApiKeyRecord> {
    return this.db.run(`API key ${args.id}`, () => {
      if (!this.db.stmt('SELECT 1 FROM members WHERE name = ?').get(args.member)) {
        throw new NotFoundError(`member ${args.member} does not exist`);
      }
      const rec: ApiKeyRecord = { ...args, createdAt: nowMicros(), revokedAt: null };
      this.db
        .stmt(
          'INSERT INTO api_keys (id, member, name, hash, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
        )
        .run(rec.id, rec.member, rec.name, rec.hash, rec.createdAt, rec.expiresAt);
      return rec;
    });
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.db.run('get API key', () => {
      const r = this.db.stmt('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
      return r ? keyFromRow(r) : null;
    });
  }

  async listApiKeys(args: ListApiKeysArgs): Promise<ApiKeyRecord[]> {
    return this.db.run('list API keys', () => {
      const rows = (
        args.member === undefined
          ? this.db.stmt('SELECT * FROM api_keys ORDER BY member, created_at, id').all()
          : this.db.stmt('SELECT * FROM api_keys WHERE member = ? ORDER BY created_at, id').all(args.member)
      ) as KeyRow[];
      return rows.map(keyFromRow);
    });
  }

  async revokeApiKey(args: RevokeApiKeyArgs): Promise<ApiKeyRecord> {
    return this.db.run(`revoke API key ${args.id}`, () => {
      this.db
        .stmt('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(args.at, args.id);
      const r = this.db.stmt('SELECT * FROM api_keys WHERE id = ?').get(args.id) as KeyRow | undefined;
      if (!r) throw new NotFoundError(`API key ${args.id} does not exist`);
      return keyFromRow(r);
    });
  }

  // ---------------------------------------------------------------- client certificates

  async bindCertificate(args: BindCertificateArgs): Promise<CertificateRecord> {
    return this.db.run(`certificate ${args.fingerprint}`, () => {
      if (!this.db.stmt('SELECT 1 FROM members WHERE name = ?').get(args.member)) {
        throw new NotFoundError(`member ${args.member} does not exist`);
      }
      const rec: CertificateRecord = { ...args, createdAt: nowMicros() };
      this.db
        .stmt('INSERT INTO certificates (fingerprint, member, subject, created_at) VALUES (?, ?, ?, ?)')
        .run(rec.fingerprint, rec.member, rec.subject, rec.createdAt);
      return rec;
    });
  }

  async unbindCertificate(fingerprint: string): Promise<boolean> {
    return this.db.run(
      `unbind certificate ${fingerprint}`,
      () => this.db.stmt('DELETE FROM certificates WHERE fingerprint = ?').run(fingerprint).changes > 0,
    );
  }

  async getCertificate(fingerprint: string): Promise<CertificateRecord | null> {
    return this.db.run('get certificate', () => {
      const r = this.db.stmt('SELECT * FROM certificates WHERE fingerprint = ?').get(fingerprint) as
        CertRow | undefined;
      return r ? certFromRow(r) : null;
    });
  }

  async listCertificates(args: ListCertificatesArgs): Promise<CertificateRecord[]> {
    return this.db.run('list certificates', () => {
      const rows = (
        args.member === undefined
          ? this.db.stmt('SELECT * FROM certificates ORDER BY member, fingerprint').all()
          : this.db.stmt('SELECT * FROM certificates WHERE member = ? ORDER BY fingerprint').all(args.member)
      ) as CertRow[];
      return rows.map(certFromRow);
    });
  }
}
