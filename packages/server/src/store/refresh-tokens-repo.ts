import type { Insertable, Kysely, Selectable } from 'kysely';
import { PreparedQuery } from './prepared-query.js';
import type { Database, RefreshTokensTable } from './schema.js';

export type RefreshTokenRow = Selectable<RefreshTokensTable>;

/** The refresh path's statements, compiled once per store (bench/: refresh rotations/s). */
export function refreshTokenQueries() {
  return {
    insert: new PreparedQuery<Insertable<RefreshTokensTable> & Record<string, unknown>, unknown>((db, p) =>
      db.insertInto('refresh_tokens').values({
        jti: p.jti,
        session_id: p.session_id,
        issued_at: p.issued_at,
        expires_at: p.expires_at,
        consumed_at: p.consumed_at,
        successor_jti: p.successor_jti,
      }),
    ),
    consume: new PreparedQuery<{ jti: string; successor: string; now: number }, RefreshTokenRow>((db, p) =>
      db
        .updateTable('refresh_tokens')
        .set({ consumed_at: p.now, successor_jti: p.successor })
        .where('jti', '=', p.jti)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', p.now)
        .returningAll(),
    ),
    find: new PreparedQuery<{ jti: string }, RefreshTokenRow>((db, p) =>
      db.selectFrom('refresh_tokens').selectAll().where('jti', '=', p.jti),
    ),
  };
}

/** Refresh-token records: the id, the successor link and timestamps; never a token string. */
export function refreshTokensRepo(db: Kysely<Database>, q: ReturnType<typeof refreshTokenQueries>) {
  return {
    async insertRefreshToken(row: Insertable<RefreshTokensTable>): Promise<void> {
      await q.insert.execute(db, { consumed_at: null, successor_jti: null, ...row });
    },
    /**
     * Marks an unconsumed, unexpired token consumed by `successor`. Exactly one
     * of concurrent callers gets the row back: the conditional UPDATE is the
     * race's referee.
     */
    consumeRefreshToken(jti: string, successor: string, now: number): Promise<RefreshTokenRow | undefined> {
      return q.consume.executeTakeFirst(db, { jti, successor, now });
    },
    findRefreshToken(jti: string): Promise<RefreshTokenRow | undefined> {
      return q.find.executeTakeFirst(db, { jti });
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
