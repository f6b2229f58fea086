import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import type { AccessTokens } from '../tokens/access-tokens.js';
import type { RefreshTokenCodec } from '../tokens/refresh-token-codec.js';
import type { Repos } from '../store/store.js';
import type { RefreshTokenInsert } from '../store/refresh-tokens-repo.js';
import type { SessionRow } from '../store/sessions-repo.js';
import type { IssuedTokens } from './issued-tokens.js';

/** Extra access-token claims the session's login dialect (the `sessions.dialect` column) asks for (lin-cms `identity`…). */
export type ClaimsExtension = (loginDialect: string, userId: number) => Record<string, unknown> | undefined;

/**
 * Mints the two halves of a pair for a session: a refresh-token record
 * (its id only; the token string is never stored) and a signed access token.
 */
export class TokenIssuer {
  constructor(
    private readonly access: AccessTokens,
    private readonly codec: RefreshTokenCodec,
    private readonly clock: Clock,
    private readonly refreshTtlSeconds: number,
    private readonly extendClaims: ClaimsExtension,
  ) {}

  /** A fresh refresh-token id (for callers that must name the successor before inserting it). */
  newRefreshId(): string {
    return randomId();
  }

  /** When a refresh token issued at `nowMs` expires, unless its session ends first. */
  refreshExpiryFrom(nowMs: number): number {
    return nowMs + this.refreshTtlSeconds * 1000;
  }

  /** Inserts a new refresh token of `session` through `tx`; never outlives the session. */
  async insertRefreshToken(
    tx: Repos,
    session: Pick<SessionRow, 'id' | 'expires_at'>,
    jti = randomId(),
  ): Promise<{ jti: string; token: string; expiresAtMs: number }> {
    const minted = this.newRefreshToken(session, jti);
    await tx.insertRefreshToken(minted.row);
    return minted;
  }

  /** A new refresh token of `session` and the row that stores it, for a caller that inserts it with other rows. */
  newRefreshToken(
    session: Pick<SessionRow, 'id' | 'expires_at'>,
    jti = randomId(),
  ): { jti: string; token: string; expiresAtMs: number; row: RefreshTokenInsert } {
    const now = this.clock.now();
    const expiresAtMs = Math.min(this.refreshExpiryFrom(now), Number(session.expires_at));
    const row = { jti, session_id: session.id, issued_at: now, expires_at: expiresAtMs, consumed_at: null, successor_jti: null };
    return { jti, token: this.codec.mint(jti), expiresAtMs, row };
  }

  /** Rebuilds the token string of a stored `jti` (grace window, non-rotating dialects). */
  tokenOf(jti: string): string {
    return this.codec.mint(jti);
  }

  /** Signs an access token for the session and assembles the pair. */
  async pair(
    session: Pick<SessionRow, 'id' | 'user_id' | 'company_id' | 'version' | 'dialect' | 'created_at' | 'auth_time' | 'amr'>,
    isAdmin: boolean,
    roles: string[],
    refresh: { token: string; expiresAtMs: number },
  ): Promise<IssuedTokens> {
    const access = await this.access.issue({
      userId: session.user_id,
      companyId: session.company_id,
      roles,
      sessionId: session.id,
      sessionVersion: session.version,
      isAdmin,
      extra: { ...this.extendClaims(session.dialect, session.user_id), ...authenticationClaims(session) },
    });
    return {
      accessToken: access.token,
      accessExpiresAtS: access.expiresAtS,
      refreshToken: refresh.token,
      refreshExpiresAtS: Math.floor(refresh.expiresAtMs / 1000),
      sessionId: session.id,
      companyId: session.company_id,
    };
  }
}

/**
 * `amr` and `auth_time` of a session's access tokens: what its last
 * interactive authentication was (login, second step, reauth), carried
 * unchanged through refreshes. Sessions older than migration 0006 read as a
 * password login at their creation.
 */
export function authenticationClaims(session: Pick<SessionRow, 'created_at' | 'auth_time' | 'amr'>): { amr: string[]; auth_time: number } {
  return {
    amr: session.amr ? session.amr.split(' ') : ['pwd'],
    auth_time: Math.floor(Number(session.auth_time ?? session.created_at) / 1000),
  };
}
