/** Principals: the members who authenticate, and the trust groups they belong to. */
import type { Micros } from './shared';

export interface MemberRecord {
  name: string;
  /** Encoded slow hash of the member's secret (see server/access/secrets.ts); never the secret. */
  secretHash: string;
  disabled: boolean;
  createdAt: Micros;
  /** Trust groups the member belongs to, sorted. */
  groups: string[];
}

export interface GroupRecord {
  name: string;
  createdAt: Micros;
  /** Member names, sorted. */
  members: string[];
}

export interface CreateMemberArgs {
  name: string;
  secretHash: string;
}

export interface SetMemberSecretArgs {
  name: string;
  secretHash: string;
}

export interface MembershipArgs {
  group: string;
  member: string;
}

export interface PrincipalStore {
  // Members
  createMember(args: CreateMemberArgs): Promise<MemberRecord>;
  setMemberSecret(args: SetMemberSecretArgs): Promise<void>;
  getMember(name: string): Promise<MemberRecord | null>;
  listMembers(): Promise<MemberRecord[]>;

  // Trust groups
  createGroup(name: string): Promise<GroupRecord>;
  listGroups(): Promise<GroupRecord[]>;
  joinGroup(args: MembershipArgs): Promise<void>;
  leaveGroup(args: MembershipArgs): Promise<void>;
}
