import type { AccessTokenClaims } from '@duotoken/protocol';
import { AuthError } from '../errors/auth-error.js';
import type { AccessTokens, VerifiedAccessToken } from '../tokens/access-tokens.js';
import type { SessionFence } from './session-fence.js';

/** The caller of a protected route, proven by a valid access token. */
export interface Principal {
  userId: number;
  sessionId: string;
  companyId: number | null;
  roles: string[];
  isAdmin: boolean;
  claims: AccessTokenClaims;
}

/** Outcome of checking an access token: a principal, or why not. */
export type GuardResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      error: AuthError;
      /** Set when the token is genuine, in a live session, and only expired. */ expiredClaims?: AccessTokenClaims;
    };

/**
 * Checks an access token with no database read: signature and claims
 * (cached per token string), then the in-memory session fence, then expiry.
 */
export class AccessGuard {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly fence: SessionFence,
  ) {}

  async check(token: string): Promise<GuardResult> {
    let verified;
    try {
      verified = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof AuthError) return { ok: false, error };
      throw error;
    }
    return this.judge(verified);
  }

  /**
   * `check` without awaiting, for a token whose signature this process has
   * already verified; undefined when the signature still has to be checked.
   */
  checkCached(token: string): GuardResult | undefined {
    const verified = this.tokens.verifyCached(token);
    return verified && this.judge(verified);
  }

  /** The fence and the expiry, for a genuine token. */
  private judge({ claims, expired }: VerifiedAccessToken): GuardResult {
    if (this.fence.check(claims.sid, claims.sv) !== 'ok')
      return { ok: false, error: new AuthError('ACCESS_TOKEN_INVALID', { message: 'session revoked or superseded' }) };
    if (expired) return { ok: false, error: new AuthError('ACCESS_TOKEN_EXPIRED'), expiredClaims: claims };
    return {
      ok: true,
      principal: {
        userId: claims.uid,
        sessionId: claims.sid,
        companyId: claims.company_id,
        roles: claims.roles,
        isAdmin: claims.adm === true,
        claims,
      },
    };
  }
}
