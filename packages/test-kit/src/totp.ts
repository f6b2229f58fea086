import { Secret, TOTP } from 'otpauth';

/**
 * The code an authenticator app shows at `nowMs` for a base32 secret
 * (RFC 6238: SHA-1, 6 digits, 30 s), computed apart from the server's own
 * TOTP module, as a user's phone would.
 */
export function totpCodeAt(secret: string, nowMs: number): string {
  return TOTP.generate({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret), timestamp: nowMs });
}
