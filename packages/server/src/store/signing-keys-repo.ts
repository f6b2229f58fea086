import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SigningKeysTable } from './schema.js';

export type SigningKeyRow = Selectable<SigningKeysTable>;

/** Access-token signing keys (private halves sealed). */
export function signingKeysRepo(db: Kysely<Database>) {
  return {
    listSigningKeys(): Promise<SigningKeyRow[]> {
      return db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
    },
    async insertSigningKey(row: Insertable<SigningKeysTable>): Promise<void> {
      await db.insertInto('signing_keys').values(row).execute();
    },
    /** Stops every key but `kid` from signing (they stay published until retired_at + access lifetime). */
    async retireOtherKeys(kid: string, now: number): Promise<void> {
      await db.updateTable('signing_keys').set({ retired_at: now }).where('kid', '!=', kid).where('retired_at', 'is', null).execute();
    },
    async deleteKeysRetiredBefore(cutoff: number): Promise<void> {
      await db.deleteFrom('signing_keys').where('retired_at', '<', cutoff).execute();
    },
  };
}
