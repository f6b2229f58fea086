import { hkdfSync } from 'node:crypto';

/** Keys of the MFA module, derived from the server secret (never stored in the database). */
export interface MfaKeys {
  /** AES-256-GCM key sealing TOTP secrets at rest. */
  readonly sealKey: Buffer;
  /** HMAC key of recovery codes and remembered-device tokens. */
  readonly hashKey: Buffer;
}

/** Derives the MFA keys, each for one purpose, like `deriveServerKeys`. */
export function deriveMfaKeys(secret: Buffer): MfaKeys {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `duotoken ${purpose}`, 32));
  return Object.freeze({ sealKey: derive('mfa-seal'), hashKey: derive('mfa-hash') });
}
