import { createLocalJWKSet, createRemoteJWKSet, type CompactVerifyGetKey, type JSONWebKeySet } from 'jose';

/** Where the verification keys come from: exactly one of the three. */
export interface KeySourceOptions {
  /** URL of the server's JWKS (`https://auth.example.com/.well-known/jwks.json`): fetched, cached, refetched on an unknown `kid`. */
  jwksUrl?: string | URL;
  /** A JWKS document held locally (no network). */
  keys?: JSONWebKeySet;
  /** The HS256 shared secret: the `DUOTOKEN_JWT_SECRET` text (base64url or hex), or its raw bytes. */
  secret?: string | Uint8Array;
  /** Accepted algorithms. Default `['EdDSA']` with `jwksUrl`/`keys`, `['HS256']` with `secret`. */
  algorithms?: string[];
  /** Remote JWKS tuning (jose `createRemoteJWKSet`). */
  jwks?: {
    /** Least time between two fetches triggered by an unknown `kid` (rate limit). Default 5000 ms. */
    cooldownMs?: number;
    /** Cached keys are refetched after this long. Default 600000 ms (10 min). */
    cacheMaxAgeMs?: number;
    /** Timeout of one JWKS request. Default 5000 ms. */
    timeoutMs?: number;
  };
}

/** A key getter for jose's `compactVerify` and the algorithms it may be used with. */
export interface KeyResolver {
  key: CompactVerifyGetKey | Uint8Array;
  algorithms: string[];
}

const MIN_SECRET_BYTES = 32;

/** Decodes the secret text as the server does: hex when it looks like hex, base64url otherwise. */
function decodeSecret(secret: string | Uint8Array): Uint8Array {
  if (typeof secret !== 'string') return secret;
  return /^[0-9a-fA-F]+$/.test(secret) && secret.length % 2 === 0 ? Buffer.from(secret, 'hex') : Buffer.from(secret, 'base64url');
}

/**
 * Builds the key source, checking the options once (not on each request).
 * Symmetric and asymmetric algorithms never mix: a JWKS key is never tried as
 * an HMAC secret (algorithm confusion).
 */
export function createKeyResolver(options: KeySourceOptions): KeyResolver {
  const given = [options.jwksUrl, options.keys, options.secret].filter((v) => v !== undefined).length;
  if (given !== 1) throw new TypeError('createVerifier: give exactly one of jwksUrl, keys or secret');
  if (options.secret !== undefined) {
    const algorithms = options.algorithms ?? ['HS256'];
    if (algorithms.length === 0 || algorithms.some((a) => !/^HS(256|384|512)$/.test(a)))
      throw new TypeError('createVerifier: with a secret, algorithms may only be HS256, HS384, HS512');
    const key = decodeSecret(options.secret);
    if (key.length < MIN_SECRET_BYTES) throw new TypeError(`createVerifier: the secret must hold at least ${MIN_SECRET_BYTES} bytes`);
    return { key, algorithms };
  }
  const algorithms = options.algorithms ?? ['EdDSA'];
  if (algorithms.length === 0 || algorithms.some((a) => a.startsWith('HS') || a === 'none'))
    throw new TypeError('createVerifier: with jwksUrl or keys, algorithms must be asymmetric (EdDSA, ES256, RS256…)');
  if (options.keys) return { key: createLocalJWKSet(options.keys), algorithms };
  const url = new URL(options.jwksUrl!);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('createVerifier: jwksUrl must be http(s)');
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: options.jwks?.cooldownMs ?? 5_000,
    cacheMaxAge: options.jwks?.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwks?.timeoutMs ?? 5_000,
  });
  return { key: remote, algorithms };
}
