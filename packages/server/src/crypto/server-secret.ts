import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSecret } from '../config/parse-config.js';
import { ensureWritableDir } from '../config/writable-dir.js';

/** Keys derived from the server secret, each for one purpose. */
export interface ServerKeys {
  /** HMAC key of refresh tokens. */
  readonly refreshKey: Buffer;
  /** AES-256-GCM key sealing private signing keys in the store. */
  readonly sealKey: Buffer;
  /** HMAC key for pseudonymous ids (failure counters of account names). */
  readonly pseudonymKey: Buffer;
}

function derive(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `duotoken ${purpose}`, 32));
}

/** Derives the purpose keys from a secret of at least 32 bytes. */
export function deriveServerKeys(secret: Buffer): ServerKeys {
  return Object.freeze({
    refreshKey: derive(secret, 'refresh-token'),
    sealKey: derive(secret, 'key-seal'),
    pseudonymKey: derive(secret, 'pseudonym'),
  });
}

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

/** HMAC-SHA256 as base64url. */
export function hmac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}
