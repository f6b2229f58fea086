import { randomBytes } from 'node:crypto';

/** A random identifier of `bytes` bytes, base64url (128 bits by default). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
