import type { Generated } from 'kysely';

/**
 * Tables of the duotoken store. Times are unix milliseconds (bigint columns on
 * PostgreSQL, read back as numbers); booleans are 0/1 integers so both
 * dialects share one representation.
 */
export interface Database {
  users: UsersTable;
  companies: CompaniesTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  login_failures: LoginFailuresTable;
}

export interface UsersTable {
  id: Generated<number>;
  account: string;
  name: string;
  password_hash: string;
  status: 'active' | 'disabled';
  is_admin: number;
  created_at: number;
  updated_at: number;
}

export interface CompaniesTable {
  id: Generated<number>;
  name: string;
  status: 'active' | 'disabled';
  created_at: number;
}

export interface MembershipsTable {
  user_id: number;
  company_id: number;
  /** JSON array of role names. */
  roles: string;
  is_default: number;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  company_id: number | null;
  /** Bumped whenever outstanding access tokens of the session must stop working. */
  version: number;
  dialect: string;
  device_type: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  /** When `version` last changed or the session was revoked: drives the in-memory fence. */
  fenced_at: number;
}

/**
 * A refresh token's record. The token string is `<jti>.<HMAC(secret, jti)>`
 * and is never stored: the row is found by `jti` only after the HMAC checks
 * out, so a dump of this table (without the server secret) yields nothing a
 * client could present.
 */
export interface RefreshTokensTable {
  jti: string;
  session_id: string;
  issued_at: number;
  expires_at: number;
  consumed_at: number | null;
  successor_jti: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** Private JWK sealed with AES-256-GCM under a key derived from the server secret. */
  private_sealed: string;
  created_at: number;
  /** When it stopped signing; it stays published until its last token expires. */
  retired_at: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  user_id: number | null;
  session_id: string | null;
  ip: string | null;
  /** JSON object, never secrets. */
  details: string;
  /**
   * The user acted upon (`subjectOf` in `audit/audit-subject.ts`); `user_id`
   * is the one who acted. Null when no user was acted upon.
   */
  subject_id: number | null;
}

export interface LoginFailuresTable {
  /** `acct:<sha256 of normalised account>` (unknown accounts too) or `ip:<address>`. */
  key: string;
  count: number;
  last_failure_at: number;
  locked_until: number;
}
