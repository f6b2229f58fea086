import { ACCESS_TOKEN_TYP, isCanonicalCompactJws, type AccessTokenClaims } from '@duotoken/protocol';
import { compactVerify, errors, type CompactVerifyGetKey } from 'jose';
import { toAuthInfo, type AuthInfo } from './auth-info.js';
import { checkClaims, type ClaimRules } from './check-claims.js';
import { DEFAULT_TOKEN_LOOKUP, extractToken, type TokenLookup, type TokenRequest, type TokenSource } from './extract-token.js';
import { createKeyResolver, type KeySourceOptions } from './key-resolver.js';
import { RevocationFeed, type FeedStatus, type RevocationFeedOptions } from './revocations/revocation-feed.js';
import { RevocationSet } from './revocations/revocation-set.js';
import { TokenCache } from './token-cache.js';
import { VerifyError } from './verify-error.js';

/** Options of `createVerifier`. */
export interface VerifierOptions extends KeySourceOptions {
  /** Expected `iss` (the server's `DUOTOKEN_ISSUER`). */
  issuer: string;
  /** Expected `aud` (the server's `DUOTOKEN_AUDIENCE`). */
  audience: string;
  /** Leeway for `nbf`/`iat` in the future: seconds or `"5s"`/`"1m"`. Never applied to `exp`. Default 5 s. */
  clockTolerance?: number | string;
  /** Where to look for the token, in order. Default `['header', 'query', 'form']` (SPEC §3). */
  tokenSources?: TokenSource[];
  /** Token headers, in order. Default `['authorization', 'access-token']`; mmm clients use `['x-mmm-accesstoken']`. */
  headerNames?: string[];
  /** Query/form field names. Default `['access-token', 'access_token']`. */
  fields?: string[];
  /** Refuse a token sent in two places. Default false. */
  strict?: boolean;
  /** Subscribe to the server's revocation feed so revoked sessions are refused within a second. */
  revocations?: RevocationFeedOptions;
  /** Verified tokens kept (LRU, until their expiry). Default 10000. */
  cacheSize?: number;
  /** Source of the current time in ms (tests inject a fake clock). Default `Date.now`. */
  clock?: { now(): number };
}

/** A configured verifier. */
export interface Verifier {
  /** Verifies an access token; resolves to its claims or rejects with a VerifyError. */
  verify(token: string | null | undefined): Promise<AccessTokenClaims>;
  /** Finds the token in a request (header → URL → form), verifies it, and returns the caller. */
  authenticate(request: TokenRequest): Promise<AuthInfo>;
  /** Finds the token in a request as configured. */
  extractToken(request: TokenRequest): string | undefined;
  /** The token lookup in force (adapters read `sources` to decide whether to parse a form). */
  readonly lookup: TokenLookup;
  /** State of the revocation feed, when one is configured. */
  revocationStatus(): FeedStatus | undefined;
  /** Stops the revocation feed. */
  close(): void;
}

class WrongType extends Error {}

function parseTolerance(value: number | string | undefined): number {
  if (value === undefined) return 5;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const m = typeof value === 'string' ? /^\s*(\d+)\s*(s|m|h)?\s*$/.exec(value) : null;
  if (!m) throw new TypeError('createVerifier: clockTolerance must be seconds or like "5s", "1m"');
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** True when a jose error means "the keys could not be fetched", not "the token is bad". */
function isKeyFetchFailure(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  if (!(error instanceof errors.JOSEError)) return !(error instanceof WrongType);
  return error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(error.message);
}

/**
 * Creates a verifier of duotoken access tokens. Checks the options once.
 * A token is accepted only with an allowed algorithm, `typ: at+jwt`, a known
 * `kid`, the expected `iss` and `aud`, well-formed duotoken claims, and a
 * session the revocation feed has not revoked or superseded. Verified tokens
 * are cached until they expire; revocation is checked on every call.
 *
 * @example
 * const verifier = createVerifier({
 *   issuer: 'duotoken', audience: 'duotoken',
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 *   revocations: { url: 'https://auth.example.com/auth/revocations', token: process.env.VERIFIER_TOKEN! },
 * });
 * const claims = await verifier.verify(token);
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (!options.issuer || !options.audience) throw new TypeError('createVerifier: issuer and audience are required');
  const resolver = createKeyResolver(options);
  const rules: ClaimRules = { issuer: options.issuer, audience: options.audience, clockTolerance: parseTolerance(options.clockTolerance) };
  const lookup: TokenLookup = Object.freeze({
    sources: options.tokenSources ?? DEFAULT_TOKEN_LOOKUP.sources,
    headerNames: (options.headerNames ?? DEFAULT_TOKEN_LOOKUP.headerNames).map((h) => h.toLowerCase()),
    fields: options.fields ?? DEFAULT_TOKEN_LOOKUP.fields,
    strict: options.strict ?? false,
  });
  const clock = options.clock ?? { now: () => Date.now() };
  const cache = new TokenCache<AccessTokenClaims>(options.cacheSize ?? 10_000);
  const revoked = new RevocationSet();
  const feed = options.revocations ? new RevocationFeed(options.revocations, revoked, clock) : undefined;

  const getKey: CompactVerifyGetKey = async (header, token) => {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== ACCESS_TOKEN_TYP && typ !== `application/${ACCESS_TOKEN_TYP}`) throw new WrongType('typ is not at+jwt');
    return typeof resolver.key === 'function' ? resolver.key(header, token) : resolver.key;
  };

  async function prove(token: string, nowSeconds: number): Promise<AccessTokenClaims> {
    // Too long, not three parts, or not the one spelling a signer writes (#12.10).
    if (!isCanonicalCompactJws(token)) throw new VerifyError('ACCESS_TOKEN_INVALID', 'malformed');
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, getKey, { algorithms: resolver.algorithms }));
    } catch (error) {
      if (isKeyFetchFailure(error)) throw new VerifyError('STORE_UNAVAILABLE', 'keys_unavailable', { cause: error });
      throw new VerifyError('ACCESS_TOKEN_INVALID', error instanceof WrongType ? 'header' : 'signature', { cause: error });
    }
    return checkClaims(payload, rules, nowSeconds);
  }

  async function checkSession(claims: AccessTokenClaims): Promise<void> {
    if (!feed) return;
    if (!feed.isCurrent()) {
      // Right after start the first snapshot may still be on its way: wait for it briefly.
      if (feed.status().lastContactAt === undefined) await feed.whenReady(Math.min(feed.maxStalenessMs, 5_000));
      if (!feed.isCurrent() && feed.failClosed) throw new VerifyError('STORE_UNAVAILABLE', 'revocations_unavailable');
    }
    const verdict = revoked.check(claims.sid, claims.sv);
    if (verdict !== 'ok') throw new VerifyError('ACCESS_TOKEN_INVALID', verdict);
  }

  async function verify(token: string | null | undefined): Promise<AccessTokenClaims> {
    if (!token) throw new VerifyError('ACCESS_TOKEN_MISSING', 'missing');
    const nowSeconds = Math.floor(clock.now() / 1000);
    let claims = cache.get(token, nowSeconds);
    if (!claims) {
      claims = await prove(token, nowSeconds);
      await checkSession(claims);
      if (nowSeconds >= claims.exp) throw new VerifyError('ACCESS_TOKEN_EXPIRED', 'expired');
      cache.set(token, claims, claims.exp);
      return claims;
    }
    await checkSession(claims);
    return claims;
  }

  return {
    verify,
    lookup,
    extractToken: (request) => extractToken(request, lookup),
    authenticate: async (request) => toAuthInfo(await verify(extractToken(request, lookup))),
    revocationStatus: () => feed?.status(),
    close: () => feed?.close(),
  };
}
