import type { Insertable } from 'kysely';
import type { AuditEventInsert, AuditEventRow, AuditFilter } from './audit-repo.js';
import type { CompanyFilter, CompanyMemberRow, CompanyRow, CompanyWithMembers, MembershipView } from './companies-repo.js';
import type { LockSchedule, LoginFailureRow, RecordedFailure } from './login-failures-repo.js';
import type { RefreshTokenRow } from './refresh-tokens-repo.js';
import type { LiveRotated, LiveRotation } from './live-rotation-repo.js';
import type { MfaDeviceRow, MfaFactorCounts, MfaTotpRow, WebauthnCredentialRow } from './mfa-repo.js';
import type { RefreshVerdict } from './refresh-verdict.js';
import type { SecondStepArgs, SecondStepStart } from './second-step-repo.js';
import type { SessionOpening } from './session-opening-repo.js';
import type { RefreshTokensTable, SessionsTable, SigningKeysTable } from './schema.js';
import type { FencedSession, LiveSessionFilter, LiveSessionWithUser, SessionContext, SessionRow } from './sessions-repo.js';
import type { SigningKeyRow } from './signing-keys-repo.js';
import type { UserFilter, UserPageQuery, UserRow } from './users-repo.js';
import type { WhoAmI } from './who-am-i-repo.js';

// The store's seam, declared: every method the services may call, by table, named for its
// purpose. Each repository file implements its part (store.ts checks it against these at
// compile time); a method a repository adds is unreachable until it is declared here.

/** The accounts (`users` table). */
export interface UsersRepo {
  createUser(input: { account: string; name: string; passwordHash: string; isAdmin: boolean; now: number }): Promise<UserRow>;
  findUserByAccount(account: string): Promise<UserRow | undefined>;
  findUserById(id: number): Promise<UserRow | undefined>;
  countUsers(): Promise<number>;
  /** A page of users matching the filter, sorted (default: by id, ascending). */
  listUsers(page: UserPageQuery): Promise<UserRow[]>;
  /** How many users match the filter (the `total` beside a page). */
  countUsersMatching(filter: UserFilter): Promise<number>;
  setUserName(id: number, name: string, now: number): Promise<boolean>;
  setUserStatus(id: number, status: 'active' | 'disabled', now: number): Promise<boolean>;
  /** Password hashes of up to `limit` users picked at random (the dummy hash imitates their parameters). */
  sampleUserPasswordHashes(limit: number): Promise<string[]>;
  setPasswordHash(id: number, passwordHash: string, now: number): Promise<boolean>;
}

/** Companies and memberships. */
export interface CompaniesRepo {
  createCompany(input: { name: string; now: number }): Promise<CompanyRow>;
  findCompany(id: number): Promise<CompanyRow | undefined>;
  /** A page of companies matching the filter, by id, each with its number of members. */
  listCompaniesPage(
    page: CompanyFilter & {
      limit: number;
      offset: number;
    },
  ): Promise<CompanyWithMembers[]>;
  /** How many companies match the filter. */
  countCompanies(filter: CompanyFilter): Promise<number>;
  /** Renames and/or enables/disables a company; the updated row, or undefined when there is none. */
  updateCompany(
    id: number,
    change: {
      name?: string;
      status?: 'active' | 'disabled';
    },
  ): Promise<CompanyRow | undefined>;
  /** A page of a company's members, by user id. */
  listCompanyMembers(
    companyId: number,
    page: {
      limit: number;
      offset: number;
    },
  ): Promise<CompanyMemberRow[]>;
  countCompanyMembers(companyId: number): Promise<number>;
  /** Adds a membership, or replaces its roles when it exists. */
  upsertMembership(input: { userId: number; companyId: number; roles: string[]; isDefault: boolean; now: number }): Promise<void>;
  removeMembership(userId: number, companyId: number): Promise<boolean>;
  /** Roles of a user in an active company, or undefined when not a member (or the company is disabled). */
  findMembershipRoles(userId: number, companyId: number): Promise<string[] | undefined>;
  listMemberships(userId: number): Promise<MembershipView[]>;
}

/** Sessions: opening, reading, and the changes `SessionChanges` and the company switch make. */
export interface SessionsRepo {
  createSession(row: Insertable<SessionsTable>): Promise<void>;
  findSession(id: string): Promise<SessionRow | undefined>;
  touchSession(id: string, now: number): Promise<void>;
  /** Moves a live session to another company and bumps its version; returns the new version. */
  switchCompany(id: string, companyId: number, now: number): Promise<number | undefined>;
  /**
   * Bumps the version of a user's live sessions in one company, so their
   * outstanding access tokens are refused (role change); returns the new versions.
   */
  bumpSessionVersions(
    filter: {
      userId: number;
      companyId: number;
    },
    now: number,
  ): Promise<
    Array<{
      id: string;
      version: number;
    }>
  >;
  /** Revokes the sessions matching the filter (every field narrows it) not revoked yet; returns their ids. */
  revokeSessions(
    filter: {
      id?: string;
      ids?: readonly string[];
      userId?: number;
      companyId?: number;
      exceptId?: string;
    },
    reason: string,
    now: number,
  ): Promise<string[]>;
  /** Live sessions of a user, newest first. */
  listLiveSessions(userId: number, now: number): Promise<SessionRow[]>;
  /** A page of live sessions across users, newest first, with their users' account and name. */
  listLiveSessionsPage(
    filter: LiveSessionFilter & {
      limit: number;
      offset: number;
    },
    now: number,
  ): Promise<LiveSessionWithUser[]>;
  /** How many live sessions match the filter. */
  countLiveSessions(filter: LiveSessionFilter, now: number): Promise<number>;
  /**
   * The session, its user's status and admin flag, and its roles in the
   * session's company, in one query: the refresh hot path reads this once
   * instead of three times.
   */
  findSessionContext(id: string): Promise<SessionContext | undefined>;
  /** Sessions revoked or re-versioned since `since` (ms): the fence's start-up load and its store poll (an indexed range read). */
  listFencedSince(since: number): Promise<FencedSession[]>;
}

/** Refresh tokens: insert, the one consuming capability, and reads. */
export interface RefreshTokensRepo {
  insertRefreshToken(row: Insertable<RefreshTokensTable>): Promise<void>;
  /**
   * Marks an unconsumed, unexpired token consumed by `successor`. Exactly one
   * of concurrent callers gets the row back: the conditional UPDATE is the
   * race's referee. `consumed_at` is taken from the consuming clock (the
   * database's on PostgreSQL), so it can differ from `now`.
   */
  consumeRefreshToken(jti: string, successor: string, now: number): Promise<RefreshTokenRow | undefined>;
  /**
   * Consumes a refresh token and judges the attempt, in one capability
   * (SPEC §2): `unused` when this caller's conditional UPDATE consumed it
   * (succeeded by `successor`, which the caller then inserts in the same
   * transaction); otherwise `in-grace`, `superseded` or `expired` from one read of
   * the token and its successor, with the elapsed time taken on the
   * consuming clock. The rotate path costs one statement, as a plain consume.
   */
  rotateRefreshToken(jti: string, successor: string, nowMs: number, graceMs: number): Promise<RefreshVerdict>;
  findRefreshToken(jti: string): Promise<RefreshTokenRow | undefined>;
  /** The session's newest unconsumed refresh token, if any. */
  findLiveRefreshToken(sessionId: string, now: number): Promise<RefreshTokenRow | undefined>;
  /** Unconsumed, unexpired tokens of a session (the tests' check that a family has one live token; no service reads it). */
  countLiveRefreshTokens(sessionId: string, now: number): Promise<number>;
}

/** Signing keys of the key ring (EdDSA). */
export interface SigningKeysRepo {
  listSigningKeys(): Promise<SigningKeyRow[]>;
  insertSigningKey(row: Insertable<SigningKeysTable>): Promise<void>;
  /** Stops every key but `kid` from signing (they stay published until retired_at + access lifetime). */
  retireOtherKeys(kid: string, now: number): Promise<void>;
  deleteKeysRetiredBefore(cutoff: number): Promise<void>;
}

/** The audit log. */
export interface AuditRepo {
  insertAuditEvent(row: AuditEventInsert): Promise<void>;
  /** Newest first, paged by `beforeId`. */
  queryAuditEvents(f: AuditFilter): Promise<AuditEventRow[]>;
  /** How many events of each of `types` happened in [since, until) (types with none are absent). */
  countAuditEventsByType(types: readonly string[], since: number, until: number): Promise<Record<string, number>>;
}

/** Failed-login counters and locks (lockout); the rules are in `login-failures-repo.ts`. */
export interface LoginFailuresRepo {
  findLoginFailures(key: string): Promise<LoginFailureRow | undefined>;
  /**
   * Reserves one attempt unless the key is locked at `now` or enough
   * attempts are already in flight to reach the threshold if all of them
   * fail: then nothing changes and the answer is false.
   */
  reserveLoginAttempt(key: string, now: number, schedule: LockSchedule): Promise<boolean>;
  /** A wrong password (or second-factor code): one more failure, and the lock it causes. */
  recordLoginFailure(key: string, now: number, schedule: LockSchedule): Promise<RecordedFailure>;
  /** A right password: the failures are forgiven and any lock lifted. */
  forgiveLoginAttempts(key: string): Promise<void>;
  /** An attempt that ends neither right nor wrong: no longer in flight; `event` written with it (one statement on PostgreSQL). */
  releaseLoginAttempt(key: string, event?: AuditEventInsert): Promise<void>;
  /** How many counters hold a lock at `now` (timed ones not yet over, and those only an admin lifts). */
  countLocksInForce(now: number): Promise<number>;
  /** Forgets the failures and the lock of a key (admin unlock, password reset). */
  clearLoginFailures(key: string): Promise<void>;
}

/** A login's session, first refresh token and audit events written together (session-opening-repo.ts). */
export interface SessionOpeningRepo {
  /** On PostgreSQL one statement; elsewhere one transaction (or the caller's). */
  openLoginSession(o: SessionOpening): Promise<void>;
}

/** The start of a login's second step: its attempt reserved and what it needs read (second-step-repo.ts). */
export interface SecondStepRepo {
  /** On PostgreSQL one statement; elsewhere the reservation, then one read. Reads even when it did not reserve. */
  startSecondStep(a: SecondStepArgs): Promise<SecondStepStart>;
}

/** The common refresh in one capability (one statement on PostgreSQL; live-rotation-repo.ts). */
export interface LiveRotationRepo {
  /**
   * Consumes an unused token of a session that admits a refresh, inserts its
   * successor and touches the session; `undefined` when the token was not
   * that (nothing changed: the caller takes `rotateRefreshToken`'s path).
   */
  rotateLiveRefreshToken(r: LiveRotation): Promise<LiveRotated | undefined>;
}

/** `/auth/me`'s read (who-am-i-repo.ts). */
export interface WhoAmIRepo {
  /** The user, the session and the user's memberships in one read; `undefined` when the user or the session is gone. */
  findWhoAmI(userId: number, sessionId: string): Promise<WhoAmI | undefined>;
}

/** Second factors: TOTP, recovery codes, remembered devices, passkeys (mfa-repo.ts). */
export interface MfaRepo {
  findTotp(userId: number): Promise<MfaTotpRow | undefined>;
  /** Starts (or restarts) a TOTP set-up: a new sealed secret, not active until confirmed. */
  putPendingTotp(userId: number, secretSealed: string, now: number): Promise<void>;
  /** Activates the pending secret; `step` is the step of the confirming code (not accepted again). */
  enableTotp(userId: number, step: number, now: number): Promise<boolean>;
  /**
   * Records that the code of `step` was accepted, only if no code of this
   * step or a later one was: one conditional UPDATE, so of two requests
   * presenting the same code exactly one wins (replay in the same step).
   */
  claimTotpStep(userId: number, step: number): Promise<boolean>;
  deleteTotp(userId: number): Promise<boolean>;
  /** Replaces the user's recovery codes with a new set (hashes). */
  replaceRecoveryCodes(userId: number, codeHashes: string[], now: number): Promise<void>;
  /** Spends one recovery code: a conditional UPDATE, so a code works once even when presented twice at once. */
  useRecoveryCode(userId: number, codeHash: string, now: number): Promise<boolean>;
  countMfaFactors(userId: number): Promise<MfaFactorCounts>;
  insertMfaDevice(row: MfaDeviceRow): Promise<void>;
  findMfaDevice(id: string): Promise<MfaDeviceRow | undefined>;
  touchMfaDevice(id: string, now: number): Promise<void>;
  listMfaDevices(userId: number, now: number): Promise<MfaDeviceRow[]>;
  /** Forgets every remembered device of a user (password change, MFA reset, "forget my devices"). */
  deleteMfaDevices(userId: number): Promise<number>;
  /** Records a new interactive authentication of a live session (`POST /auth/reauth`): its `auth_time` and `amr`. */
  setSessionAuthentication(sessionId: string, authTimeMs: number, amr: string): Promise<boolean>;
  insertWebauthnCredential(row: WebauthnCredentialRow): Promise<void>;
  findWebauthnCredential(id: string): Promise<WebauthnCredentialRow | undefined>;
  listWebauthnCredentials(userId: number): Promise<WebauthnCredentialRow[]>;
  /** Records a use: the new signature counter (only forward, so two racing uses cannot both pass one value) and the time. */
  useWebauthnCredential(id: string, counter: number, now: number): Promise<boolean>;
  deleteWebauthnCredential(userId: number, id: string): Promise<boolean>;
  /** Everything MFA of a user (admin reset): TOTP, codes, devices, passkeys. */
  deleteAllMfa(userId: number): Promise<void>;
}

/** Every repository, bound to one executor (the pool or a transaction). */
export interface BoundRepos
  extends
    UsersRepo,
    CompaniesRepo,
    SessionsRepo,
    RefreshTokensRepo,
    LiveRotationRepo,
    SessionOpeningRepo,
    WhoAmIRepo,
    SigningKeysRepo,
    AuditRepo,
    LoginFailuresRepo,
    MfaRepo,
    SecondStepRepo {}
