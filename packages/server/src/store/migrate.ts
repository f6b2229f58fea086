import { Migrator } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { OpenedDatabase } from './opened-database.js';

function migratorOf({ db, traits, schema }: OpenedDatabase): Migrator {
  // Naming the schema keeps Kysely from mistaking another schema's migration table for ours (and creates the schema).
  return new Migrator({ db, provider: migrationProvider(traits), ...(schema ? { migrationTableSchema: schema } : {}) });
}

/** Brings the schema up to date; returns the names of the migrations applied. */
export async function migrateToLatest(opened: OpenedDatabase): Promise<string[]> {
  const { error, results } = await migratorOf(opened).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The migrations `migrateToLatest` would apply, in order, without applying
 * any (`duotoken migrate --dry-run`). Reads only: on a database never
 * migrated it lists them all.
 */
export async function pendingMigrations(opened: OpenedDatabase): Promise<string[]> {
  const all = await migratorOf(opened).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
