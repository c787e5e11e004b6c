/** Principals on SQLite: tables members, groups, group_members (./schema.ts). */
import type {
  CreateMemberArgs,
  GroupRecord,
  MemberRecord,
  MembershipArgs,
  PrincipalStore,
  SetMemberSecretArgs,
} from '../contract';
import { NotFoundError } from '../../errors';
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
}
