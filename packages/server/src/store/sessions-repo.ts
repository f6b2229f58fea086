import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from './schema.js';

export type SessionRow = Selectable<SessionsTable>;

/** A session whose outstanding access tokens must be fenced off. */
export interface FencedSession {
  id: string;
  version: number;
  revoked: boolean;
  fencedAt: number;
}

/** Sessions: one per login, the family of its refresh tokens. */
export function sessionsRepo(db: Kysely<Database>) {
  return {
    async createSession(row: Insertable<SessionsTable>): Promise<void> {
      await db.insertInto('sessions').values(row).execute();
    },
    findSession(id: string): Promise<SessionRow | undefined> {
      return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async touchSession(id: string, now: number): Promise<void> {
      await db.updateTable('sessions').set({ last_used_at: now }).where('id', '=', id).execute();
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
    /** Sessions revoked or re-versioned since `since` (ms): the fence's start-up load. */
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
