import type { Kysely } from 'kysely';
import { MEMBERSHIP_COLUMNS, membershipsOf, type MembershipView } from './companies-repo.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database } from './schema.js';
import type { SessionRow } from './sessions-repo.js';
import type { UserRow } from './users-repo.js';

/** What `/auth/me` shows of the caller: the user (no password hash), the session and every membership. */
export interface WhoAmI {
  user: Pick<UserRow, 'id' | 'account' | 'name' | 'status' | 'is_admin'>;
  session: SessionRow;
  /** By company id. */
  memberships: MembershipView[];
}

/** `/auth/me`'s statement, compiled once per store. */
export function whoAmIQueries() {
  return {
    /**
     * The user and the session (both must exist), with one row per membership
     * (one row of nulls when there is none): one statement, one round trip.
     */
    whoAmI: new PreparedQuery((db, p: { userId: number; sessionId: string }) =>
      db
        .selectFrom('users')
        .innerJoin('sessions', (join) => join.on('sessions.id', '=', p.sessionId))
        .leftJoin('memberships', 'memberships.user_id', 'users.id')
        .leftJoin('companies', 'companies.id', 'memberships.company_id')
        .selectAll('sessions')
        .select([
          'users.id as u_id',
          'users.account as u_account',
          'users.name as u_name',
          'users.status as u_status',
          'users.is_admin as u_is_admin',
          ...MEMBERSHIP_COLUMNS,
        ])
        .where('users.id', '=', p.userId)
        .orderBy('companies.id'),
    ),
  };
}

/** Who the caller is, in one read. */
export function whoAmIRepo(db: Kysely<Database>, q: ReturnType<typeof whoAmIQueries>) {
  return {
    /** The user, the session and the user's memberships; `undefined` when the user or the session is gone. */
    async findWhoAmI(userId: number, sessionId: string): Promise<WhoAmI | undefined> {
      const rows = await q.whoAmI.execute(db, { userId, sessionId });
      if (!rows.length) return undefined;
      // The session is what remains of a row without the user's columns and the membership's.
      const { u_id, u_account, u_name, u_status, u_is_admin, ...withMembership } = rows[0]!;
      const {
        m_company_id: _id,
        m_company_name: _name,
        m_company_status: _status,
        m_roles: _roles,
        m_is_default: _default,
        ...session
      } = withMembership;
      const memberships = membershipsOf(rows);
      return { user: { id: u_id, account: u_account, name: u_name, status: u_status, is_admin: u_is_admin }, session, memberships };
    },
  };
}
