import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginFailuresTable } from './schema.js';

export type LoginFailureRow = Selectable<LoginFailuresTable>;

/** Consecutive login failures per account key, kept in the database so they survive restarts. */
export function loginFailuresRepo(db: Kysely<Database>) {
  return {
    findLoginFailures(key: string): Promise<LoginFailureRow | undefined> {
      return db.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirst();
    },
    /** Adds one failure atomically (concurrent failures are all counted); returns the new count. */
    async incrementLoginFailures(key: string, now: number): Promise<number> {
      const row = await db
        .insertInto('login_failures')
        .values({ key, count: 1, last_failure_at: now, locked_until: 0 })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ count: eb('login_failures.count', '+', 1), last_failure_at: now })))
        .returning('count')
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
    async lockLoginFailures(key: string, until: number): Promise<void> {
      await db.updateTable('login_failures').set({ locked_until: until }).where('key', '=', key).execute();
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
    async clearLoginFailures(key: string): Promise<void> {
      await db.deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}
