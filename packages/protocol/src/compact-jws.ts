/** Longest access token the server and the verifiers read; a longer one is refused unparsed (RFC 8725 §3, resource bounds). */
export const MAX_ACCESS_TOKEN_LENGTH = 8192;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Value of a base64url character (`A`=0 … `_`=63). */
function sextet(char: number): number {
  if (char >= 65 && char <= 90) return char - 65;
  if (char >= 97 && char <= 122) return char - 71;
  if (char >= 48 && char <= 57) return char + 4;
  return char === 45 ? 62 : 63;
}

/**
 * True for base64url text in its one canonical spelling (RFC 4648 §3.5, as
 * RFC 7515 §2 uses it): the URL-safe alphabet, no padding, not a length that
 * leaves a lone character, and the unused low bits of the last character zero.
 * Decoders ignore those bits, so `…A` and `…B` can decode to the same bytes.
 */
export function isCanonicalBase64url(text: string): boolean {
  if (!BASE64URL.test(text)) return false;
  const rest = text.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const unusedBits = rest === 2 ? 0b1111 : 0b11;
  return (sextet(text.charCodeAt(text.length - 1)) & unusedBits) === 0;
}

/**
 * True for a JWS in compact serialization that is well formed down to its
 * spelling: at most `MAX_ACCESS_TOKEN_LENGTH` characters, three non-empty
 * canonical base64url parts. A signer writes exactly one string for a token;
 * refusing every other spelling of the same bytes keeps one token one string
 * (caches, revocation lists and logs key on the string). The one check shared
 * by the server and `@duotoken/verify`, run before any parsing.
 */
export function isCanonicalCompactJws(token: string): boolean {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) return false;
  const parts = token.split('.');
  return parts.length === 3 && parts.every(isCanonicalBase64url);
}

/**
 * The JOSE protected header of a canonical compact JWS, or undefined when it
 * is not a JSON object. Read to refuse a token by its `typ` before any key is
 * looked up or fetched; the signature check parses it again on its own.
 */
export function protectedHeaderOf(token: string): Record<string, unknown> | undefined {
  try {
    const binary = atob(token.slice(0, token.indexOf('.')).replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const header: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return header && typeof header === 'object' && !Array.isArray(header) ? (header as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
