import { createHmac, type KeyObject } from 'node:crypto';
import { signEd25519, type SigningThread } from './signing-thread.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs a JWS in compact serialization (RFC 7515 §7.1) with node:crypto:
 * Ed25519 (`EdDSA`, RFC 8037) or HMAC-SHA256 (`HS256`). This is what jose's
 * SignJWT does, minus its per-call key checks and WebCrypto hand-off, which
 * cost about as much CPU again as the Ed25519 signature itself on the
 * access-token hot path (every login and refresh). Ed25519 signatures go to
 * `thread` when one is given; an HMAC (≈ 2 µs) is cheaper than the hand-off.
 * Verification stays with jose.
 */
export async function signCompactJws(
  header: { alg: 'EdDSA' | 'HS256'; [name: string]: unknown },
  payload: object,
  key: KeyObject,
  thread?: SigningThread,
): Promise<string> {
  const input = `${encode(header)}.${encode(payload)}`;
  const signature =
    header.alg === 'HS256'
      ? createHmac('sha256', key).update(input).digest('base64url')
      : thread
        ? await thread.sign(input, key)
        : signEd25519(input, key);
  return `${input}.${signature}`;
}
