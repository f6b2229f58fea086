import type { Database as SqliteDatabase } from 'better-sqlite3';
import { SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite driver, except that a rollback is skipped when SQLite has
 * already rolled the transaction back by itself.
 *
 * On `SQLITE_FULL`, `SQLITE_IOERR`, `SQLITE_NOMEM` (and some `SQLITE_BUSY`)
 * SQLite may end the transaction on its own. Kysely then sends `ROLLBACK`,
 * which fails with "cannot rollback - no transaction is active", and that
 * error replaces the real one: a full disk answered 500 and logged the wrong
 * cause (#13.1). Asking the connection whether a transaction is still open
 * (`sqlite3_get_autocommit`) keeps the real error.
 */
class SqliteKeepCauseDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SqliteDatabase,
  ) {
    super(config);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.sqlite.inTransaction) return;
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      // Rolled back after all (the ROLLBACK raced SQLite's own): the caller's error is the one to keep.
      if (this.sqlite.inTransaction) throw error;
    }
  }
}

/** Kysely's SqliteDialect over {@link SqliteKeepCauseDriver}. */
export class SqliteKeepCauseDialect extends SqliteDialect {
  constructor(
    private readonly dialectConfig: SqliteDialectConfig,
    private readonly sqlite: SqliteDatabase,
  ) {
    super(dialectConfig);
  }

  override createDriver(): Driver {
    return new SqliteKeepCauseDriver(this.dialectConfig, this.sqlite);
  }
}
