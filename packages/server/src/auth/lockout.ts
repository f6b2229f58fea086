import type { Clock } from '../clock/clock.js';
import { hmac } from '../crypto/server-secret.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuditEventInsert } from '../store/audit-repo.js';
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

/** How a right check ends its attempt (`Lockout.attempt`). */
export type OnValid = 'forgive' | 'release' | 'caller';

export interface AttemptOptions {
  onValid?: OnValid;
  /** With `onValid: 'release'`: an audit event written in the release's own statement (`mfa.required`). */
  releaseEvent?: AuditEventInsert | undefined;
}

/** A reservation to make: the key, the instant, the lock schedule (its stale-attempt age among it). */
export interface Reservation {
  key: string;
  now: number;
  schedule: LockSchedule;
}

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
  return {
    threshold: policy.threshold,
    stepsMs,
    hardLimit: policy.hardLimit ?? 0,
    hardUntil: HARD_LOCK_UNTIL,
    inflightStaleMs: INFLIGHT_STALE_MS,
  };
}

/**
 * An attempt reserved this long ago is no longer in flight: its process died
 * before finishing it. A password check is bounded far below this (the hash
 * queue refuses rather than wait long, and requests time out), so a live
 * attempt is never forgotten, and a crash blocks an account for a minute at most.
 */
const INFLIGHT_STALE_MS = 60_000;

/**
 * Per-account consecutive-failure counter kept in the database, so it
 * survives restarts and is shared by every instance. Unknown account names
 * are counted too (keyed by a keyed hash of the normalised name), so a
 * lockout never reveals whether an account exists.
 *
 * Every password check runs under `attempt()`: the attempt is reserved in
 * one statement before the hash is computed, and only while the failures
 * counted plus the attempts in flight stay below the threshold, so parallel
 * guesses cannot all pass a check made before any of them failed (issue #12
 * finding 1), while right passwords checked in parallel never count against
 * each other.
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
   * - while the key is locked, or as many attempts are in flight as failures
   *   are still allowed, throws ACCOUNT_LOCKED and never calls `check` (a
   *   refused attempt is not counted, and costs no hash);
   * - `valid: true` ends the attempt as `onValid` says: `forgive` (the
   *   default) forgives the failures and lifts any lock; `release` (a right
   *   password while a second factor is still due) only ends the attempt:
   *   the failures before it, wrong second-factor codes among them, stay
   *   counted until the login is complete; `caller` leaves the attempt open
   *   for the caller to forgive with the session it opens
   *   (`SessionOpening.forgive`), or with `forgive` if it opens none;
   * - `valid: false` counts a failure; `locked` tells whether it locked the key;
   * - an error (a limit refusing the check, the store failing) ends the
   *   attempt uncounted and is rethrown.
   *
   * A lock past the hard limit has `retry_after: null` and no Retry-After:
   * waiting does not lift it.
   */
  async attempt<T extends { valid: boolean }>(key: string, check: () => Promise<T>, options: AttemptOptions = {}): Promise<Attempted<T>> {
    const reserve = async (r: Reservation) => ({ reserved: await this.store.reserveLoginAttempt(r.key, r.now, r.schedule) });
    return this.attemptReading(key, reserve, check, options);
  }

  /**
   * `attempt`, with the reservation made by `reserve`: a store statement that
   * reserves and reads what the check needs at once (one round trip on
   * PostgreSQL: `store.startSecondStep`). It answers whether it reserved;
   * `check` gets what it read.
   */
  async attemptReading<R extends { reserved: boolean }, T extends { valid: boolean }>(
    key: string,
    reserve: (reservation: Reservation) => Promise<R>,
    check: (read: R) => Promise<T>,
    options: AttemptOptions = {},
  ): Promise<Attempted<T>> {
    const read = await reserve({ key, now: this.clock.now(), schedule: this.schedule });
    if (!read.reserved) throw await this.lockedError(key);
    let result: T;
    try {
      result = await check(read);
    } catch (error) {
      await this.store.releaseLoginAttempt(key);
      throw error;
    }
    if (result.valid) {
      const onValid = options.onValid ?? 'forgive';
      if (onValid === 'forgive') await this.store.forgiveLoginAttempts(key);
      else if (onValid === 'release') await this.store.releaseLoginAttempt(key, options.releaseEvent);
      return { ...result, locked: 'none' };
    }
    const now = this.clock.now();
    const failure = await this.store.recordLoginFailure(key, now, this.schedule);
    const locked: LockOutcome = failure.lockedUntil >= HARD_LOCK_UNTIL ? 'hard' : failure.lockedUntil > now ? 'timed' : 'none';
    return { ...result, locked };
  }

  /** Ends a right attempt left open (`onValid: 'caller'`) whose login opened no session. */
  async forgive(key: string): Promise<void> {
    await this.store.forgiveLoginAttempts(key);
  }

  /** Failures and lock of a key (admin view). */
  async state(key: string): Promise<LockoutState> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    return { failures: row?.count ?? 0, lockedUntil: until > this.clock.now() ? until : null };
  }

  /**
   * Failures counted so far for a key, attempts still being checked included
   * (they may all fail: a captcha due after N failures is due for them too).
   */
  async failures(key: string): Promise<number> {
    const row = await this.store.findLoginFailures(key);
    if (!row) return 0;
    const inFlight = Number(row.inflight_at) >= this.clock.now() - INFLIGHT_STALE_MS ? row.inflight : 0;
    return row.count + inFlight;
  }

  /** Forgets the failures of a key (admin unlock, password reset). */
  async reset(key: string): Promise<void> {
    await this.store.clearLoginFailures(key);
  }

  private async lockedError(key: string): Promise<AuthError> {
    const row = await this.store.findLoginFailures(key);
    const until = row ? Number(row.locked_until) : 0;
    if (until >= HARD_LOCK_UNTIL) return new AuthError('ACCOUNT_LOCKED', { details: { retry_after: null } });
    // Refused for attempts in flight, or a lock lifted since the refusal: retried in a second.
    const retryAfter = Math.max(1, Math.ceil((until - this.clock.now()) / 1000));
    return new AuthError('ACCOUNT_LOCKED', { details: { retry_after: retryAfter }, headers: { 'retry-after': String(retryAfter) } });
  }
}
