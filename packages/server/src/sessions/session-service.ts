import type { SessionView } from '@duotoken/protocol';
import type { AuditLog } from '../audit/audit-log.js';
import type { PasswordHasher } from '../auth/password-hasher.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { Repos, Store } from '../store/store.js';
import type { SessionRow } from '../store/sessions-repo.js';
import { describeDevice } from './device-name.js';
import type { ClientInfo } from './issued-tokens.js';
import type { SessionFence } from './session-fence.js';

/** Checks a new password against the policy; throws INVALID_REQUEST naming the rule. */
export type PasswordPolicy = (password: string) => void;

/** Logout, session listing and revocation, password change. */
export class SessionService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      fence: SessionFence;
      audit: AuditLog;
      hasher: PasswordHasher;
      checkPassword: PasswordPolicy;
    },
  ) {}

  /** Revokes sessions matching the filter and fences off their access tokens at once. */
  async revoke(
    filter: { id?: string; userId?: number; companyId?: number; exceptId?: string },
    reason: string,
    actor: { userId: number | null; ip: string | null },
    tx?: Repos,
  ): Promise<string[]> {
    const now = this.deps.clock.now();
    const ids = await (tx ?? this.deps.store).revokeSessions(filter, reason, now);
    for (const id of ids) this.fenceRevoked(id);
    // A company's sessions belong to many users: the event names none (subject null) rather than the actor.
    const target = filter.userId ?? (filter.companyId !== undefined ? null : undefined);
    await this.auditRevoked(ids, reason, actor, target, tx);
    return ids;
  }

  /** Refuses the outstanding access tokens of a revoked session at once (no database read per request). */
  fenceRevoked(sessionId: string): void {
    this.deps.fence.record({ sessionId, version: 0, revoked: true, at: this.deps.clock.now() });
  }

  /** Writes the `session.revoked` audit event of sessions revoked together. */
  async auditRevoked(
    ids: readonly string[],
    reason: string,
    actor: { userId: number | null; ip: string | null },
    /** The sessions' user; null when they belong to several (a company's); undefined: the actor's own. */
    targetUser?: number | null,
    tx?: Repos,
  ): Promise<void> {
    if (!ids.length) return;
    await this.deps.audit.record(
      {
        type: 'session.revoked',
        userId: actor.userId,
        sessionId: ids.length === 1 ? ids[0] : null,
        ip: actor.ip,
        details: { sessions: ids, reason, target_user: targetUser },
      },
      tx,
    );
  }

  /**
   * Bumps the version of a user's live sessions in a company (role change):
   * their access tokens stop working at once, and the next refresh issues
   * tokens carrying the new roles. Returns the sessions bumped.
   */
  async bumpVersions(userId: number, companyId: number): Promise<string[]> {
    const now = this.deps.clock.now();
    const bumped = await this.deps.store.bumpSessionVersions({ userId, companyId }, now);
    for (const s of bumped) this.deps.fence.record({ sessionId: s.id, version: s.version, revoked: false, at: now });
    return bumped.map((s) => s.id);
  }

  logout(sessionId: string, client: ClientInfo, userId: number): Promise<string[]> {
    return this.revoke({ id: sessionId }, 'logout', { userId, ip: client.ip });
  }

  logoutAll(userId: number, client: ClientInfo): Promise<string[]> {
    return this.revoke({ userId }, 'logout_all', { userId, ip: client.ip });
  }

  /** Revokes one of the user's own sessions; NOT_FOUND for another user's. */
  async revokeOwn(userId: number, sessionId: string, client: ClientInfo): Promise<void> {
    const session = await this.deps.store.findSession(sessionId);
    if (!session || session.user_id !== userId) throw new AuthError('NOT_FOUND');
    await this.revoke({ id: sessionId }, 'revoked_by_user', { userId, ip: client.ip });
  }

  async list(userId: number, currentSessionId: string | null): Promise<SessionView[]> {
    const rows = await this.deps.store.listLiveSessions(userId, this.deps.clock.now());
    return rows.map((s) => view(s, currentSessionId));
  }

  /** Changes the password after checking the old one; revokes every other session. */
  async changePassword(userId: number, sessionId: string | null, oldPassword: string, newPassword: string, client: ClientInfo) {
    const { store, hasher, clock } = this.deps;
    const user = await store.findUserById(userId);
    if (!user || !(await hasher.verify(user.password_hash, oldPassword)))
      throw new AuthError('BAD_CREDENTIALS', { details: { field: 'old_password' } });
    this.deps.checkPassword(newPassword);
    const hash = await hasher.hash(newPassword);
    await store.transaction(async (tx) => {
      await tx.setPasswordHash(userId, hash, clock.now());
      await this.revoke({ userId, exceptId: sessionId ?? undefined }, 'password_changed', { userId, ip: client.ip }, tx);
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
