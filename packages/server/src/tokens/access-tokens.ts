import { ACCESS_TOKEN_TYP, checkAccessClaims, isCanonicalCompactJws, type AccessTokenClaims } from '@duotoken/protocol';
import { compactVerify, type CompactVerifyGetKey } from 'jose';
import { AuthError } from '../errors/auth-error.js';
import { nowSeconds, type Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import type { KeyRing } from './key-ring.js';
import { signCompactJws } from './sign-compact-jws.js';
import type { SigningThread } from './signing-thread.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** What goes into a new access token besides the registered claims. */
export interface AccessTokenSubject {
  userId: number;
  companyId: number | null;
  roles: string[];
  sessionId: string;
  sessionVersion: number;
  isAdmin: boolean;
  /** Dialect-specific extra claims (lin-cms `identity`, `scope`, `type`). */
  extra?: Record<string, unknown>;
}

/** A genuine access token: signature, typ, iss, aud, kid checked. `expired` is decided separately. */
export interface VerifiedAccessToken {
  claims: AccessTokenClaims;
  expired: boolean;
}

export interface AccessTokenOptions {
  issuer: string;
  audience: string;
  /** Lifetime in seconds. */
  ttl: number;
  /** Leeway in seconds for nbf/iat in the future. */
  clockTolerance: number;
}

/**
 * Issues and verifies access tokens. Verification first proves the token
 * genuine (signature, `typ`, `iss`, `aud`, known `kid`, well-formed claims)
 * and only then compares `exp` with the injected clock, so that callers can
 * tell "genuine but expired" (10027, auto-renew) from "invalid" (10028).
 */
export class AccessTokens {
  private readonly cache = new VerifiedTokenCache<AccessTokenClaims>(10_000);

  constructor(
    private readonly keys: KeyRing,
    private readonly options: AccessTokenOptions,
    private readonly clock: Clock,
    /** Where Ed25519 signatures are made; the calling thread when absent. */
    private readonly signingThread?: SigningThread,
  ) {}

  /** Signs a new access token; returns it with its expiry (unix seconds). */
  async issue(subject: AccessTokenSubject): Promise<{ token: string; expiresAt: number }> {
    const now = nowSeconds(this.clock);
    const expiresAt = now + this.options.ttl;
    const { kid, alg, key } = this.keys.signingKey();
    const claims = {
      ...subject.extra,
      sub: String(subject.userId),
      uid: subject.userId,
      company_id: subject.companyId,
      roles: subject.roles,
      sid: subject.sessionId,
      sv: subject.sessionVersion,
      ...(subject.isAdmin ? { adm: true } : {}),
    };
    const registered = { iss: this.options.issuer, aud: this.options.audience, jti: randomId(), iat: now, nbf: now, exp: expiresAt };
    const token = await signCompactJws({ alg, kid, typ: ACCESS_TOKEN_TYP }, { ...claims, ...registered }, key, this.signingThread);
    return { token, expiresAt };
  }

  /** A token this process has already proven genuine (and not past its cache entry), without a signature check. */
  verifyCached(token: string): VerifiedAccessToken | undefined {
    const now = nowSeconds(this.clock);
    const cached = this.cache.get(token, now);
    return cached && { claims: cached, expired: now >= cached.exp };
  }

  /** Proves a token genuine; throws ACCESS_TOKEN_INVALID otherwise. Never throws for expiry. */
  async verify(token: string): Promise<VerifiedAccessToken> {
    const cached = this.verifyCached(token);
    if (cached) return cached;
    const now = nowSeconds(this.clock);
    // Too long, not three parts, or not the one spelling a signer writes (#12.10).
    if (!isCanonicalCompactJws(token)) throw new AuthError('ACCESS_TOKEN_INVALID', { message: 'malformed token' });
    const getKey: CompactVerifyGetKey = async (header) => {
      const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
      if (typ !== ACCESS_TOKEN_TYP && typ !== `application/${ACCESS_TOKEN_TYP}`) throw new Error('wrong typ');
      const key = await this.keys.verificationKey(header.kid);
      if (!key) throw new Error('unknown kid');
      return key;
    };
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, getKey, { algorithms: this.keys.algorithms() }));
    } catch (error) {
      throw new AuthError('ACCESS_TOKEN_INVALID', { cause: error, message: 'signature or header rejected' });
    }
    const claims = this.checkClaims(payload, now);
    this.cache.set(token, claims, claims.exp);
    return { claims, expired: now >= claims.exp };
  }

  private checkClaims(payload: Uint8Array, now: number): AccessTokenClaims {
    const result = checkAccessClaims(payload, this.options, now);
    if (!result.ok) throw new AuthError('ACCESS_TOKEN_INVALID', { message: result.message });
    return result.claims;
  }
}
