import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { loadConfig } from '../config/load-config.js';
import { decodeSecret } from '../config/parse-config.js';
import type { Config } from '../config/settings.js';
import { ensureWritableDir } from '../config/writable-dir.js';
import { unseal } from '../crypto/sealed-box.js';
import { deriveServerKeys } from '../crypto/server-secret.js';
import { sqlitePathOf } from '../runtime.js';
import { migrationNames } from '../store/migrations.js';
import { backupSqlite, inspectSqliteBackup, restoreSqlite } from '../store/sqlite-backup.js';
import { acquireSqliteLock } from '../store/sqlite-lock.js';

const PG_DUMP_HINT =
  'the store is PostgreSQL: back it up with pg_dump and restore with pg_restore (README, "Backup and restore"); ' +
  'keep DUOTOKEN_SECRET with it';

function embeddedDatabaseOf(config: Config): string {
  const path = sqlitePathOf(config);
  if (path === undefined) throw new Error(PG_DUMP_HINT);
  return path;
}

/** `duotoken backup <file>`: an online, consistent copy of the embedded database. */
export async function backupCommand(file: string): Promise<{ file: string; database: string; pages: number }> {
  const database = embeddedDatabaseOf(loadConfig());
  const { pages } = await backupSqlite(database, file);
  return { file, database, pages };
}

/**
 * The server secret this installation would use, without creating one: a
 * restore must not generate a new secret that cannot open the backup.
 */
function configuredSecret(config: Config): Buffer | undefined {
  if (config.secret) return decodeSecret(config.secret);
  const path = join(config.dataDir, 'secret.key');
  return existsSync(path) ? decodeSecret(readFileSync(path, 'utf8').trim()) : undefined;
}

/**
 * Refuses a backup whose signing keys this installation's secret cannot
 * unseal: restored, it would fail at start, and every refresh token in it
 * would be refused (they are keyed by the same secret).
 */
function checkSecretOpens(backupPath: string, config: Config): void {
  const secret = configuredSecret(config);
  const hint = `put the secret.key saved with the backup in ${config.dataDir} (or set DUOTOKEN_SECRET) first`;
  if (!secret) throw new Error(`no server secret here: ${hint}`);
  const backup = new SqliteDatabase(backupPath, { readonly: true, fileMustExist: true });
  try {
    const row = backup.prepare('select kid, private_sealed from signing_keys limit 1').get() as
      { kid: string; private_sealed: string } | undefined;
    if (!row) return;
    try {
      unseal(deriveServerKeys(secret).sealKey, row.private_sealed);
    } catch {
      throw new Error(`the server secret here is not the one of the backup (signing key ${row.kid} does not open): ${hint}`);
    }
  } finally {
    backup.close();
  }
}

/**
 * `duotoken restore <file>`: replaces the embedded database with a backup.
 * Refused while a server runs on it (the server lock), for a backup newer
 * than this release, or when the server secret does not match. An older
 * backup is migrated forward by the next `duotoken serve` or `migrate`.
 */
export async function restoreCommand(file: string): Promise<{ file: string; database: string; savedAs?: string; pending: string[] }> {
  const config = loadConfig();
  const database = embeddedDatabaseOf(config);
  const { migrations } = inspectSqliteBackup(file);
  const known = migrationNames();
  const unknown = migrations.filter((m) => !known.includes(m));
  if (unknown.length)
    throw new Error(`${file} was written by a newer duotoken (migrations ${unknown.join(', ')}): restore it with that release`);
  checkSecretOpens(file, config);
  ensureWritableDir(dirname(database), 'DUOTOKEN_DATA_DIR (or the path of DUOTOKEN_DATABASE_URL)');
  const lock = acquireSqliteLock(database);
  try {
    const { savedAs } = await restoreSqlite(file, database, Date.now());
    return { file, database, ...(savedAs ? { savedAs } : {}), pending: known.filter((m) => !migrations.includes(m)) };
  } finally {
    lock.release();
  }
}
