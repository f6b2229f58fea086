import type { AuditLog } from '../audit/audit-log.js';
import type { RateLimiter } from '../auth/rate-limiter.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { RefreshTokenCodec } from '../tokens/refresh-token-codec.js';
import type { Repos, Store } from '../store/store.js';
import type { SessionRow } from '../store/sessions-repo.js';
import type { ClientInfo, IssuedTokens } from './issued-tokens.js';
import type { SessionFence } from './session-fence.js';
import type { TokenIssuer } from './token-issuer.js';

export interface RefreshOptions {
  /**
   * `rotate` (default): the token is consumed and a successor issued.
   * `keep`: the same refresh token stays valid until it expires or its session
   * ends (lin-cms clients never store a rotated token).
   */
  mode?: 'rotate' | 'keep';
  client: ClientInfo;
  /** When set, the refresh token must belong to this session (auto-renew). */
  expectSessionId?: string;
}

const invalid = () => new AuthError('REFRESH_TOKEN_INVALID');

/**
 * Refresh-token rotation with a grace window and reuse detection (SPEC §2).
 * The consume is one conditional UPDATE inside one short transaction: of
 * concurrent callers exactly one rotates; the others, within the grace
 * window, receive the same successor string; after it, the session dies.
 */
export class RefreshService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      codec: RefreshTokenCodec;
      issuer: TokenIssuer;
      fence: SessionFence;
      audit: AuditLog;
      graceSeconds: number;
      idleTimeoutSeconds: number;
      /** Per-IP and global refresh limits, for every dialect (auto-renew included). */
      rateLimiter?: RateLimiter;
    },
  ) {}

  /** Trades a refresh token for a new pair; throws REFRESH_TOKEN_INVALID (10024) otherwise. */
  async refresh(token: string, options: RefreshOptions): Promise<IssuedTokens> {
    const { store, codec } = this.deps;
    await this.deps.rateLimiter?.hitAddress('refresh', options.client.ip);
    // The HMAC is checked before any read: a forged token costs no database work, and no share of everyone's budget.
    const jti = codec.parse(token);
    if (!jti) throw invalid();
    await this.deps.rateLimiter?.hitGlobal('refresh');
    const outcome = await store.transaction((tx) =>
      options.mode === 'keep' ? this.keep(tx, jti, options) : this.rotate(tx, jti, options),
    );
    if (outcome.kind === 'reused') {
      this.deps.fence.record({ sessionId: outcome.sessionId, version: 0, revoked: true, at: this.deps.clock.now() });
      throw invalid();
    }
    const { session, isAdmin, roles, refresh } = outcome;
    return this.deps.issuer.pair(session, isAdmin, roles, refresh);
  }

  private async rotate(tx: Repos, jti: string, options: RefreshOptions): Promise<Outcome> {
    const now = this.deps.clock.now();
    // The successor's id is drawn first so that the consuming UPDATE records it (one statement fewer).
    const successor = this.deps.issuer.newRefreshId();
    const consumed = await tx.consumeRefreshToken(jti, successor, now);
    if (consumed) {
      const live = await this.liveSession(tx, consumed.session_id, options, now);
      const refresh = await this.deps.issuer.insertRefreshToken(tx, live.session, successor);
      await tx.touchSession(live.session.id, now);
      return { kind: 'pair', ...live, refresh };
    }
    const row = await tx.findRefreshToken(jti);
    if (!row || row.consumed_at === null || Number(row.expires_at) <= now) throw invalid();
    if (options.expectSessionId !== undefined && row.session_id !== options.expectSessionId) throw invalid();
    if (now - Number(row.consumed_at) <= this.deps.graceSeconds * 1000) {
      // A concurrent or retried refresh: hand out the session's current token, never a second branch.
      const live = await this.liveSession(tx, row.session_id, options, now);
      const current = await tx.findLiveRefreshToken(row.session_id, now);
      if (!current) throw invalid();
      this.deps.audit.notice({ type: 'refresh.grace_hit', userId: live.session.user_id, sessionId: row.session_id, ip: options.client.ip });
      return { kind: 'pair', ...live, refresh: { token: this.deps.issuer.tokenOf(current.jti), expiresAt: Number(current.expires_at) } };
    }
    const revoked = await tx.revokeSessions({ id: row.session_id }, 'refresh_reuse', now);
    const session = await tx.findSession(row.session_id);
    await this.deps.audit.record(
      {
        type: 'refresh.reuse_detected',
        userId: session?.user_id ?? null,
        sessionId: row.session_id,
        ip: options.client.ip,
        details: { revoked: revoked.length > 0 },
      },
      tx,
    );
    return { kind: 'reused', sessionId: row.session_id };
  }

  private async keep(tx: Repos, jti: string, options: RefreshOptions): Promise<Outcome> {
    const now = this.deps.clock.now();
    const row = await tx.findRefreshToken(jti);
    if (!row || row.consumed_at !== null || Number(row.expires_at) <= now) throw invalid();
    const live = await this.liveSession(tx, row.session_id, options, now);
    await tx.touchSession(live.session.id, now);
    return { kind: 'pair', ...live, refresh: { token: this.deps.issuer.tokenOf(row.jti), expiresAt: Number(row.expires_at) } };
  }

  /** The session if it is alive (not revoked, expired or idle) and its user still active. */
  private async liveSession(tx: Repos, sessionId: string, options: RefreshOptions, now: number) {
    if (options.expectSessionId !== undefined && sessionId !== options.expectSessionId) throw invalid();
    // One read for session, user and membership: this is the refresh hot path.
    const context = await tx.findSessionContext(sessionId);
    if (!context) throw invalid();
    const { session, roles } = context;
    if (session.revoked_at !== null || Number(session.expires_at) <= now) throw invalid();
    const idle = this.deps.idleTimeoutSeconds * 1000;
    if (idle > 0 && now - Number(session.last_used_at) > idle) throw invalid();
    if (context.userStatus !== 'active') throw invalid();
    // Membership removed since login: the session keeps going without a company.
    const s: SessionRow = roles === undefined ? { ...session, company_id: null } : session;
    return { session: s, isAdmin: context.isAdmin, roles: roles ?? [] };
  }
}

type Outcome =
  | { kind: 'pair'; session: SessionRow; isAdmin: boolean; roles: string[]; refresh: { token: string; expiresAt: number } }
  | { kind: 'reused'; sessionId: string };
