import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEventInsert } from '../store/audit-repo.js';
import type { UserRow } from '../store/users-repo.js';
import type { Attempted, Lockout } from './lockout.js';
import type { PasswordCheck, PasswordHasher } from './password-hasher.js';
import type { RateLimiter } from './rate-limiter.js';

/** One password guess: whose, against which stored user (none for an unknown name), from where. */
export interface PasswordAttempt {
  /** The account name as sent (the lockout counts its normalised form). */
  account: string;
  user: UserRow | undefined;
  password: string;
  ip: string | null;
  /** Added to the `login.failure` / `login.locked` audit events (`{ dialect }`, `{ via: 'password_change' }`). */
  details: Record<string, unknown>;
  /**
   * Set while a second factor is still due: a right password then forgives no
   * earlier failure (`Lockout.attempt`), and ends its attempt writing `event`
   * (`mfa.required`) in the same statement.
   */
  secondFactorDue?: { event: AuditEventInsert | undefined } | undefined;
}

/**
 * Every check of a password — a login of any dialect, the old password of a
 * password change — is one counted attempt on the account: it reserves a
 * place in the account's lockout (refused while locked, so a locked account
 * costs no hash), then counts toward everyone's login budget, then waits in
 * the bounded hash queue. Unknown names cost one dummy check on the
 * parameters of a stored hash. The caller has already counted the request
 * against its address and run its cheap checks (challenge, captcha).
 */
export class PasswordAttempts {
  constructor(
    private readonly deps: {
      hasher: PasswordHasher;
      lockout: Lockout;
      audit: AuditLog;
      /** Everyone's login budget (per-IP limits are the caller's, before its cheap checks). */
      rateLimiter: RateLimiter;
    },
  ) {}

  /** Checks the password; a wrong one is audited (and the lock it started). Throws ACCOUNT_LOCKED, RATE_LIMITED. */
  async check(attempt: PasswordAttempt): Promise<Attempted<PasswordCheck>> {
    const { hasher, lockout, audit, rateLimiter } = this.deps;
    const key = lockout.keyOf(attempt.account);
    const { user, password } = attempt;
    const result = await lockout.attempt(
      key,
      async () => {
        // Only now does this request cost a hash, so only now does it count toward everyone's budget.
        await rateLimiter.hitGlobal('login');
        return user ? hasher.check(user.password_hash, password) : hasher.checkDummy(password, key);
      },
      attempt.secondFactorDue ? { onValid: 'release', releaseEvent: attempt.secondFactorDue.event } : { onValid: 'forgive' },
    );
    if (!result.valid) {
      const userId = user?.id ?? null;
      await audit.record({ type: 'login.failure', userId, ip: attempt.ip, details: attempt.details });
      if (result.locked !== 'none')
        await audit.record({
          type: 'login.locked',
          userId,
          ip: attempt.ip,
          details: { ...attempt.details, hard: result.locked === 'hard' },
        });
    }
    return result;
  }
}
