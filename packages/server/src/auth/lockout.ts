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

  /** Throws ACCOUNT_LOCKED (with `retry_after`) while the account is locked. */
  async assertNotLocked(key: string): Promise<void> {
    const row = await this.store.findLoginFailures(key);
    const left = row ? Number(row.locked_until) - this.clock.now() : 0;
    if (left > 0) {
      const retryAfter = Math.ceil(left / 1000);
      throw new AuthError('ACCOUNT_LOCKED', { details: { retry_after: retryAfter }, headers: { 'retry-after': String(retryAfter) } });
    }
  }

  /** Counts one failure; returns true when it started a lockout. */
  async recordFailure(key: string): Promise<boolean> {
    const now = this.clock.now();
    const count = await this.store.incrementLoginFailures(key, now);
    const over = count - this.policy.threshold;
    if (over < 0) return false;
    const lockSeconds = Math.min(this.policy.baseSeconds * 2 ** Math.min(over, 30), this.policy.maxSeconds);
    await this.store.lockLoginFailures(key, now + lockSeconds * 1000);
    return true;
  }

  /** Failures counted so far for a key. */
  async failures(key: string): Promise<number> {
    return (await this.store.findLoginFailures(key))?.count ?? 0;
  }

  async reset(key: string): Promise<void> {
    await this.store.clearLoginFailures(key);
  }
}
