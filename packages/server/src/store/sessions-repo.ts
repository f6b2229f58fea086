import type { Insertable, Kysely, Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { Database, SessionsTable } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** A session whose outstanding access tokens must be fenced off. */
export interface FencedSession {
  id: string;
  version: number;
  revoked: boolean;
  fencedAt: number;
}

/** A session with what a refresh needs of its user and current membership (one read). */
export interface SessionContext {
  session: SessionRow;
  userStatus: 'active' | 'disabled';
  isAdmin: boolean;
  /** Roles in the session's company; `undefined` when the membership or the company is gone or inactive. */
  roles: string[] | undefined;
}

/** The refresh and `/auth/me` paths' statements, compiled once per store (bench/). */
export function sessionQueries() {
  return {
    /**
     * The session, its user's status and admin flag, and its roles in the
     * session's company, in one query: the refresh hot path reads this once
     * instead of three times.
     */
    context: new PreparedQuery((db, p: { id: string }) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('memberships', (join) =>
          join.onRef('memberships.user_id', '=', 'sessions.user_id').onRef('memberships.company_id', '=', 'sessions.company_id'),
        )
        .leftJoin('companies', (join) => join.onRef('companies.id', '=', 'memberships.company_id').on('companies.status', '=', 'active'))
        .selectAll('sessions')
        .select([
          'users.status as user_status',
          'users.is_admin as user_is_admin',
          'memberships.roles as member_roles',
          'companies.id as member_company',
        ])
        .where('sessions.id', '=', p.id),
    ),
    byId: new PreparedQuery((db, p: { id: string }) => db.selectFrom('sessions').selectAll().where('id', '=', p.id)),
    touch: new PreparedQuery((db, p: { id: string; now: number }) =>
      db.updateTable('sessions').set({ last_used_at: p.now }).where('id', '=', p.id),
    ),
  };
}

/** Sessions: one per login, the family of its refresh tokens. */
export function sessionsRepo(db: Kysely<Database>, q: ReturnType<typeof sessionQueries>) {
  return {
    async createSession(row: Insertable<SessionsTable>): Promise<void> {
      await db.insertInto('sessions').values(row).execute();
    },
    findSession(id: string): Promise<SessionRow | undefined> {
      return q.byId.executeTakeFirst(db, { id });
    },
    async touchSession(id: string, now: number): Promise<void> {
      await q.touch.execute(db, { id, now });
    },
    /** Moves a live session to another company and bumps its version; returns the new version. */
    async switchCompany(id: string, companyId: number, now: number): Promise<number | undefined> {
      const row = await db
        .updateTable('sessions')
        .set((eb) => ({ company_id: companyId, version: eb('version', '+', 1), fenced_at: now, last_used_at: now }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returning('version')
        .executeTakeFirst();
      return row?.version;
    },
    /**
     * Bumps the version of a user's live sessions in one company, so their
     * outstanding access tokens are refused (role change); returns the new versions.
     */
    async bumpSessionVersions(filter: { userId: number; companyId: number }, now: number): Promise<Array<{ id: string; version: number }>> {
      return db
        .updateTable('sessions')
        .set((eb) => ({ version: eb('version', '+', 1), fenced_at: now }))
        .where('user_id', '=', filter.userId)
        .where('company_id', '=', filter.companyId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['id', 'version'])
        .execute();
    },
    /** Revokes live sessions matching the filter; returns their ids. */
    async revokeSessions(filter: { id?: string; userId?: number; exceptId?: string }, reason: string, now: number): Promise<string[]> {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason, fenced_at: now })
        .where('revoked_at', 'is', null);
      if (filter.id !== undefined) query = query.where('id', '=', filter.id);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.exceptId !== undefined) query = query.where('id', '!=', filter.exceptId);
      const rows = await query.returning('id').execute();
      return rows.map((r) => r.id);
    },
    /** Live sessions of a user, newest first. */
    listLiveSessions(userId: number, now: number): Promise<SessionRow[]> {
      return db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute();
    },
    /**
     * The session, its user's status and admin flag, and its roles in the
     * session's company, in one query: the refresh hot path reads this once
     * instead of three times.
     */
    async findSessionContext(id: string): Promise<SessionContext | undefined> {
      const row = await q.context.executeTakeFirst(db, { id });
      if (!row) return undefined;
      const { user_status, user_is_admin, member_roles, member_company, ...session } = row;
      const roles =
        session.company_id === null
          ? []
          : member_company === null || member_roles === null
            ? undefined
            : (JSON.parse(member_roles) as string[]);
      return { session, userStatus: user_status, isAdmin: user_is_admin === 1, roles };
    },
    /** Sessions revoked or re-versioned since `since` (ms): the fence's start-up load and its store poll (an indexed range read). */
    async listFencedSince(since: number): Promise<FencedSession[]> {
      const rows = await db
        .selectFrom('sessions')
        .select(['id', 'version', 'revoked_at', 'fenced_at'])
        .where('fenced_at', '>=', since)
        .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('version', '>', 1)]))
        .execute();
      return rows.map((r) => ({ id: r.id, version: r.version, revoked: r.revoked_at !== null, fencedAt: Number(r.fenced_at) }));
    },
  };
}
