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
  store_probe: StoreProbeTable;
  mfa_totp: MfaTotpTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_devices: MfaDevicesTable;
  webauthn_credentials: WebauthnCredentialsTable;
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
  /** When `version` last changed or the session was revoked (0: never): drives the in-memory fence. */
  fenced_at: number;
  /** Unix ms of the last interactive authentication (0006; null: the session's `created_at`). */
  auth_time?: number | null;
  /** Space-separated RFC 8176 methods of that authentication (0006; null: `pwd`). */
  amr?: string | null;
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
  /** Consecutive failures since the last success or unlock. */
  count: number;
  /** Attempts reserved and not yet finished (0007): with `count`, bounds how many passwords parallel guesses get checked. */
  inflight: number;
  /** When the last attempt was reserved: past the stale window, `inflight` counts as zero (its process died). */
  inflight_at: number;
  last_failure_at: number;
  locked_until: number;
}

/** One row, rewritten by the store's write probe (readiness after a failed write). */
export interface StoreProbeTable {
  id: number;
  probed_at: number;
  /** Random text, as large as a write that must succeed before the store counts as writable. */
  payload: string;
}

/** A user's TOTP factor (0006): the secret sealed with the server secret, active once `enabled_at` is set. */
export interface MfaTotpTable {
  user_id: number;
  secret_sealed: string;
  /** Null while set up but not confirmed. */
  enabled_at: number | null;
  /** The last 30-second step whose code was accepted: a code of that step or an earlier one is a replay. */
  last_step: number;
  created_at: number;
}

/** One recovery code (0006), stored as a keyed hash; `used_at` set once it is spent. */
export interface MfaRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: number | null;
  created_at: number;
}

/** A remembered device (0006): the keyed hash of its token; it skips the second step until `expires_at`. */
export interface MfaDevicesTable {
  id: string;
  user_id: number;
  token_hash: string;
  created_at: number;
  expires_at: number;
  last_used_at: number;
}

/** A WebAuthn credential (passkey) of a user (0006); the public key as base64url COSE. */
export interface WebauthnCredentialsTable {
  /** The credential id, base64url. */
  id: string;
  user_id: number;
  public_key: string;
  counter: number;
  /** JSON array of transports. */
  transports: string;
  name: string;
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
}
