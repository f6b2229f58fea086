import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecret } from './parse-config.js';
import { ensureWritableDir } from './writable-dir.js';

/**
 * The server secret never lives in the database, so a database dump alone can
 * neither replay refresh tokens nor unseal signing keys. It comes from
 * `DUOTOKEN_SECRET`, else from `<dataDir>/secret.key`, created (mode 0600, in a
 * folder created 0700) on first start.
 */
export function loadServerSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return decodeSecret(configured);
  const path = join(dataDir, 'secret.key');
  if (existsSync(path)) return decodeSecret(readFileSync(path, 'utf8').trim());
  ensureWritableDir(dataDir, 'DUOTOKEN_DATA_DIR');
  const secret = randomBytes(32);
  writeFileSync(path, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return secret;
}
