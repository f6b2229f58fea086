/**
 * What presenting a refresh token amounted to (SPEC §2 "Rotation and reuse"),
 * as the store's `rotateRefreshToken` judges it.
 */
export type RefreshVerdict =
  /** It was live and is now consumed, succeeded by the id the caller drew. */
  | { kind: 'rotated'; sessionId: string }
  /**
   * Consumed within the grace window, and its own successor is still unused:
   * the caller gets that successor again (a lost answer retried, concurrent tabs).
   */
  | { kind: 'grace'; sessionId: string; successor: { jti: string; expiresAtMs: number } }
  /**
   * Consumed, and outside the window, or its successor already used, or the
   * clock ran backwards since: someone else holds the family.
   */
  | { kind: 'reuse'; sessionId: string }
  /** No such token, or it expired: simply refused. */
  | { kind: 'invalid' };

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
 * The grace rule, for a token the conditional UPDATE did not consume. Within
 * the window a consumed token answers **its own successor, and only while that
 * successor is unconsumed**; anything else is reuse. A negative elapsed time
 * (a wall clock stepped back) never counts as within the window: the window
 * would otherwise stretch by the size of the step.
 */
export function judgeConsumedRefreshToken(row: JudgedRefreshToken | undefined, nowMs: number, graceMs: number): RefreshVerdict {
  if (!row || row.consumed_at === null || Number(row.expires_at) <= nowMs) return { kind: 'invalid' };
  const sessionId = row.session_id;
  const elapsedMs = Number(row.elapsed_ms);
  const withinGrace = elapsedMs >= 0 && elapsedMs <= graceMs;
  if (!withinGrace || row.successor_jti === null || row.successor_expires_at === null || row.successor_consumed_at !== null)
    return { kind: 'reuse', sessionId };
  // The successor expired within the window: its session has ended, nothing to hand out or revoke.
  if (Number(row.successor_expires_at) <= nowMs) return { kind: 'invalid' };
  return { kind: 'grace', sessionId, successor: { jti: row.successor_jti, expiresAtMs: Number(row.successor_expires_at) } };
}
