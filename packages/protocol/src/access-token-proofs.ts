import type { AccessRefusal } from './access-refusals.js';
import { checkAccessClaims, type AccessClaimRules } from './check-access-claims.js';
import { isAccessTokenTyp, OPAQUE_REFRESH_TOKEN, type AccessTokenClaims } from './claims.js';
import { isCanonicalCompactJws, protectedHeaderOf } from './compact-jws.js';
import type { SessionVerdict } from './revocation-set.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** Why a signature check refused a token: `keys_unavailable` when the keys could not be had (a remote JWKS down). */
export type SignatureRefusal = Extract<AccessRefusal, 'signature' | 'keys_unavailable'>;

/**
 * The caller's signature check: jose with its keys, the I/O each package
 * keeps. Resolves to the verified payload, or to why not. Called only for a
 * canonical compact JWS whose header has `typ: at+jwt`.
 */
export type SignatureCheck = (token: string) => Promise<{ payload: Uint8Array } | { refusal: SignatureRefusal; cause: unknown }>;

/** Why a token was not proven genuine. */
export type ProofRefusal = Extract<AccessRefusal, 'malformed' | 'refresh_token' | 'header' | 'claims' | 'not_yet_valid'> | SignatureRefusal;

/** A token proven genuine (expiry and session not yet judged), or why not; `detail` and `cause` are for logs. */
export type Proof = { ok: true; claims: AccessTokenClaims } | { ok: false; refusal: ProofRefusal; detail?: string; cause?: unknown };

/**
 * Proves access tokens genuine, in the one order the server and
 * `@duotoken/verify` share: the cache of tokens proven before; the shape (a
 * refresh token is the wrong type; anything not a canonical compact JWS is
 * malformed, #12.10); the header's `typ`, before any key is looked up; the
 * caller's signature check; the claims. Expiry and the session are judged
 * on every use by `judgeAccess`, never cached.
 *
 * @example
 * const proofs = new AccessTokenProofs(rules, (token) => compactVerify(token, getKey, { algorithms }));
 * const proof = await proofs.prove(token, nowSeconds);
 */
export class AccessTokenProofs {
  private readonly cache: VerifiedTokenCache<AccessTokenClaims>;

  constructor(
    private readonly rules: AccessClaimRules,
    private readonly checkSignature: SignatureCheck,
    /** Proven tokens kept, each until its `exp` (the oldest evicted first). */
    cacheSize = 10_000,
  ) {
    this.cache = new VerifiedTokenCache(cacheSize);
  }

  /** The claims of a token proven before and not yet expired; no signature check, no promise. */
  cached(token: string, nowSeconds: number): AccessTokenClaims | undefined {
    return this.cache.get(token, nowSeconds);
  }

  /** Proves a token genuine. An expired token is proven too: telling expired (10027) from invalid (10028) needs it. */
  async prove(token: string, nowSeconds: number): Promise<Proof> {
    const hit = this.cache.get(token, nowSeconds);
    if (hit) return { ok: true, claims: hit };
    if (OPAQUE_REFRESH_TOKEN.test(token)) return { ok: false, refusal: 'refresh_token' };
    if (!isCanonicalCompactJws(token)) return { ok: false, refusal: 'malformed' };
    if (!isAccessTokenTyp(protectedHeaderOf(token)?.typ)) return { ok: false, refusal: 'header', detail: 'typ is not at+jwt' };
    const signed = await this.checkSignature(token);
    if ('refusal' in signed) return { ok: false, refusal: signed.refusal, cause: signed.cause };
    const checked = checkAccessClaims(signed.payload, this.rules, nowSeconds);
    if (!checked.ok) return { ok: false, refusal: checked.reason, detail: checked.message };
    if (nowSeconds < checked.claims.exp) this.cache.set(token, checked.claims, checked.claims.exp);
    return checked;
  }
}

/**
 * Judges a proven token on use: its session first (a revoked session's
 * expired token is `revoked`, not `expired`), then `exp` with no leeway
 * (10027 means exactly "expired"). `unavailable`: the revocations may be
 * incomplete, so nothing is admitted. Undefined: admitted.
 */
export function judgeAccess(
  claims: AccessTokenClaims,
  session: SessionVerdict | 'unavailable',
  nowSeconds: number,
): Extract<AccessRefusal, 'revoked' | 'stale' | 'expired' | 'revocations_unavailable'> | undefined {
  if (session === 'unavailable') return 'revocations_unavailable';
  if (session !== 'ok') return session;
  return nowSeconds >= claims.exp ? 'expired' : undefined;
}
