import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DatabaseTraits } from './database-traits.js';
import type { Database } from './schema.js';

/**
 * Batched deletes of what is no longer needed (#13.2). Each call deletes at
 * most `limit` rows in one short statement, so that the retention job never
 * holds the database (SQLite: the one connection) for long. On PostgreSQL the
 * rows are picked with `FOR UPDATE SKIP LOCKED`: several instances running
 * the job at once take disjoint rows instead of queueing on each other.
 */
export function retentionRepo(db: Kysely<Database>, traits: DatabaseTraits) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same clause on three tables' selects
  const skipLocked = <Q extends SelectQueryBuilder<Database, any, any>>(q: Q): Q =>
    traits.supportsRowLocks ? (q.forUpdate().skipLocked() as Q) : q;
  return {
    /**
     * Refresh-token rows that expired before `before` (ms). A consumed token is
     * kept until then: presented again before it expires, it still trips reuse
     * detection; once expired it is refused whether its row exists or not.
     */
    async deleteExpiredRefreshTokens(before: number, limit: number): Promise<number> {
      const victims = skipLocked(db.selectFrom('refresh_tokens').select('jti').where('expires_at', '<', before).limit(limit));
      const result = await db.deleteFrom('refresh_tokens').where('jti', 'in', victims).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /**
     * Sessions that ended (revoked, or past their absolute expiry) before
     * `before` and hold no refresh-token row any more, i.e. none of their
     * refresh tokens could still be presented.
     */
    async deleteEndedSessions(before: number, limit: number): Promise<number> {
      const victims = skipLocked(
        db
          .selectFrom('sessions')
          .select('id')
          .where((eb) => eb.or([eb('revoked_at', '<', before), eb('expires_at', '<', before)]))
          .where((eb) =>
            eb.not(
              eb.exists(
                eb.selectFrom('refresh_tokens').select('refresh_tokens.jti').whereRef('refresh_tokens.session_id', '=', 'sessions.id'),
              ),
            ),
          )
          .limit(limit),
      );
      const result = await db.deleteFrom('sessions').where('id', 'in', victims).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Audit events recorded before `before` (ms). */
    async deleteAuditEventsBefore(before: number, limit: number): Promise<number> {
      const victims = skipLocked(db.selectFrom('audit_events').select('id').where('at', '<', before).limit(limit));
      const result = await db.deleteFrom('audit_events').where('id', 'in', victims).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** The retention methods of the store. */
export type RetentionRepo = ReturnType<typeof retentionRepo>;
