/**
 * Principals: the members who authenticate, the trust groups they belong to, and their credentials
 * besides the secret — API keys and client-certificate bindings.
 *
 * Removing a member deletes its memberships, keys and certificate bindings; what it published stays
 * (objects keep `addedBy`), and its name stays reserved: createMember refuses it, so no later member
 * inherits the removed one's attribution (a publisher always sees its own versions) or statuses.
 */
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

export interface SetMemberDisabledArgs {
  name: string;
  disabled: boolean;
}

/** An API key as stored: never the key itself (server/access/apikeys.ts). */
export interface ApiKeyRecord {
  /** 16 hex digits: the public part of the key, by which it is looked up, listed and revoked. */
  id: string;
  member: string;
  /** The operator's label (e.g. "sentinel-prod"), or null. */
  name: string | null;
  /** Digest of the secret part (`sha256$…`). */
  hash: string;
  createdAt: Micros;
  /** The key is refused from this instant on; null: no expiry. */
  expiresAt: Micros | null;
  /** When it was revoked (refused from then on), or null. */
  revokedAt: Micros | null;
}

export interface CreateApiKeyArgs {
  id: string;
  member: string;
  name: string | null;
  hash: string;
  expiresAt: Micros | null;
}

export interface ListApiKeysArgs {
  /** Only this member's keys (default: every member's). */
  member?: string;
}

export interface RevokeApiKeyArgs {
  id: string;
  at: Micros;
}

/** A client certificate bound to a member (server/access/certificates.ts). */
export interface CertificateRecord {
  /** SHA-256 fingerprint of the DER certificate, 64 lower-case hex digits. */
  fingerprint: string;
  member: string;
  /** The certificate's subject when bound from a PEM file (for the operator's eyes), or null. */
  subject: string | null;
  createdAt: Micros;
}

export interface BindCertificateArgs {
  fingerprint: string;
  member: string;
  subject: string | null;
}

export interface ListCertificatesArgs {
  member?: string;
}

export interface PrincipalStore {
  // Members
  createMember(args: CreateMemberArgs): Promise<MemberRecord>;
  setMemberSecret(args: SetMemberSecretArgs): Promise<void>;
  /** The member, or null (also for a removed one). */
  getMember(name: string): Promise<MemberRecord | null>;
  listMembers(): Promise<MemberRecord[]>;
  /** NotFoundError when there is no such member. */
  setMemberDisabled(args: SetMemberDisabledArgs): Promise<void>;
  /**
   * Deletes the member with its memberships, API keys and certificate bindings; the name stays
   * reserved (createMember → ConflictError). NotFoundError when there is no such member.
   */
  removeMember(name: string): Promise<void>;

  // Trust groups
  createGroup(name: string): Promise<GroupRecord>;
  listGroups(): Promise<GroupRecord[]>;
  joinGroup(args: MembershipArgs): Promise<void>;
  leaveGroup(args: MembershipArgs): Promise<void>;
  /** Deletes the group and its memberships (grants are the registry's). NotFoundError when absent. */
  removeGroup(name: string): Promise<void>;

  // API keys (listings ordered by member, then createdAt, then id)
  /** NotFoundError for an unknown member; ConflictError for an id already used. */
  createApiKey(args: CreateApiKeyArgs): Promise<ApiKeyRecord>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(args: ListApiKeysArgs): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked (a key already revoked keeps its first revokedAt). NotFoundError when absent. */
  revokeApiKey(args: RevokeApiKeyArgs): Promise<ApiKeyRecord>;

  // Client certificates (listings ordered by member, then fingerprint)
  /** NotFoundError for an unknown member; ConflictError when the fingerprint is bound already. */
  bindCertificate(args: BindCertificateArgs): Promise<CertificateRecord>;
  /** False when the fingerprint was not bound. */
  unbindCertificate(fingerprint: string): Promise<boolean>;
  getCertificate(fingerprint: string): Promise<CertificateRecord | null>;
  listCertificates(args: ListCertificatesArgs): Promise<CertificateRecord[]>;
}
