import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { SQLITE_TRAITS } from './database-traits.js';
import type { OpenedDatabase } from './opened-database.js';
import { SqliteCheckpointer, WAL_RESTART_PAGES } from './sqlite-checkpointer.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { SqliteKeepCauseDialect } from './sqlite-keep-cause-dialect.js';
import { ensureWritableDir } from '../config/writable-dir.js';
import { acquireSqliteLock } from './sqlite-lock.js';
import { withStatementCache } from './sqlite-statement-cache.js';

export interface SqliteOptions {
  /**
   * Checkpoint the WAL on a thread of its own instead of inside commits (the
   * server; short CLI commands leave it to SQLite).
   */
  backgroundCheckpoints?: boolean;
  /** Where checkpoint errors go (the first of each failing streak). */
  onCheckpointError?: (message: string) => void;
  /** Told when checkpoints succeed again after an error. */
  onCheckpointRecovered?: () => void;
  /** Hold `<path>.lock` until closed, so that no second server opens the file (see `acquireSqliteLock`). */
  exclusiveServer?: boolean;
}

/** SQLite's own checkpoint threshold (pages) while the checkpointer thread runs: only a fallback. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 100_000;
/** SQLite's default, restored should the thread be lost. */
const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

/**
 * Opens (creating if needed) an embedded SQLite database with WAL.
 *
 * Durability: `synchronous=NORMAL` in WAL mode never corrupts the database; a
 * power cut (not a process crash) may lose the last transactions, which for
 * an auth server means a just-rotated refresh token may be forgotten and its
 * holder asked to log in again. That is the documented trade-off for ~3× the
 * write throughput of FULL.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): OpenedDatabase {
  if (path !== ':memory:') {
    ensureWritableDir(dirname(path), 'DUOTOKEN_DATA_DIR (or the path of DUOTOKEN_DATABASE_URL)');
    // Created here so that SQLite finds it 0600 (and makes its -wal and -shm files alike).
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }
  const lock = options.exclusiveServer && path !== ':memory:' ? acquireSqliteLock(path) : undefined;
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // A WAL that outgrew the checkpointer's RESTART bound (a long burst, a disk
  // that was full) is truncated back to that bound when it next starts over,
  // instead of keeping its largest size for ever (#13.2: disk the WAL needs).
  const pageBytes = Number(sqlite.pragma('page_size', { simple: true }));
  sqlite.pragma(`journal_size_limit = ${WAL_RESTART_PAGES * pageBytes}`);
  let checkpointer: SqliteCheckpointer | undefined;
  if (options.backgroundCheckpoints && path !== ':memory:') {
    checkpointer = new SqliteCheckpointer(path, {
      onError: options.onCheckpointError,
      onRecovered: options.onCheckpointRecovered,
      onLost: () => {
        options.onCheckpointError?.('checkpoint thread ended: SQLite checkpoints inside commits again');
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
      },
    });
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  }
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteKeepCauseDialect({ database: statements }, sqlite) });
  return {
    db,
    groupCommit: new SqliteGroupCommit(sqlite, statements, db),
    traits: SQLITE_TRAITS,
    description: `sqlite:${path}`,
    release:
      checkpointer || lock
        ? async () => {
            await checkpointer?.stop();
            lock?.release();
          }
        : undefined,
  };
}
