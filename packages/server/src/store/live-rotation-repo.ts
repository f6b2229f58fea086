import { sql, type Kysely } from 'kysely';
import type { DatabaseTraits } from './database-traits.js';
import { PreparedQuery } from './prepared-query.js';
import { consumingClock, type refreshTokenQueries } from './refresh-tokens-repo.js';
import type { Database } from './schema.js';
import type { GroupCommit, SyncExecutor } from './sqlite-group-commit.js';
import {
  sessionContextQuery,
  toSessionContext,
  type SessionContext,
  type SessionContextRow,
  type sessionQueries,
} from './sessions-repo.js';

/** What the common refresh needs to know (see `rotateLiveRefreshToken`). */
export interface LiveRotation {
  jti: string;
  /** The successor's id, drawn by the caller. */
  successor: string;
  nowMs: number;
  /** The session's idle limit (0: none). */
  idleMs: number;
  /** When the successor expires unless its session ends first. */
  successorExpiresAtMs: number;
  /** When set, only a token of this session rotates (auto-renew). */
  sessionId?: string;
}

/** A rotation done: the session it was read with (before the touch) and the successor's expiry. */
export interface LiveRotated {
  context: SessionContext;
  successorExpiresAtMs: number;
}

type RotationParams = {
  jti: string;
  successor: string;
  now: number;
  /** The oldest `last_used_at` the idle limit admits. */
  activeSince: number;
  successorExpiresAt: number;
  sessionId: string | null;
};

/**
 * Consumes the token if it is unused and its session admits a refresh, as
 * `sessionStateOf(…) === 'live'` and an active user say (sessions/session-states.ts):
 * not revoked, not expired, not idle. The conditional UPDATE stays the race's referee.
 */
function consumeIfAdmitted(db: Kysely<Database>, p: RotationParams, traits: DatabaseTraits) {
  return db
    .updateTable('refresh_tokens')
    .set({ consumed_at: consumingClock(traits, p.now), successor_jti: p.successor })
    .where('jti', '=', p.jti)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', p.now)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select(sql`1`.as('one'))
          .whereRef('sessions.id', '=', 'refresh_tokens.session_id')
          .where('sessions.id', '=', sql<string>`coalesce(${p.sessionId}, ${sql.ref('refresh_tokens.session_id')})`)
          .where('sessions.revoked_at', 'is', null)
          .where('sessions.expires_at', '>', p.now)
          .where('sessions.last_used_at', '>=', p.activeSince)
          .where('users.status', '=', 'active'),
      ),
    );
}

/** The statements of the common refresh: one on a database with writable CTEs, four in a unit of a group commit otherwise. */
export function liveRotationQueries(traits: DatabaseTraits) {
  return {
    /**
     * PostgreSQL: consume, read the session context, insert the successor
     * (never past its session's end) and touch the session, in one statement
     * and one round trip. The token's row is locked before the session's,
     * the order every other path takes (tenancy's company switch).
     */
    rotate: new PreparedQuery<RotationParams, SessionContextRow & { successor_expires_at: number }>((db, p) =>
      db
        .with('consumed', () => consumeIfAdmitted(db, p, traits).returning('session_id'))
        .with('context', () => sessionContextQuery(db, sql<string>`(select session_id from consumed)`))
        .with('inserted', () =>
          db
            .insertInto('refresh_tokens')
            .columns(['jti', 'session_id', 'issued_at', 'expires_at', 'consumed_at', 'successor_jti'])
            .expression(
              db
                .selectFrom(sql<{ id: string; expires_at: number }>`context`.as('c'))
                .select([
                  sql`cast(${p.successor} as varchar)`.as('jti'),
                  'c.id',
                  sql`cast(${p.now} as bigint)`.as('issued_at'),
                  sql`least(${p.successorExpiresAt}, c.expires_at)`.as('expires_at'),
                  sql`cast(null as bigint)`.as('consumed_at'),
                  sql`cast(null as varchar)`.as('successor_jti'),
                ]),
            )
            .returning('expires_at'),
        )
        .with('touched', () =>
          db
            .updateTable('sessions')
            .set({ last_used_at: p.now })
            .where('id', '=', sql<string>`(select session_id from consumed)`),
        )
        .selectFrom([sql<SessionContextRow>`context`.as('c'), sql<{ expires_at: number }>`inserted`.as('i')])
        .selectAll('c')
        .select('i.expires_at as successor_expires_at'),
    ),
    /** Elsewhere (SQLite): the consume alone, the rest done by the caller in the same transaction (a unit of a group commit). */
    consume: new PreparedQuery<RotationParams, { session_id: string }>((db, p) => consumeIfAdmitted(db, p, traits).returning('session_id')),
  };
}

/** The common refresh in one capability (see `rotateLiveRefreshToken`). */
export function liveRotationRepo(
  db: Kysely<Database>,
  q: ReturnType<typeof liveRotationQueries>,
  sessions: ReturnType<typeof sessionQueries>,
  tokens: ReturnType<typeof refreshTokenQueries>,
  traits: DatabaseTraits,
  groupCommit: GroupCommit | undefined,
) {
  if (!traits.supportsWritableCtes && !groupCommit) throw new Error('a store without writable CTEs rotates through a group commit');
  /** The four statements, synchronously, inside the caller's transaction or savepoint. */
  const rotateNow = (x: SyncExecutor, p: RotationParams): LiveRotated | undefined => {
    const consumed = x.rows(q.consume.bind(db, p))[0];
    if (!consumed) return undefined;
    const context = toSessionContext(x.rows(sessions.context.bind(db, { id: consumed.session_id }))[0]!);
    const expiresAt = Math.min(p.successorExpiresAt, Number(context.session.expires_at));
    x.rows(
      tokens.insert.bind(db, {
        jti: p.successor,
        session_id: consumed.session_id,
        issued_at: p.now,
        expires_at: expiresAt,
        consumed_at: null,
        successor_jti: null,
      }),
    );
    x.rows(sessions.touch.bind(db, { id: consumed.session_id, now: p.now }));
    return { context, successorExpiresAtMs: expiresAt };
  };
  const grouped = async (p: RotationParams): Promise<LiveRotated | undefined> =>
    db.isTransaction ? groupCommit!.inline((x) => rotateNow(x, p)) : groupCommit!.run((x) => rotateNow(x, p));
  return {
    /**
     * The common refresh — an unused token of a session that admits a
     * refresh (`REFRESH_STEPS.unused.live`: rotate) — as one capability:
     * consumes the token, inserts its successor, touches the session, and
     * returns the session context; on PostgreSQL one statement, on SQLite
     * four in a transaction shared with the rotations that arrived alongside
     * (sqlite-group-commit.ts). `undefined`
     * when the token was not that (consumed, expired, unknown, its session
     * ended or another than `sessionId`): nothing changed, and the caller
     * takes the general path (`rotateRefreshToken`), which judges it.
     */
    async rotateLiveRefreshToken(r: LiveRotation): Promise<LiveRotated | undefined> {
      const p: RotationParams = {
        jti: r.jti,
        successor: r.successor,
        now: r.nowMs,
        activeSince: r.idleMs > 0 ? r.nowMs - r.idleMs : Number.MIN_SAFE_INTEGER,
        successorExpiresAt: r.successorExpiresAtMs,
        sessionId: r.sessionId ?? null,
      };
      if (!traits.supportsWritableCtes) return grouped(p);
      const row = await q.rotate.executeTakeFirst(db, p);
      if (!row) return undefined;
      const { successor_expires_at, ...context } = row;
      return { context: toSessionContext(context), successorExpiresAtMs: Number(successor_expires_at) };
    },
  };
}
