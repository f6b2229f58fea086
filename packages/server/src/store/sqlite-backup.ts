import { chmodSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** Pages per backup step: all of them, so that one step copies one snapshot. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a live SQLite database to `targetPath` (created 0600, never over an
 * existing file) with SQLite's online backup API, while servers keep
 * writing. The copy is taken in one step, i.e. inside one read transaction,
 * so it is one consistent snapshot that includes what only the WAL holds: a
 * plain file copy would miss the last commits or catch a page mid-checkpoint.
 * Should another process write between steps, SQLite restarts the copy.
 */
export async function backupSqlite(databasePath: string, targetPath: string): Promise<{ pages: number }> {
  if (existsSync(targetPath)) throw new Error(`${targetPath} exists already: choose a new file name`);
  if (!existsSync(databasePath)) throw new Error(`no database at ${databasePath}`);
  const source = new SqliteDatabase(databasePath, { readonly: true, fileMustExist: true, timeout: 5000 });
  // Written in a private folder beside the target, then renamed: a half-written file never carries the final name.
  const scratch = mkdtempSync(join(dirname(targetPath), `.${basename(targetPath)}-`));
  try {
    const partial = join(scratch, 'backup.db');
    const { totalPages } = await source.backup(partial, { progress: () => ALL_PAGES });
    chmodSync(partial, 0o600);
    renameSync(partial, targetPath);
    return { pages: totalPages };
  } finally {
    source.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** What a backup file holds, checked before it replaces anything. */
export interface BackupInfo {
  /** Migrations recorded in the backup, in order. */
  migrations: string[];
}

/**
 * Opens a backup read-only and checks it is a whole duotoken database:
 * SQLite's integrity check passes and it has a migration history.
 */
export function inspectSqliteBackup(backupPath: string): BackupInfo {
  if (!existsSync(backupPath)) throw new Error(`no backup at ${backupPath}`);
  let backup: SqliteDatabase.Database | undefined;
  try {
    backup = new SqliteDatabase(backupPath, { readonly: true, fileMustExist: true });
    const check = backup.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    const rows = backup.prepare('select name from kysely_migration order by name').all() as { name: string }[];
    return { migrations: rows.map((r) => r.name) };
  } catch (error) {
    throw new Error(`${backupPath} is not a usable duotoken backup: ${(error as Error).message}`, { cause: error });
  } finally {
    backup?.close();
  }
}

/**
 * Replaces the database at `databasePath` with a copy of `backupPath`. The
 * caller holds the server lock (no server may have the file open). The
 * current database is first saved beside it as `<name>.before-restore-<ms>`;
 * its WAL and shared-memory files are removed before the restored file takes
 * its name, because SQLite would replay a stale WAL onto the restored pages.
 */
export async function restoreSqlite(backupPath: string, databasePath: string, nowMs: number): Promise<{ savedAs?: string }> {
  const staging = `${databasePath}.restoring`;
  rmSync(staging, { force: true });
  const backup = new SqliteDatabase(backupPath, { readonly: true, fileMustExist: true });
  try {
    await backup.backup(staging, { progress: () => ALL_PAGES });
  } finally {
    backup.close();
  }
  chmodSync(staging, 0o600);
  let savedAs: string | undefined;
  if (existsSync(databasePath)) {
    savedAs = `${databasePath}.before-restore-${nowMs}`;
    const current = new SqliteDatabase(databasePath, { fileMustExist: true });
    try {
      await current.backup(savedAs, { progress: () => ALL_PAGES });
      chmodSync(savedAs, 0o600);
    } finally {
      current.close();
    }
  }
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${databasePath}${suffix}`, { force: true });
  renameSync(staging, databasePath);
  return savedAs ? { savedAs } : {};
}
