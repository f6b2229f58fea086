import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { Database, LoginFailuresTable } from './schema.js';

export type LoginFailureRow = Selectable<LoginFailuresTable>;

/** How a reservation locks its key; built once from the lockout policy (`Lockout`). */
export interface LockSchedule {
  /** Count from which a reservation locks the key. */
  threshold: number;
  /** Lock (ms) once the count reaches `threshold + i`; counts past the end take the last entry. */
  stepsMs: readonly number[];
  /** Count from which the lock never expires; `0` for never. */
  hardLimit: number;
  /** `locked_until` of a lock that never expires. */
  hardUntil: number;
}

/** A reserved attempt, as the reservation left its key. */
export interface ReservedAttempt {
  /** Position of this reservation among every reservation ever made on the key (never decreases). */
  seq: number;
  /** Attempts counted, this one included. */
  count: number;
  /** `locked_until` after this reservation: later than now when this reservation started a lock. */
  lockedUntil: number;
}

const big = (n: number) => sql<number>`cast(${n} as bigint)`;

/** `locked_until` once the count is `count` (an SQL expression), or `otherwise` while below the threshold. */
function lockExpression(count: RawBuilder<number>, now: number, s: LockSchedule, otherwise: RawBuilder<number>): RawBuilder<number> {
  const whens: RawBuilder<unknown>[] = [];
  if (s.hardLimit > 0) whens.push(sql`when ${count} >= ${s.hardLimit} then ${big(s.hardUntil)}`);
  s.stepsMs.forEach((ms, i) => {
    const last = i === s.stepsMs.length - 1;
    whens.push(sql`when ${count} ${last ? sql`>=` : sql`=`} ${s.threshold + i} then ${big(now + ms)}`);
  });
  return sql<number>`case ${sql.join(whens, sql` `)} else ${otherwise} end`;
}

/** The same rule in JavaScript, for the first reservation of a key (the INSERT). */
function lockValue(count: number, now: number, s: LockSchedule): number {
  if (s.hardLimit > 0 && count >= s.hardLimit) return s.hardUntil;
  if (count < s.threshold) return 0;
  return now + s.stepsMs[Math.min(count - s.threshold, s.stepsMs.length - 1)]!;
}

/**
 * Consecutive login attempts per account key, kept in the database so that
 * they survive restarts and bind every instance. An attempt is reserved
 * (counted as a failure, and the lock it would cause written) in one atomic
 * statement before the password is checked; a right password then forgives
 * it. Rows are never deleted, so `seq` only grows.
 */
export function loginFailuresRepo(db: Kysely<Database>) {
  return {
    findLoginFailures(key: string): Promise<LoginFailureRow | undefined> {
      return db.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
    },
    /**
     * Counts one attempt and writes the lock it causes, unless the key is
     * locked at `now`: then nothing changes and the answer is undefined.
     * Concurrent callers are serialised by the row, so past the threshold
     * exactly one of them starts the lock and the others are refused.
     */
    async reserveLoginAttempt(key: string, now: number, schedule: LockSchedule): Promise<ReservedAttempt | undefined> {
      const next = sql<number>`login_failures.count + 1`;
      const row = await db
        .insertInto('login_failures')
        .values({ key, count: 1, seq: 1, last_failure_at: now, locked_until: lockValue(1, now, schedule) })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({
              count: next,
              seq: sql<number>`login_failures.seq + 1`,
              last_failure_at: now,
              locked_until: lockExpression(next, now, schedule, sql<number>`login_failures.locked_until`),
            })
            .where('login_failures.locked_until', '<=', now),
        )
        .returning(['seq', 'count', 'locked_until'])
        .executeTakeFirst();
      return row && { seq: Number(row.seq), count: Number(row.count), lockedUntil: Number(row.locked_until) };
    },
    /**
     * A right password: forgives the attempt reserved at `seq` and every one
     * reserved before it. Attempts reserved after it stay counted; the lock
     * is lifted when they are fewer than `threshold`.
     */
    async forgiveLoginAttempts(key: string, seq: number, threshold: number): Promise<void> {
      const after = sql<number>`(login_failures.seq - ${seq})`;
      const left = sql<number>`(case when ${after} < 0 then 0 when ${after} < login_failures.count then ${after} else login_failures.count end)`;
      await db
        .updateTable('login_failures')
        .set({ count: left, locked_until: sql<number>`case when ${left} < ${threshold} then 0 else login_failures.locked_until end` })
        .where('key', '=', key)
        .execute();
    },
    /**
     * An attempt that was never checked (refused by a limit): uncounts it, and
     * lifts the lock it started (`lockedUntil`, its reservation's) or one that
     * the remaining count no longer warrants.
     */
    async releaseLoginAttempt(key: string, lockedUntil: number, threshold: number): Promise<void> {
      await db
        .updateTable('login_failures')
        .set({
          count: sql<number>`case when login_failures.count > 0 then login_failures.count - 1 else 0 end`,
          locked_until: sql<number>`case when login_failures.count - 1 < ${threshold} or login_failures.locked_until = ${big(lockedUntil)}
            then 0 else login_failures.locked_until end`,
        })
        .where('key', '=', key)
        .execute();
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
    /** Forgets the failures and the lock of a key (admin unlock, password reset). */
    async clearLoginFailures(key: string): Promise<void> {
      await db.updateTable('login_failures').set({ count: 0, locked_until: 0 }).where('key', '=', key).execute();
    },
  };
}
