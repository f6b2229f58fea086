import type { Clock } from '../clock/clock.js';
import { hmac } from '../crypto/server-secret.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';
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

/**
 * Per-account consecutive-failure counter kept in the database, so it
 * survives restarts and is shared by every instance. Unknown account names
 * are counted too (keyed by a keyed hash of the normalised name), so a
 * lockout never reveals whether an account exists.
 */
export class Lockout {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly pseudonymKey: Buffer,
    private readonly policy: LockoutPolicy,
  ) {}

  /** The counter key of an account name (existing or not). */
  keyOf(account: string): string {
    return `acct:${hmac(this.pseudonymKey, normalizeAccount(account))}`;
  }

  /**
   * Throws ACCOUNT_LOCKED (with `retry_after`) while the account is locked.
   * A lock past the hard limit has `retry_after: null` and no Retry-After:
   * waiting does not lift it.
   */
  async assertNotLocked(key: string): Promise<void> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    if (until >= HARD_LOCK_UNTIL) throw new AuthError('ACCOUNT_LOCKED', { details: { retry_after: null } });
    const left = until - this.clock.now();
    if (left > 0) {
      const retryAfter = Math.ceil(left / 1000);
      throw new AuthError('ACCOUNT_LOCKED', { details: { retry_after: retryAfter }, headers: { 'retry-after': String(retryAfter) } });
    }
  }

  /**
   * Counts one failure; tells whether it started a lockout (`timed`), one
   * that only an admin lifts (`hard`), or none.
   */
  async recordFailure(key: string): Promise<'none' | 'timed' | 'hard'> {
    const now = this.clock.now();
    const count = await this.store.incrementLoginFailures(key, now);
    const hardLimit = this.policy.hardLimit ?? 0;
    if (hardLimit > 0 && count >= hardLimit) {
      await this.store.lockLoginFailures(key, HARD_LOCK_UNTIL);
      return 'hard';
    }
    const over = count - this.policy.threshold;
    if (over < 0) return 'none';
    const lockSeconds = Math.min(this.policy.baseSeconds * 2 ** Math.min(over, 30), this.policy.maxSeconds);
    await this.store.lockLoginFailures(key, now + lockSeconds * 1000);
    return 'timed';
  }

  /** Failures and lock of a key (admin view). */
  async state(key: string): Promise<LockoutState> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    return { failures: row?.count ?? 0, lockedUntil: until > this.clock.now() ? until : null };
  }

  /** Failures counted so far for a key. */
  async failures(key: string): Promise<number> {
    return (await this.store.findLoginFailures(key))?.count ?? 0;
  }

  /** Forgets the failures of a key (successful login, admin unlock, password reset). */
  async reset(key: string): Promise<void> {
    await this.store.clearLoginFailures(key);
  }
}
