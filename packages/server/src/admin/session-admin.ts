import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { LiveSessionFilter } from '../store/sessions-repo.js';
import type { AdminDeps } from './admin-deps.js';
import { AdminScope, type Actor } from './admin-scope.js';
import { adminSessionView, pageOf, type AdminSessionView, type Page } from './admin-views.js';

/** Most sessions one bulk revocation takes. */
export const MAX_BULK_REVOKE = 200;

const notFound = () => new AuthError('NOT_FOUND', { details: { field: 'session' } });

/**
 * Live sessions across users: listed with filters, revoked one by one or in
 * bulk. A company admin sees and revokes the sessions bound to their
 * companies only. Every revocation goes through `SessionChanges.revoke`
 * (row, audit, fence), one session at a time so that each audit event names
 * its user.
 */
export class SessionAdmin {
  constructor(private readonly deps: Pick<AdminDeps, 'store' | 'clock' | 'changes'>) {}

  /**
   * A page of live sessions, newest first. `user` (id or account) that names
   * no one gives an empty page, like a user whose sessions the actor cannot see.
   */
  async list(
    query: Omit<LiveSessionFilter, 'userId' | 'companyIds'> & { user?: string; companyId?: number; limit: number; offset: number },
    actor: Actor,
  ): Promise<Page<AdminSessionView>> {
    const scope = await AdminScope.resolve(this.deps.store, actor);
    const { user, companyId, ...rest } = query;
    if (companyId !== undefined) scope.requireCompany(companyId);
    let userId: number | undefined;
    if (user !== undefined) {
      const found = /^\d+$/.test(user) ? await this.deps.store.findUserById(Number(user)) : undefined;
      userId = (found ?? (await this.deps.store.findUserByAccount(user)))?.id;
      if (userId === undefined) return pageOf([], 0, query.offset);
    }
    const filter = { ...rest, userId, companyIds: companyId !== undefined ? [companyId] : scope.companyFilter };
    const now = this.deps.clock.now();
    const [rows, total] = await Promise.all([
      this.deps.store.listLiveSessionsPage(filter, now),
      this.deps.store.countLiveSessions(filter, now),
    ]);
    return pageOf(rows.map(adminSessionView), total, query.offset);
  }

  /** Revokes one live session (NOT_FOUND when none the actor can see; FORBIDDEN for a platform admin's, to a company admin). */
  async revoke(sessionId: string, actor: Actor): Promise<void> {
    await this.revokeInScope(sessionId, await AdminScope.resolve(this.deps.store, actor), actor);
  }

  /**
   * Revokes each of `ids` the actor may revoke; the others (unknown, ended,
   * outside the scope, a platform admin's) are left alone and not named in
   * the answer, so it tells nothing about sessions the actor cannot see.
   */
  async revokeMany(ids: readonly string[], actor: Actor): Promise<{ revoked: string[] }> {
    if (ids.length > MAX_BULK_REVOKE) throw new AuthError('INVALID_REQUEST', { details: { field: 'ids', max: MAX_BULK_REVOKE } });
    const scope = await AdminScope.resolve(this.deps.store, actor);
    const revoked: string[] = [];
    for (const id of new Set(ids)) {
      try {
        revoked.push(await this.revokeInScope(id, scope, actor));
      } catch (error) {
        if (!isAuthError(error) || (error.code !== 'NOT_FOUND' && error.code !== 'FORBIDDEN')) throw error;
      }
    }
    return { revoked };
  }

  /**
   * Revokes one live session that `scope` may revoke (and that belongs to
   * `ownerId` when given); returns its id. The company condition goes into
   * the revoking UPDATE too, so a session switched to another company in the
   * meantime is not revoked by an admin of the old one.
   */
  async revokeInScope(sessionId: string, scope: AdminScope, actor: Actor, ownerId?: number): Promise<string> {
    const { store, clock } = this.deps;
    const session = await store.findSession(sessionId);
    if (!session || session.revoked_at !== null || Number(session.expires_at) <= clock.now()) throw notFound();
    if (ownerId !== undefined && session.user_id !== ownerId) throw notFound();
    const owner = await store.findUserById(session.user_id);
    scope.requireRevocableSession(session, owner?.is_admin === 1);
    const filter = { id: sessionId, userId: session.user_id, companyId: scope.platform ? undefined : (session.company_id ?? undefined) };
    const [revoked] = await this.deps.changes.revoke(filter, 'revoked_by_admin', actor);
    if (revoked === undefined) throw notFound();
    return revoked;
  }
}
