import { sql, type Kysely, type QueryCreator, type RawBuilder, type Selectable } from 'kysely';
import { auditColumns, type AuditEventInsert, type auditQueries } from './audit-repo.js';
import type { DatabaseTraits } from './database-traits.js';
import { PreparedQuery } from './prepared-query.js';
import type { Database, LoginFailuresTable } from './schema.js';

export type LoginFailureRow = Selectable<LoginFailuresTable>;

/** How failures lock a key; built once from the lockout policy (`Lockout`). */
export interface LockSchedule {
  /** Consecutive failures from which the key is locked. */
  threshold: number;
  /** Lock (ms) once the failures reach `threshold + i`; counts past the end take the last entry. */
  stepsMs: readonly number[];
  /** Failures from which the lock never expires; `0` for never. */
  hardLimit: number;
  /** `locked_until` of a lock that never expires. */
  hardUntil: number;
  /**
   * An attempt reserved longer ago than this is no longer in flight: its
   * process died before finishing it (a check never takes this long).
   */
  inflightStaleMs: number;
}

/** The key after a failure was recorded. */
export interface RecordedFailure {
  /** Consecutive failures, this one included. */
  count: number;
  /** `locked_until` after it: later than the failure's instant when the key is locked. */
  lockedUntil: number;
}

const big = (n: unknown) => sql<number>`cast(${n} as bigint)`;

/**
 * `locked_until` once the failures are `count` (an SQL expression), or
 * `otherwise` while below the threshold; `now` is an SQL expression too, so
 * that the statement is compiled once per schedule.
 */
function lockExpression(
  count: RawBuilder<number>,
  now: RawBuilder<number>,
  s: LockSchedule,
  otherwise: RawBuilder<number>,
): RawBuilder<number> {
  const whens: RawBuilder<unknown>[] = [];
  if (s.hardLimit > 0) whens.push(sql`when ${count} >= ${s.hardLimit} then ${big(s.hardUntil)}`);
  s.stepsMs.forEach((ms, i) => {
    const last = i === s.stepsMs.length - 1;
    whens.push(sql`when ${count} ${last ? sql`>=` : sql`=`} ${s.threshold + i} then ${now} + ${big(ms)}`);
  });
  return sql<number>`case ${sql.join(whens, sql` `)} else ${otherwise} end`;
}

/** One fewer in flight, never below zero (a stale count may have been reset under a late finisher). */
const oneLessInFlight = sql<number>`case when login_failures.inflight > 0 then login_failures.inflight - 1 else 0 end`;

/** A right password (or code): the failures forgiven, any lock lifted, the attempt no longer in flight. Also a CTE of a login's session opening. */
export function forgiveAttempt(db: QueryCreator<Database>, key: string) {
  return db.updateTable('login_failures').set({ count: 0, locked_until: 0, inflight: oneLessInFlight }).where('key', '=', key);
}

/** A prepared statement per lock schedule (a server has one; tests make several). */
export function perSchedule<R>(build: (schedule: LockSchedule) => R): (schedule: LockSchedule) => R {
  const bySchedule = new WeakMap<LockSchedule, R>();
  return (schedule) => {
    let built = bySchedule.get(schedule);
    if (!built) bySchedule.set(schedule, (built = build(schedule)));
    return built;
  };
}

/** What reserving an attempt needs: the key, the instant, and the attempts older than `staleBefore` no longer in flight. */
export type ReservationArgs = {
  key: string;
  now: number;
  staleBefore: number;
};

/**
 * The reservation of one attempt: an upsert that returns a row only when it
 * reserved (the key not locked at `now`, and the failures counted plus the
 * live attempts in flight below the threshold; past it, one at a time).
 * Also a CTE of the second step's statement (second-step-repo.ts).
 */
export function reserveAttempt(db: QueryCreator<Database>, schedule: LockSchedule, p: ReservationArgs) {
  const live = sql<number>`(case when login_failures.inflight_at < ${big(p.staleBefore)} then 0 else login_failures.inflight end)`;
  const room = sql<number>`(case when login_failures.count >= ${schedule.threshold} then 1 else ${schedule.threshold} - login_failures.count end)`;
  return db
    .insertInto('login_failures')
    .values({ key: p.key, count: 0, inflight: 1, inflight_at: p.now, last_failure_at: 0, locked_until: 0 })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ inflight: sql<number>`${live} + 1`, inflight_at: p.now })
        .where((eb) => eb.and([eb('login_failures.locked_until', '<=', p.now), eb(live, '<', room)])),
    )
    .returning('inflight');
}

/** The statements of every password check, compiled once per store (and schedule). */
export function loginFailureQueries() {
  return {
    reserve: perSchedule((schedule) => new PreparedQuery((db, p: ReservationArgs) => reserveAttempt(db, schedule, p))),
    record: perSchedule(
      (schedule) =>
        new PreparedQuery((db, p: { key: string; now: number }) => {
          const next = sql<number>`login_failures.count + 1`;
          return db
            .updateTable('login_failures')
            .set({
              count: next,
              inflight: oneLessInFlight,
              last_failure_at: p.now,
              locked_until: lockExpression(next, big(p.now), schedule, sql<number>`login_failures.locked_until`),
            })
            .where('key', '=', p.key)
            .returning(['count', 'locked_until']);
        }),
    ),
    forgive: new PreparedQuery((db, p: { key: string }) => forgiveAttempt(db, p.key)),
    release: new PreparedQuery((db, p: { key: string }) =>
      db.updateTable('login_failures').set({ inflight: oneLessInFlight }).where('key', '=', p.key),
    ),
    /** PostgreSQL: the release and an audit event in one statement (a data-modifying CTE). */
    releaseWithEvent: new PreparedQuery((db, p: { key: string } & Required<AuditEventInsert>) =>
      db
        .with('e', (d) => d.insertInto('audit_events').values(auditColumns(p)).returning('id'))
        .updateTable('login_failures')
        .set({ inflight: oneLessInFlight })
        .where('key', '=', p.key),
    ),
  };
}

/**
 * Login attempts per account key, kept in the database so that they survive
 * restarts and bind every instance. Two numbers per key:
 * - `count`: consecutive failures (a wrong password adds one, a right one
 *   sets it to zero); the lock follows from it;
 * - `inflight`: attempts reserved and not yet finished.
 * An attempt is reserved in one atomic statement before the password is
 * checked, and only while `count + inflight` is below the threshold (past
 * it, one at a time): parallel guesses can never check more passwords than
 * the failures still allowed (issue #12 finding 1). Right passwords finishing
 * in any order never count against each other.
 */
export function loginFailuresRepo(
  db: Kysely<Database>,
  q: ReturnType<typeof loginFailureQueries>,
  audit: ReturnType<typeof auditQueries>,
  traits: DatabaseTraits,
) {
  const releaseAndRecord = async (tx: Kysely<Database>, key: string, event: AuditEventInsert) => {
    await q.release.execute(tx, { key });
    await audit.insert.execute(tx, auditColumns(event));
  };
  return {
    findLoginFailures(key: string): Promise<LoginFailureRow | undefined> {
      return db.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
    },
    /**
     * Reserves one attempt unless the key is locked at `now` or enough
     * attempts are already in flight to reach the threshold if all of them
     * fail: then nothing changes and the answer is false. Concurrent callers
     * are serialised by the row.
     */
    async reserveLoginAttempt(key: string, now: number, schedule: LockSchedule): Promise<boolean> {
      return (await q.reserve(schedule).execute(db, { key, now, staleBefore: now - schedule.inflightStaleMs })).length === 1;
    },
    /** A wrong password (or second-factor code): one more failure, and the lock it causes. */
    async recordLoginFailure(key: string, now: number, schedule: LockSchedule): Promise<RecordedFailure> {
      const row = await q.record(schedule).executeTakeFirst(db, { key, now });
      return { count: Number(row?.count ?? 0), lockedUntil: Number(row?.locked_until ?? 0) };
    },
    /** A right password: the failures are forgiven and any lock lifted. */
    async forgiveLoginAttempts(key: string): Promise<void> {
      await q.forgive.execute(db, { key });
    },
    /**
     * An attempt that ends neither right nor wrong (refused by a limit, or a
     * password while a second factor is due): no longer in flight. `event` is
     * written with it (one statement on PostgreSQL, one transaction elsewhere).
     */
    async releaseLoginAttempt(key: string, event?: AuditEventInsert): Promise<void> {
      if (!event) await q.release.execute(db, { key });
      else if (traits.supportsWritableCtes) await q.releaseWithEvent.execute(db, { key, ...auditColumns(event) });
      else if (db.isTransaction) await releaseAndRecord(db, key, event);
      else await db.transaction().execute((tx) => releaseAndRecord(tx, key, event));
    },
    /** How many counters hold a lock at `now` (timed ones not yet over, and those only an admin lifts). */
    async countLocksInForce(now: number): Promise<number> {
      const row = await db
        .selectFrom('login_failures')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('locked_until', '>', now)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** Forgets the failures and the lock of a key (admin unlock, password reset); attempts in flight stay in flight. */
    async clearLoginFailures(key: string): Promise<void> {
      await db.updateTable('login_failures').set({ count: 0, locked_until: 0 }).where('key', '=', key).execute();
    },
  };
}
