import { judgeAccess, toPrincipal, type AccessRefusal, type AccessTokenClaims, type Principal } from '@duotoken/protocol';
import { nowSeconds, type Clock } from '../clock/clock.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import type { SessionFence } from './session-fence.js';

/** The caller of a protected route, proven by a valid access token (the verifiers' `AuthInfo`). */
export type { Principal } from '@duotoken/protocol';

/** Outcome of checking an access token: a principal, or why not (the dialects map the reason to their codes). */
export type GuardResult =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      refusal: AccessRefusal;
      /** Set when the token is genuine, in a live session, and only expired (auto-renew, 10026). */
      expiredClaims?: AccessTokenClaims;
    };

/**
 * Checks an access token with no database read: proven genuine (signature
 * and claims, cached per token string), then the in-memory session fence,
 * then expiry, in protocol's order (`judgeAccess`).
 */
export class AccessGuard {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly fence: SessionFence,
    private readonly clock: Clock,
  ) {}

  async check(token: string): Promise<GuardResult> {
    const proof = await this.tokens.prove(token);
    return proof.ok ? this.judge(proof.claims, nowSeconds(this.clock)) : { ok: false, refusal: proof.refusal };
  }

  /**
   * `check` without awaiting, for a token whose signature this process has
   * already verified; undefined when the signature still has to be checked.
   */
  checkCached(token: string): GuardResult | undefined {
    const now = nowSeconds(this.clock);
    const claims = this.tokens.cached(token, now);
    return claims && this.judge(claims, now);
  }

  /** The fence and the expiry, for a genuine token. */
  private judge(claims: AccessTokenClaims, now: number): GuardResult {
    const refusal = judgeAccess(claims, this.fence.check(claims.sid, claims.sv), now);
    if (refusal) return refusal === 'expired' ? { ok: false, refusal, expiredClaims: claims } : { ok: false, refusal };
    return { ok: true, principal: toPrincipal(claims) };
  }
}
