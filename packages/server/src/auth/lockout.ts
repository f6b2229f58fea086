import type { Clock } from '../clock/clock.js';
import { hmac } from '../crypto/server-secret.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';
import type { LockSchedule } from '../store/login-failures-repo.js';
import { normalizeAccount } from '../store/users-repo.js';

/** Lockout numbers (Keycloak-style exponential lockout, never permanent). */
export interface LockoutPolicy {
  /** Consecutive failures before the first lockout. */
  threshold: number;
  /** First lockout, seconds; doubles with each further failure. */
  baseSeconds: number;
  /** Longest lockout, seconds. */
  maxSeconds: number;
  /**
   * Consecutive failures after which the lock no longer expires: only an
   * admin unlock or password reset lifts it (NIST 800-63B 5.2.2 allows at
   * most 100 consecutive failures). `0` turns it off.
   */
  hardLimit?: number;
}

/** `locked_until` of a lock that only an admin lifts (any far-future instant works; this one fits every bigint column). */
export const HARD_LOCK_UNTIL = Number.MAX_SAFE_INTEGER;

/** The lockout state of one key, for administrators. */
export interface LockoutState {
  failures: number;
  /** Unix ms until which logins are refused; null when not locked, `HARD_LOCK_UNTIL` for a lock only an admin lifts. */
  lockedUntil: number | null;
}

/** What a wrong password did to its key: nothing more, a timed lock, or one that only an admin lifts. */
export type LockOutcome = 'none' | 'timed' | 'hard';

/** The result of a password check run under `Lockout.attempt`. */
export type Attempted<T> = T & { locked: LockOutcome };

/** The lock durations of a policy: `base` doubling up to `max`, one entry per count past the threshold. */
function lockSchedule(policy: LockoutPolicy): LockSchedule {
  const stepsMs: number[] = [];
  for (let over = 0; over <= 30; over++) {
    const seconds = Math.min(policy.baseSeconds * 2 ** over, policy.maxSeconds);
    stepsMs.push(seconds * 1000);
    if (seconds >= policy.maxSeconds) break;
  }
  return { threshold: policy.threshold, stepsMs, hardLimit: policy.hardLimit ?? 0, hardUntil: HARD_LOCK_UNTIL };
}

/**
 * Per-account consecutive-failure counter kept in the database, so it
 * survives restarts and is shared by every instance. Unknown account names
 * are counted too (keyed by a keyed hash of the normalised name), so a
 * lockout never reveals whether an account exists.
 *
 * Every password check runs under `attempt()`: the attempt is reserved —
 * counted as a failure, with the lock it would cause — in one statement
 * before the hash is computed, so parallel guesses cannot all pass a check
 * made before any of them failed (issue #12 finding 1).
 */
export class Lockout {
  private readonly schedule: LockSchedule;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly pseudonymKey: Buffer,
    policy: LockoutPolicy,
  ) {
    this.schedule = lockSchedule(policy);
  }

  /** The counter key of an account name (existing or not). */
  keyOf(account: string): string {
    return `acct:${hmac(this.pseudonymKey, normalizeAccount(account))}`;
  }

  /**
   * Runs one password check under a reserved attempt on `key`:
   * - while the key is locked, throws ACCOUNT_LOCKED and never calls `check`
   *   (a refused attempt is not counted, and costs no hash);
   * - `valid: true` forgives the attempt and every one reserved before it;
   *   with `forgive: false` (a right password while a second factor is still
   *   due) it gives back this attempt alone: the failures before it, wrong
   *   second-factor codes among them, stay counted until the login is complete;
   * - `valid: false` leaves it counted; `locked` tells whether it locked the key;
   * - an error (a limit refusing the check, the store failing) gives the
   *   attempt back uncounted and is rethrown.
   *
   * A lock past the hard limit has `retry_after: null` and no Retry-After:
   * waiting does not lift it.
   */
  async attempt<T extends { valid: boolean }>(
    key: string,
    check: () => Promise<T>,
    options: { forgive?: boolean } = {},
  ): Promise<Attempted<T>> {
    const now = this.clock.now();
    const reserved = await this.store.reserveLoginAttempt(key, now, this.schedule);
    if (!reserved) throw await this.lockedError(key);
    const startedLock = reserved.lockedUntil > now ? reserved.lockedUntil : -1;
    let result: T;
    try {
      result = await check();
    } catch (error) {
      await this.store.releaseLoginAttempt(key, startedLock, this.schedule.threshold);
      throw error;
    }
    if (result.valid && options.forgive === false) {
      await this.store.releaseLoginAttempt(key, startedLock, this.schedule.threshold);
      return { ...result, locked: 'none' };
    }
    if (result.valid) {
      await this.store.forgiveLoginAttempts(key, reserved.seq, this.schedule.threshold);
      return { ...result, locked: 'none' };
    }
    // A reservation succeeds only on an unlocked key: a lock on it now is the one this attempt started.
    const locked: LockOutcome = reserved.lockedUntil >= HARD_LOCK_UNTIL ? 'hard' : reserved.lockedUntil > now ? 'timed' : 'none';
    return { ...result, locked };
  }

  /** Failures and lock of a key (admin view). */
  async state(key: string): Promise<LockoutState> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    return { failures: row?.count ?? 0, lockedUntil: until > this.clock.now() ? until : null };
  }

  /** Failures counted so far for a key (attempts still being checked included). */
  async failures(key: string): Promise<number> {
    return (await this.store.findLoginFailures(key))?.count ?? 0;
  }

  /** Forgets the failures of a key (admin unlock, password reset). */
  async reset(key: string): Promise<void> {
    await this.store.clearLoginFailures(key);
  }

  private async lockedError(key: string): Promise<AuthError> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    if (until >= HARD_LOCK_UNTIL) return new AuthError('ACCOUNT_LOCKED', { details: { retry_after: null } });
    // The lock may have been lifted since the reservation was refused: still a refusal, retried in a second.
    const retryAfter = Math.max(1, Math.ceil((until - this.clock.now()) / 1000));
    return new AuthError('ACCOUNT_LOCKED', { details: { retry_after: retryAfter }, headers: { 'retry-after': String(retryAfter) } });
  }
}
