import type { SessionView } from '@duotoken/protocol';
import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordAttempts } from '../auth/password-attempts.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';
import type { SessionRow } from '../store/sessions-repo.js';
import { describeDevice } from './device-name.js';
import type { ClientInfo } from './issued-tokens.js';
import type { SessionChanges } from './session-changes.js';

/** Checks a new password against the policy; throws INVALID_REQUEST naming the rule. */
export type PasswordPolicy = (password: string) => void;

/** Logout, session listing and revocation by their owner, password change (revocations through `SessionChanges`). */
export class SessionService {
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
      rateLimiter?: RateLimiter;
      checkPassword: PasswordPolicy;
    },
  ) {}

  logout(sessionId: string, client: ClientInfo, userId: number): Promise<string[]> {
    return this.deps.changes.revoke({ id: sessionId }, 'logout', { userId, ip: client.ip });
  }

  logoutAll(userId: number, client: ClientInfo): Promise<string[]> {
    return this.deps.changes.revoke({ userId }, 'logout_all', { userId, ip: client.ip });
  }

  /** Revokes one of the user's own sessions; NOT_FOUND for another user's. */
  async revokeOwn(userId: number, sessionId: string, client: ClientInfo): Promise<void> {
    const session = await this.deps.store.findSession(sessionId);
    if (!session || session.user_id !== userId) throw new AuthError('NOT_FOUND');
    await this.deps.changes.revoke({ id: sessionId }, 'revoked_by_user', { userId, ip: client.ip });
  }

  async list(userId: number, currentSessionId: string | null): Promise<SessionView[]> {
    const rows = await this.deps.store.listLiveSessions(userId, this.deps.clock.now());
    return rows.map((s) => view(s, currentSessionId));
  }

  /**
   * Changes the password after checking the old one; revokes every other
   * session. The old-password check is a password guess like a login's: it
   * counts toward the address's and everyone's login limits and the account's
   * lockout (10021 while locked), and waits in the bounded hash queue.
   */
  async changePassword(userId: number, sessionId: string | null, oldPassword: string, newPassword: string, client: ClientInfo) {
    const { store, hasher, clock } = this.deps;
    await this.deps.rateLimiter?.hitAddress('login', client.ip);
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
      // A remembered device skips the second step; a new password must not inherit that (SPEC §9).
      await tx.deleteMfaDevices(userId);
      await this.deps.changes.revoke({ userId, exceptId: sessionId ?? undefined }, 'password_changed', { userId, ip: client.ip }, tx);
      await this.deps.audit.record({ type: 'password.changed', userId, sessionId, ip: client.ip }, tx);
    });
  }
}

function view(s: SessionRow, currentSessionId: string | null): SessionView {
  return {
    id: s.id,
    created_at: Math.floor(Number(s.created_at) / 1000),
    last_used_at: Math.floor(Number(s.last_used_at) / 1000),
    expires_at: Math.floor(Number(s.expires_at) / 1000),
    ip: s.ip,
    user_agent: s.user_agent,
    device: describeDevice(s.user_agent),
    device_type: s.device_type,
    company_id: s.company_id,
    current: s.id === currentSessionId,
  };
}
