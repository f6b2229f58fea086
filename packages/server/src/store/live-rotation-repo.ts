import { sql, type Expression, type Kysely } from 'kysely';
import type { DatabaseTraits } from './database-traits.js';
import { PreparedQuery } from './prepared-query.js';
import { consumingClock, type refreshTokenQueries } from './refresh-tokens-repo.js';
import type { Database } from './schema.js';
import type { GroupCommit, SyncExecutor } from './sqlite-group-commit.js';
import { settle, TurnBatch, type Settled } from './turn-batch.js';
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

/** Rotation parameters as values (one rotation) or as columns of the batched statement's input rows. */
type RotationOperands = { [K in keyof RotationParams]: RotationParams[K] | Expression<RotationParams[K]> };

/** A batch of rotations as the batched statement takes them: one array per parameter. */
type RotationBatch = { [K in keyof RotationParams]: Array<RotationParams[K]> };

/**
 * Consumes the token if it is unused and its session admits a refresh, as
 * `sessionStateOf(…) === 'live'` and an active user say (sessions/session-states.ts):
 * not revoked, not expired, not idle. The conditional UPDATE stays the race's referee.
 */
function consumeIfAdmitted(db: Kysely<Database>, p: RotationOperands, traits: DatabaseTraits) {
  return (
    db
      .updateTable('refresh_tokens')
      .set({ consumed_at: consumingClock(traits, p.now), successor_jti: p.successor })
      // Qualified: in the batched statement, `input`'s columns of the same names are in scope too.
      .where('refresh_tokens.jti', '=', p.jti)
      .where('refresh_tokens.consumed_at', 'is', null)
      .where('refresh_tokens.expires_at', '>', p.now)
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
      )
  );
}

/** The statements of the common refresh: one on a database with writable CTEs (for any number of rotations), four in a unit of a group commit otherwise. */
export function liveRotationQueries(traits: DatabaseTraits) {
  return {
    /**
     * PostgreSQL: consume, read the session context, insert the successor
     * (never past its session's end) and touch the session, in one statement
     * and one round trip, for each row of `input`: one per rotation, from one
     * array per parameter, so that rotations that arrive together share the
     * round trip and the commit. A session with two rotations in one call is
     * touched once, with the later time. Rows come back for the rotations
     * that happened, named by their successor. A token's row is locked
     * before its session's, the order every other path takes (tenancy's
     * company switch). PostgreSQL's generic plan for it is index lookups
     * all the way (it counts `unnest` as ten rows; EXPLAINed on a table of
     * 417,000 tokens).
     */
    rotate: new PreparedQuery<RotationBatch, SessionContextRow & { successor: string; successor_expires_at: number }>((db, p) => {
      const column = <T>(name: string) => sql.ref<T>(`i.${name}`);
      const rotation: RotationOperands = {
        jti: column('jti'),
        successor: column('successor'),
        now: column('now'),
        activeSince: column('active_since'),
        successorExpiresAt: column('successor_expires_at'),
        sessionId: column('session_id'),
      };
      return db
        .with(
          'input',
          () => sql<RotationParams>`(select * from unnest(${p.jti}::varchar[], ${p.successor}::varchar[], ${p.now}::bigint[],
            ${p.activeSince}::bigint[], ${p.successorExpiresAt}::bigint[], ${p.sessionId}::varchar[])
            as i(jti, successor, now, active_since, successor_expires_at, session_id))`,
        )
        .with('consumed', () =>
          consumeIfAdmitted(db, rotation, traits)
            .from(sql`input`.as('i'))
            .returning([
              'refresh_tokens.session_id',
              sql<string>`i.successor`.as('successor'),
              sql<number>`i.now`.as('now'),
              sql<number>`i.successor_expires_at`.as('successor_expires_at'),
            ]),
        )
        .with('context', () => sessionContextQuery(db, sql<string>`(select session_id from consumed)`, 'in'))
        .with(
          'inserted',
          () => sql<{
            jti: string;
            expires_at: number;
          }>`(insert into refresh_tokens (jti, session_id, issued_at, expires_at, consumed_at, successor_jti)
            select c.successor, c.session_id, c.now, least(c.successor_expires_at, x.expires_at), null, null
            from consumed as c inner join context as x on x.id = c.session_id
            returning jti, expires_at)`,
        )
        .with(
          'touched',
          () => sql`(update sessions set last_used_at = m.now
            from (select session_id, max(now) as now from consumed group by session_id) as m where sessions.id = m.session_id)`,
        )
        .selectFrom([sql<SessionContextRow>`context`.as('x'), sql<{ session_id: string; successor: string }>`consumed`.as('c')])
        .innerJoin(sql<{ jti: string; expires_at: number }>`inserted`.as('n'), 'n.jti', 'c.successor')
        .selectAll('x')
        .select(['c.successor', 'n.expires_at as successor_expires_at'])
        .whereRef('x.id', '=', 'c.session_id');
    }),
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

  const rotated = (row: SessionContextRow & { successor_expires_at: number }): LiveRotated => {
    const { successor_expires_at, ...context } = row;
    return { context: toSessionContext(context), successorExpiresAtMs: Number(successor_expires_at) };
  };
  /** PostgreSQL: rotations in one statement; rows for those that happened, by successor. */
  const inOneStatement = async (batch: RotationParams[]) => {
    const rows = await q.rotate.execute(db, {
      jti: batch.map((p) => p.jti),
      successor: batch.map((p) => p.successor),
      now: batch.map((p) => p.now),
      activeSince: batch.map((p) => p.activeSince),
      successorExpiresAt: batch.map((p) => p.successorExpiresAt),
      sessionId: batch.map((p) => p.sessionId),
    });
    return new Map(rows.map(({ successor, ...row }) => [successor, row]));
  };
  const alone = async (p: RotationParams): Promise<LiveRotated | undefined> => {
    const row = (await inOneStatement([p])).get(p.successor);
    return row && rotated(row);
  };
  /** PostgreSQL, the rotations that arrived together (`turns`): one statement for all of them. */
  const together = async (batch: RotationParams[]): Promise<Array<Settled<LiveRotated | undefined>>> => {
    if (batch.length === 1) return [await settle(alone(batch[0]!))];
    let bySuccessor;
    try {
      bySuccessor = await inOneStatement(batch);
    } catch {
      // One statement, so nothing of it landed. Each rotation again alone: a failure (a deadlock with
      // another instance's batch, a successor id taken, the database gone) is then only its own.
      return Promise.all(batch.map((p) => settle(alone(p))));
    }
    return batch.map((p) => {
      const row = bySuccessor.get(p.successor);
      return { ok: true, value: row && rotated(row) };
    });
  };
  // Outside a transaction only: inside one, the caller's connection is the one to use. One statement in
  // flight at a time: the rotations arriving meanwhile go together in the next (docs/benchmarks.md has
  // the measured caps; one also keeps an instance's batches from deadlocking on each other's rows).
  const turns = traits.supportsWritableCtes && !db.isTransaction ? new TurnBatch(together, { maxInFlight: 1 }) : undefined;
  return {
    /**
     * The common refresh — an unused token of a session that admits a
     * refresh (`REFRESH_STEPS.unused.live`: rotate) — as one capability:
     * consumes the token, inserts its successor, touches the session, and
     * returns the session context. Rotations that arrive together (while
     * the previous batch runs, or in one turn of the event loop) share a
     * commit: on PostgreSQL one statement for all of them (one for each when
     * that fails), on SQLite four statements each in one transaction, a
     * savepoint each (sqlite-group-commit.ts). `undefined`
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
      return turns ? turns.add(p) : alone(p);
    },
  };
}
