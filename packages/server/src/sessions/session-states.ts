import type { RefreshTokenState } from '../store/refresh-verdict.js';
import type { SessionRow } from '../store/sessions-repo.js';

export type { RefreshTokenState } from '../store/refresh-verdict.js';

/**
 * The session life cycle (SPEC §1, §2) as one declared table: the states of a
 * session and of a refresh token, and the transitions between them.
 *
 * The code reads it: the store classifies a presented token with
 * `refreshTokenStateOf` (store/refresh-verdict.ts), `RefreshService` does the
 * `REFRESH_STEPS` cell of that state and its session's, and every
 * revocation names a reason from `REVOCATION_REASONS` (sessions/session-changes.ts). The model test
 * (test/model/session-model.test.ts) drives the real services with random
 * interleavings and checks every state change it observes against
 * `SESSION_TRANSITIONS` and `TOKEN_TRANSITIONS`, and that each declared one
 * happens: a row nobody reaches, or a change nobody declared, fails it.
 */

/** Why sessions are revoked: the `revoke_reason` column and the `session.revoked` event's `details.reason`. A new reason is one line. */
export const REVOCATION_REASONS = {
  logout: 'the user logged out of this session',
  logout_all: 'the user logged out of every session',
  revoked_by_user: 'the user ended one of their sessions',
  password_changed: 'the user changed their password: every other session ends',
  password_reset: 'an administrator set a new password',
  user_disabled: 'the user was disabled',
  membership_removed: 'the user left the session’s company',
  company_disabled: 'the session’s company was disabled',
  revoked_by_admin: 'an administrator ended the session',
  refresh_reuse: 'a consumed refresh token was presented outside its grace (SPEC §2)',
  device_replaced: 'a login of a "one session only" device type replaced it',
  session_limit: 'a login went past the per-user session limit; the oldest ends',
  mfa_reset: 'an administrator reset the user’s second factors',
} as const;

/** A reason a session is revoked (see `REVOCATION_REASONS`). */
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** A session as its row says: `revoked` is final; `expired` (absolute lifetime) and `idle` (idle timeout) follow from the clock. */
export type SessionState = 'live' | 'revoked' | 'expired' | 'idle';

/**
 * The session's state at `nowMs`; `idleMs` 0 means no idle limit. Revoked
 * wins over the clock: a revoked session that has also expired stays revoked.
 */
export function sessionStateOf(
  session: Pick<SessionRow, 'revoked_at' | 'expires_at' | 'last_used_at'>,
  nowMs: number,
  idleMs: number,
): SessionState {
  if (session.revoked_at !== null) return 'revoked';
  if (Number(session.expires_at) <= nowMs) return 'expired';
  if (idleMs > 0 && nowMs - Number(session.last_used_at) > idleMs) return 'idle';
  return 'live';
}

/** What a refresh does, decided by `REFRESH_STEPS`. */
export type RefreshStep =
  /** Consume the token, insert its successor, answer a new pair. */
  | 'rotate'
  /** Answer the successor already recorded (the same string) with a fresh access token. */
  | 'answer-successor'
  /** Reuse detected: revoke the whole session (nothing changes if it is revoked already) and audit the detection. */
  | 'revoke-session'
  /** Refuse (10024) and change nothing. */
  | 'refuse';

/** Whether a session admits a refresh: `live`, and its user active; `ended` otherwise (revoked, expired, idle, user disabled). */
export type SessionAdmission = 'live' | 'ended';

/** What presenting a refresh token does, by the token's state and whether its session admits refreshes. */
export const REFRESH_STEPS: { readonly [T in RefreshTokenState]: { readonly [S in SessionAdmission]: RefreshStep } } = {
  unused: { live: 'rotate', ended: 'refuse' },
  'in-grace': { live: 'answer-successor', ended: 'refuse' },
  // A reuse ends the session whatever its state: the detection is what matters, and it is audited.
  superseded: { live: 'revoke-session', ended: 'revoke-session' },
  expired: { live: 'refuse', ended: 'refuse' },
};

/** What moves a state: presenting a token, the clock, or a change of the session. */
export type LifeCycleCause =
  /** A login opened the session with its first token. */
  | 'login'
  /** The token was presented to a refresh. */
  | 'present'
  /** The token's successor was consumed (presented, or consumed by a company switch). */
  | 'successor-consumed'
  /** A company switch consumed the session's token and issued a new one (and bumped the version). */
  | 'company-switch'
  /** The clock moved: a window, a lifetime or the idle limit passed. */
  | 'time'
  /** A revocation with one of `REVOCATION_REASONS` other than reuse. */
  | 'revoke'
  /** Reuse detected (`refresh_reuse`). */
  | 'reuse'
  /** A role change. */
  | 'version-bump';

/** One declared change of state. */
export interface Transition<S extends string> {
  from: S | 'none';
  to: S;
  cause: LifeCycleCause;
}

/**
 * Every change a session's state may make. `revoked` is final; an expired
 * or idle session can still be revoked (logout-all), an idle one by the reuse
 * of one of its tokens too (an expired session's tokens have all expired).
 * A version bump leaves the session in its state (a change of its row, not of its state).
 */
export const SESSION_TRANSITIONS: readonly Transition<SessionState>[] = [
  { from: 'none', to: 'live', cause: 'login' },
  { from: 'live', to: 'live', cause: 'version-bump' },
  // A role change re-versions an idle session too (it has not ended yet: its access tokens may still be out there).
  { from: 'idle', to: 'idle', cause: 'version-bump' },
  { from: 'live', to: 'live', cause: 'company-switch' },
  { from: 'live', to: 'revoked', cause: 'revoke' },
  { from: 'live', to: 'revoked', cause: 'reuse' },
  { from: 'live', to: 'expired', cause: 'time' },
  { from: 'live', to: 'idle', cause: 'time' },
  { from: 'idle', to: 'expired', cause: 'time' },
  { from: 'expired', to: 'revoked', cause: 'revoke' },
  { from: 'idle', to: 'revoked', cause: 'revoke' },
  { from: 'idle', to: 'revoked', cause: 'reuse' },
];

/**
 * Every change a refresh token's state may make. A token is born `unused`
 * (login, rotation, company switch); only a rotation or a company switch
 * consumes it, and once consumed it never returns to `unused`. A session's
 * end changes no token's state: its tokens are refused by the session check.
 */
export const TOKEN_TRANSITIONS: readonly Transition<RefreshTokenState>[] = [
  { from: 'none', to: 'unused', cause: 'login' },
  { from: 'none', to: 'unused', cause: 'present' },
  { from: 'none', to: 'unused', cause: 'company-switch' },
  { from: 'unused', to: 'in-grace', cause: 'present' },
  { from: 'unused', to: 'in-grace', cause: 'company-switch' },
  { from: 'unused', to: 'expired', cause: 'time' },
  { from: 'in-grace', to: 'superseded', cause: 'time' },
  { from: 'in-grace', to: 'superseded', cause: 'successor-consumed' },
  { from: 'in-grace', to: 'expired', cause: 'time' },
  { from: 'superseded', to: 'expired', cause: 'time' },
];
