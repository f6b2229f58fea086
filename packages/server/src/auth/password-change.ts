import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { ClientInfo } from '../sessions/issued-tokens.js';
import type { SessionChanges } from '../sessions/session-changes.js';
import type { Store } from '../store/store.js';
import type { PasswordAttempts } from './password-attempts.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PasswordPolicy } from './password-policy.js';
import type { RateLimiter } from './rate-limiter.js';

/** A user's change of their own password (every other session ends through `SessionChanges`). */
export class PasswordChange {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      /** Every revocation goes through it: row, audit event, fence. */
      changes: SessionChanges;
      audit: AuditLog;
      hasher: PasswordHasher;
      /** Lockout, everyone's login budget and the hash queue around the old-password check. */
      attempts: PasswordAttempts;
      /** The address's login limit, which the old-password check counts toward too. */
      rateLimiter: RateLimiter;
      checkPassword: PasswordPolicy;
    },
  ) {}

  /**
   * Changes the password after checking the old one; revokes every other
   * session. The old-password check is a password guess like a login's: it
   * counts toward the address's and everyone's login limits and the account's
   * lockout (10021 while locked), and waits in the bounded hash queue.
   */
  async change(userId: number, sessionId: string | null, oldPassword: string, newPassword: string, client: ClientInfo) {
    const { store, hasher, clock } = this.deps;
    await this.deps.rateLimiter.hitAddress('login', client.ip);
    const user = await store.findUserById(userId);
    if (!user) throw new AuthError('BAD_CREDENTIALS', { details: { field: 'old_password' } });
    const checked = await this.deps.attempts.check({
      account: user.account,
      user,
      password: oldPassword,
      ip: client.ip,
      details: { via: 'password_change' },
    });
    if (!checked.valid) throw new AuthError('BAD_CREDENTIALS', { details: { field: 'old_password' } });
    this.deps.checkPassword(newPassword);
    const hash = await hasher.hash(newPassword);
    await store.transaction(async (tx) => {
      await tx.setPasswordHash(userId, hash, clock.now());
      // A remembered device skips the second step; a new password must not inherit that (docs/mfa.md).
      await tx.deleteMfaDevices(userId);
      await this.deps.changes.revoke({ userId, exceptId: sessionId ?? undefined }, 'password_changed', { userId, ip: client.ip }, tx);
      await this.deps.audit.record({ type: 'password.changed', userId, sessionId, ip: client.ip }, tx);
    });
  }
}
