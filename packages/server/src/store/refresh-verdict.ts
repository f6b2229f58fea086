/**
 * A refresh token as the store judges it when presented (SPEC §2 "Rotation
 * and reuse"; the life cycle is sessions/session-states.ts):
 * - `unused`: never consumed and not expired: presenting it rotates;
 * - `in-grace`: consumed within the grace window, and its own successor is
 *   still unused (and unexpired): presenting it answers that successor again;
 * - `superseded`: consumed, and the window has passed, or its successor was
 *   used, or the clock ran back since: presenting it is reuse;
 * - `expired`: past its expiry, unknown, or in grace with an expired
 *   successor (its session has ended): refused, nothing changes.
 */
export type RefreshTokenState = 'unused' | 'in-grace' | 'superseded' | 'expired';

/** What the store's `rotateRefreshToken` found the presented token to be, with what the caller needs of it. */
export type RefreshVerdict =
  /** It was unused and is now consumed, succeeded by the id the caller drew. */
  | { state: 'unused'; sessionId: string }
  /** The caller gets this successor again (a lost answer retried, concurrent tabs). */
  | { state: 'in-grace'; sessionId: string; successor: { jti: string; expiresAtMs: number } }
  /** Someone else holds the family. */
  | { state: 'superseded'; sessionId: string }
  /** Simply refused. */
  | { state: 'expired' };

/** A consumed-or-not token as the judging read returns it, with its successor's state. */
export interface JudgedRefreshToken {
  session_id: string;
  expires_at: number;
  consumed_at: number | null;
  successor_jti: string | null;
  /** Milliseconds from the consumption to now, on the consuming clock (negative if it ran backwards). */
  elapsed_ms: number | null;
  successor_expires_at: number | null;
  successor_consumed_at: number | null;
}

/**
 * The state of a token row at `nowMs`, on the consuming clock (`elapsed_ms`
 * is measured on it). The grace rule: within the window a consumed token
 * answers **its own successor, and only while that successor is unconsumed**;
 * anything else is reuse. A negative elapsed time (a wall clock stepped back)
 * never counts as within the window: the window would otherwise stretch by
 * the size of the step.
 */
export function refreshTokenStateOf(row: JudgedRefreshToken | undefined, nowMs: number, graceMs: number): RefreshTokenState {
  if (!row || Number(row.expires_at) <= nowMs) return 'expired';
  if (row.consumed_at === null) return 'unused';
  const elapsedMs = Number(row.elapsed_ms);
  const withinGrace = elapsedMs >= 0 && elapsedMs <= graceMs;
  if (!withinGrace || row.successor_jti === null || row.successor_expires_at === null || row.successor_consumed_at !== null)
    return 'superseded';
  // The successor expired within the window: its session has ended, nothing to hand out or revoke.
  return Number(row.successor_expires_at) <= nowMs ? 'expired' : 'in-grace';
}

/** The verdict on a token the conditional UPDATE did not consume: unused here means it was not there to consume. */
export function judgeConsumedRefreshToken(row: JudgedRefreshToken | undefined, nowMs: number, graceMs: number): RefreshVerdict {
  const state = refreshTokenStateOf(row, nowMs, graceMs);
  if (!row || state === 'expired' || state === 'unused') return { state: 'expired' };
  if (state === 'superseded') return { state, sessionId: row.session_id };
  return { state, sessionId: row.session_id, successor: { jti: row.successor_jti!, expiresAtMs: Number(row.successor_expires_at) } };
}
