import { AuthError } from '../errors/auth-error.js';
import type { PasswordPolicy } from '../sessions/session-service.js';

/** Longest password accepted, in UTF-8 bytes (bounds the hashing work). */
export const MAX_PASSWORD_BYTES = 256;

/**
 * NIST 800-63B / ASVS style policy: a minimum length, a maximum in bytes,
 * any Unicode, no composition rules.
 */
export function createPasswordPolicy(minLength: number): PasswordPolicy {
  return (password) => {
    if ([...password.normalize('NFC')].length < minLength)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'password', rule: 'min_length', min: minLength } });
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'password', rule: 'max_bytes', max: MAX_PASSWORD_BYTES } });
  };
}
