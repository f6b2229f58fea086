import { createHmac, hkdfSync } from 'node:crypto';

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

/** HMAC-SHA256 as base64url. */
export function hmac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('base64url');
}
