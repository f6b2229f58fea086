import { randomInt } from 'node:crypto';
import { hmac } from '../crypto/server-secret.js';

/** How many recovery codes a set holds. */
export const RECOVERY_CODE_COUNT = 10;

/** Letters that cannot be misread for one another (no 0/O, 1/I/L). */
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';

/** A new set of recovery codes, `xxxxx-xxxxx` (about 49 bits each), shown once. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * The stored form of a code: a keyed hash of its normalised text (case,
 * spaces and dashes ignored). The codes are random, so a keyed hash suffices:
 * a database dump without the server secret cannot test guesses offline.
 */
export function hashRecoveryCode(key: Buffer, code: string): string {
  return hmac(key, code.toLowerCase().replace(/[\s-]/g, ''));
}
