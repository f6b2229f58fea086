import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Live sessions (not revoked, not past their absolute expiry) at `now` (ms).
 * One aggregate query; the metrics reuse its answer for a few seconds, so a
 * scrape never costs more than one count per interval.
 */
export async function countActiveSessions(db: Kysely<Database>, now: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
