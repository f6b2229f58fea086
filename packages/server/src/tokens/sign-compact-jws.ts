import { createHmac, sign, type KeyObject } from 'node:crypto';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a JWS in compact serialization (RFC 7515 §7.1) with node:crypto in one
 * call: Ed25519 (`EdDSA`, RFC 8037) or HMAC-SHA256 (`HS256`). This is what
 * jose's SignJWT does, minus its per-call key checks and WebCrypto hand-off,
 * which cost about as much CPU again as the Ed25519 signature itself on the
 * access-token hot path (every login and refresh). Verification stays with
 * jose.
 */
export function signCompactJws(header: { alg: 'EdDSA' | 'HS256'; [name: string]: unknown }, payload: object, key: KeyObject): string {
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = header.alg === 'HS256' ? createHmac('sha256', key).update(input).digest() : sign(null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}
