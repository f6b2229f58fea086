import { Migrator } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { OpenedDatabase } from './opened-database.js';

/** Brings the schema up to date; returns the names of the migrations applied. */
export async function migrateToLatest({ db, traits }: OpenedDatabase): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(traits) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
