import { createHmac } from 'node:crypto';
import { CompactSign, decodeJwt } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { TestServer } from './test-server.js';

/** base64url of a JSON value or raw text. */
export const b64u = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The same bytes under another base64url spelling: the unused low bits of the
 * last character set (a canonical encoder leaves them zero, RFC 4648 §3.5).
 * Undefined for a segment whose length leaves no unused bits.
 */
export function nonCanonical(segment: string): string | undefined {
  const unused = segment.length % 4 === 2 ? 0b1111 : segment.length % 4 === 3 ? 0b11 : 0;
  if (!unused) return undefined;
  return segment.slice(0, -1) + BASE64URL[BASE64URL.indexOf(segment.slice(-1)) | unused]!;
}

/** A JWS compact string from parts, with whatever signature (possibly none). */
export const forge = (header: unknown, payload: unknown, signature = ''): string => `${b64u(header)}.${b64u(payload)}.${signature}`;

/** HS256 over `header.payload` with an arbitrary key (an empty one included). */
export function hmacSign(header: Record<string, unknown>, payload: unknown, key: Buffer | string): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** Signs any header and payload (bytes, JSON or text) with a key of our choosing (attacker or server). */
export async function signWith(key: KeyObject, header: Record<string, unknown>, payload: unknown): Promise<string> {
  const bytes =
    payload instanceof Uint8Array ? payload : new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader(header as never).sign(key);
}

/** The server's own signing key: lets a test build genuine tokens with chosen claims (edge cases of the claim checks). */
export function serverKey(server: TestServer) {
  return server.runtime.services.keyRing.signingKey();
}

/** Signs `claims` with the server's key and a standard access-token header, with header fields overridden. */
export async function serverSigned(
  server: TestServer,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  const { kid, alg, key } = serverKey(server);
  return signWith(key, { alg, kid, typ: 'at+jwt', ...header }, claims);
}

/** The claims of a real access token, to start a forgery from. */
export const claimsOf = (token: string): Record<string, unknown> => ({ ...decodeJwt(token) });

/** Unix seconds of the server's (fake) clock. */
export const nowOf = (server: TestServer): number => Math.floor(server.clock.now() / 1000);
