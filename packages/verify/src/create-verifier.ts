import {
  AccessTokenProofs,
  DEFAULT_TOKEN_LOOKUP,
  judgeAccess,
  RevocationSet,
  type AccessClaimRules,
  type AccessTokenClaims,
  type SessionVerdict,
  type SignatureCheck,
  type TokenLookup,
  type TokenSource,
} from '@duotoken/protocol';
import { compactVerify, errors } from 'jose';
import { toAuthInfo, type AuthInfo } from './auth-info.js';
import { extractToken, type TokenRequest } from './extract-token.js';
import { createKeyResolver, type KeySourceOptions } from './key-resolver.js';
import { RevocationFeed, type FeedStatus, type RevocationFeedOptions } from './revocations/revocation-feed.js';
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
  /** Verified tokens kept until their expiry (the oldest evicted first). Default 10000. */
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
  /** The verifier's clock (the `requireMfa` / `requireRecentAuth` guards judge `auth_time` with it). */
  readonly clock: { now(): number };
}

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
  if (!(error instanceof errors.JOSEError)) return true;
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
  const rules: AccessClaimRules = {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: parseTolerance(options.clockTolerance),
  };
  const lookup: TokenLookup = Object.freeze({
    sources: options.tokenSources ?? DEFAULT_TOKEN_LOOKUP.sources,
    headerNames: (options.headerNames ?? DEFAULT_TOKEN_LOOKUP.headerNames).map((h) => h.toLowerCase()),
    fields: options.fields ?? DEFAULT_TOKEN_LOOKUP.fields,
    strict: options.strict ?? false,
  });
  const clock = options.clock ?? { now: () => Date.now() };
  const revoked = new RevocationSet();
  const feed = options.revocations ? new RevocationFeed(options.revocations, revoked, clock) : undefined;

  // The I/O this package keeps: jose with the configured keys (remote JWKS, local JWKS or secret).
  const checkSignature: SignatureCheck = async (token) => {
    try {
      return typeof resolver.key === 'function'
        ? await compactVerify(token, resolver.key, { algorithms: resolver.algorithms })
        : await compactVerify(token, resolver.key, { algorithms: resolver.algorithms });
    } catch (cause) {
      return { refusal: isKeyFetchFailure(cause) ? 'keys_unavailable' : 'signature', cause };
    }
  };
  const proofs = new AccessTokenProofs(rules, checkSignature, options.cacheSize ?? 10_000);

  /** What the revocation feed says of the token's session (`ok` without a feed). */
  async function sessionVerdict(claims: AccessTokenClaims): Promise<SessionVerdict | 'unavailable'> {
    if (!feed) return 'ok';
    if (!feed.isCurrent()) {
      // Right after start the first snapshot may still be on its way: wait for it briefly.
      if (feed.status().lastContactAt === undefined) await feed.whenReady(Math.min(feed.maxStalenessMs, 5_000));
      if (!feed.isCurrent() && feed.failClosed) return 'unavailable';
    }
    return revoked.check(claims.sid, claims.sv);
  }

  async function verify(token: string | null | undefined): Promise<AccessTokenClaims> {
    if (!token) throw new VerifyError('missing');
    const nowSeconds = Math.floor(clock.now() / 1000);
    const proof = await proofs.prove(token, nowSeconds);
    if (!proof.ok) throw new VerifyError(proof.refusal, { cause: proof.cause, message: proof.detail });
    const refusal = judgeAccess(proof.claims, await sessionVerdict(proof.claims), nowSeconds);
    if (refusal) throw new VerifyError(refusal);
    return proof.claims;
  }

  return {
    verify,
    lookup,
    extractToken: (request) => extractToken(request, lookup),
    authenticate: async (request) => toAuthInfo(await verify(extractToken(request, lookup))),
    revocationStatus: () => feed?.status(),
    close: () => feed?.close(),
    clock,
  };
}
