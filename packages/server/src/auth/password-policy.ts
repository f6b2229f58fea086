import { AuthError } from '../errors/auth-error.js';
import { isCommonPassword, loadCommonPasswords } from './common-passwords.js';

/** Checks a new password against the policy; throws INVALID_REQUEST naming the rule. */
export type PasswordPolicy = (password: string) => void;

/** Longest password accepted, in UTF-8 bytes (bounds the hashing work). */
export const MAX_PASSWORD_BYTES = 256;

/**
 * NIST 800-63B 5.1.1.2 / ASVS 5.0 6.2 policy: a minimum length in characters,
 * a maximum in bytes, any Unicode, no composition rules, and none of the
 * 10,000 most common passwords. Applied on user creation, admin reset and
 * password change; never on login (an old password must still let its owner in).
 */
export function createPasswordPolicy(minLength: number, common: ReadonlySet<string> = loadCommonPasswords()): PasswordPolicy {
  return (password) => {
    if ([...password.normalize('NFC')].length < minLength)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'password', rule: 'min_length', min: minLength } });
    if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES)
      throw new AuthError('INVALID_REQUEST', { details: { field: 'password', rule: 'max_bytes', max: MAX_PASSWORD_BYTES } });
    if (isCommonPassword(password, common)) throw new AuthError('INVALID_REQUEST', { details: { field: 'password', rule: 'common' } });
  };
}
