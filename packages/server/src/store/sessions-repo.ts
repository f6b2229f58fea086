import { sql, type Expression, type Insertable, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { Database, SessionsTable } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;
export type SessionInsert = Insertable<SessionsTable>;

/** What a listing of live sessions across users filters on; every field optional. */
export interface LiveSessionFilter {
  userId?: number;
  /** Only sessions whose company is one of these (an empty list matches none). */
  companyIds?: readonly number[];
  deviceType?: string;
  /** Exact address. */
  ip?: string;
}

/** A live session with what an administrator sees of its user. */
export type LiveSessionWithUser = SessionRow & { account: string; user_name: string; user_is_admin: number };

function whereLive<O>(
  query: SelectQueryBuilder<Database, 'sessions' | 'users', O>,
  f: LiveSessionFilter,
  now: number,
): SelectQueryBuilder<Database, 'sessions' | 'users', O> {
  let q = query.where('sessions.revoked_at', 'is', null).where('sessions.expires_at', '>', now);
  if (f.userId !== undefined) q = q.where('sessions.user_id', '=', f.userId);
  if (f.companyIds !== undefined)
    q = f.companyIds.length ? q.where('sessions.company_id', 'in', [...f.companyIds]) : q.where(sql<boolean>`1 = 0`);
  if (f.deviceType !== undefined) q = q.where('sessions.device_type', '=', f.deviceType);
  if (f.ip !== undefined) q = q.where('sessions.ip', '=', f.ip);
  return q;
}

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

/** A session row joined with its user and membership, as the context queries return it. */
export type SessionContextRow = SessionRow & {
  user_status: 'active' | 'disabled';
  user_is_admin: number;
  member_roles: string | null;
  member_company: number | null;
};

/** Reads a context row: a session without a company has no roles; a membership or company gone, `undefined`. */
export function toSessionContext(row: SessionContextRow): SessionContext {
  const { user_status, user_is_admin, member_roles, member_company, ...session } = row;
  const roles =
    session.company_id === null
      ? []
      : member_company === null || member_roles === null
        ? undefined
        : (JSON.parse(member_roles) as string[]);
  return { session, userStatus: user_status, isAdmin: user_is_admin === 1, roles };
}

/**
 * The session `id` names (a value, or an expression such as a subquery;
 * with `match` 'in', every session of a subquery), its
 * user's status and admin flag, and its roles in the session's company, in
 * one query: the refresh hot path reads this once instead of three times.
 */
export function sessionContextQuery(db: Kysely<Database>, id: string | Expression<string>, match: '=' | 'in' = '=') {
  return db
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
    .where('sessions.id', match, id);
}

/** The refresh and `/auth/me` paths' statements, compiled once per store (bench/). */
export function sessionQueries() {
  return {
    /**
     * The session, its user's status and admin flag, and its roles in the
     * session's company, in one query: the refresh hot path reads this once
     * instead of three times.
     */
    context: new PreparedQuery((db, p: { id: string }) => sessionContextQuery(db, p.id)),
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
    /** Revokes the sessions matching the filter (every field narrows it) not revoked yet; returns their ids. */
    async revokeSessions(
      filter: { id?: string; ids?: readonly string[]; userId?: number; companyId?: number; exceptId?: string },
      reason: string,
      now: number,
    ): Promise<string[]> {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: now, revoke_reason: reason, fenced_at: now })
        .where('revoked_at', 'is', null);
      if (filter.id !== undefined) query = query.where('id', '=', filter.id);
      if (filter.ids !== undefined) query = filter.ids.length ? query.where('id', 'in', [...filter.ids]) : query.where(sql<boolean>`1 = 0`);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.companyId !== undefined) query = query.where('company_id', '=', filter.companyId);
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
    /** A page of live sessions across users, newest first, with their users' account and name. */
    listLiveSessionsPage(filter: LiveSessionFilter & { limit: number; offset: number }, now: number): Promise<LiveSessionWithUser[]> {
      const query = db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .selectAll('sessions')
        .select(['users.account as account', 'users.name as user_name', 'users.is_admin as user_is_admin']);
      return whereLive(query, filter, now)
        .orderBy('sessions.created_at', 'desc')
        .orderBy('sessions.id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute();
    },
    /** How many live sessions match the filter. */
    async countLiveSessions(filter: LiveSessionFilter, now: number): Promise<number> {
      const query = db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id');
      const row = await whereLive(query, filter, now)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /**
     * The session, its user's status and admin flag, and its roles in the
     * session's company, in one query: the refresh hot path reads this once
     * instead of three times.
     */
    async findSessionContext(id: string): Promise<SessionContext | undefined> {
      const row = await q.context.executeTakeFirst(db, { id });
      return row && toSessionContext(row);
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
