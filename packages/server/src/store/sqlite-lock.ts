import { chmodSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';

/** Thrown when another server holds the database: two would keep apart the state they hold in memory. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly databasePath: string,
    readonly lockPath: string,
  ) {
    super(
      `another duotoken server is running on ${databasePath} (it holds ${lockPath}): stop it first; ` +
        'several instances need PostgreSQL and Redis (DUOTOKEN_DATABASE_URL, DUOTOKEN_REDIS_URL)',
    );
    this.name = 'DatabaseLockedError';
  }
}

/** A held lock; `release()` lets the next server start. */
export interface SqliteLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the lock beside an embedded database (`<database>.lock`) for one
 * server process. The revocation fence, rate limits and challenges live in
 * that process's memory, so a second server on the same SQLite file would
 * accept tokens the first one revoked.
 *
 * The lock is SQLite's own exclusive file lock on a small database of its
 * own, held for the life of the connection: the kernel drops it when the
 * process dies, so a crash never leaves a stale lock behind (a PID file
 * would), and a second opener, in this process or another, fails at once.
 */
export function acquireSqliteLock(databasePath: string): SqliteLock {
  const path = `${databasePath}.lock`;
  const lock = new SqliteDatabase(path, { timeout: 0 });
  try {
    chmodSync(path, 0o600);
    lock.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in EXCLUSIVE locking mode it is never given back.
    lock.exec('begin exclusive; create table if not exists holder (pid integer); delete from holder;');
    lock.prepare('insert into holder (pid) values (?)').run(process.pid);
    lock.exec('commit');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DatabaseLockedError(databasePath, path);
    throw error;
  }
  return { path, release: () => lock.close() };
}
