import type { Kysely } from 'kysely';
import type { DatabaseTraits } from './database-traits.js';
import type { Database } from './schema.js';
import type { GroupCommit } from './sqlite-group-commit.js';

/** A connected database with its traits (what differs between SQLite and PostgreSQL). */
export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly traits: DatabaseTraits;
  /** Where it is, for logs (never with a password). */
  readonly description: string;
  /** PostgreSQL: the schema holding the tables (and Kysely's migration tables). */
  readonly schema?: string;
  /** Stops what runs beside the connection (SQLite's checkpointer thread); the store calls it before closing. */
  readonly release?: () => Promise<void>;
  /** SQLite: short write transactions that arrive together, committed together (sqlite-group-commit.ts). */
  readonly groupCommit?: GroupCommit;
}
