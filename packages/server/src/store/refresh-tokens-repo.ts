import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, RefreshTokensTable } from './schema.js';

export type RefreshTokenRow = Selectable<RefreshTokensTable>;

/** Refresh-token records: only hashes, the successor link and timestamps. */
export function refreshTokensRepo(db: Kysely<Database>) {
  return {
    async insertRefreshToken(row: Insertable<RefreshTokensTable>): Promise<void> {
      await db.insertInto('refresh_tokens').values(row).execute();
    },
    /**
     * Marks an unconsumed, unexpired token consumed. Exactly one of concurrent
     * callers gets the row back: the conditional UPDATE is the race's referee.
     */
    consumeRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRow | undefined> {
      return db
        .updateTable('refresh_tokens')
        .set({ consumed_at: now })
        .where('token_hash', '=', tokenHash)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
    },
    findRefreshToken(tokenHash: string): Promise<RefreshTokenRow | undefined> {
      return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    async setSuccessor(jti: string, successorJti: string): Promise<void> {
      await db.updateTable('refresh_tokens').set({ successor_jti: successorJti }).where('jti', '=', jti).execute();
    },
    /** The session's newest unconsumed refresh token, if any. */
    findLiveRefreshToken(sessionId: string, now: number): Promise<RefreshTokenRow | undefined> {
      return db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('issued_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    async countLiveRefreshTokens(sessionId: string, now: number): Promise<number> {
      const row = await db
        .selectFrom('refresh_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('session_id', '=', sessionId)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
