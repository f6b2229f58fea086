import { Migrator } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { OpenedDatabase } from './opened-database.js';

/** Brings the schema up to date; returns the names of the migrations applied. */
export async function migrateToLatest({ db, traits, schema }: OpenedDatabase): Promise<string[]> {
  // Naming the schema keeps Kysely from mistaking another schema's migration table for ours (and creates the schema).
  const migrator = new Migrator({ db, provider: migrationProvider(traits), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
