import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { RefreshTokenCodec } from '../tokens/refresh-token-codec.js';
import type { Repos, Store } from '../store/store.js';
import type { SessionContext, SessionRow } from '../store/sessions-repo.js';
import type { ClientInfo, IssuedTokens } from './issued-tokens.js';
import type { SessionChanges } from './session-changes.js';
import { REFRESH_STEPS, sessionStateOf, type SessionAdmission } from './session-states.js';
import type { TokenIssuer } from './token-issuer.js';

export interface RefreshOptions {
  /**
   * When set, a refresh token of a session opened by a login of this dialect
   * is kept, not rotated: it stays valid until it expires or its session ends
   * (lin-cms clients never store a rotated token). Tokens of every other
   * session rotate as usual, whichever route they are presented on.
   */
  keepFor?: string;
  client: ClientInfo;
  /** When set, the refresh token must belong to this session (auto-renew). */
  expectSessionId?: string;
}

/** The request limits a refresh counts toward (`auth/rate-limiter.ts`, `RateLimiter`). */
export interface RefreshLimits {
  /** The address's budget: counted before anything else. */
  hitAddress(action: 'refresh', ip: string | null | undefined): Promise<void>;
  /** Everyone's budget: counted once the token's HMAC holds. */
  hitGlobal(action: 'refresh'): Promise<void>;
}

const invalid = () => new AuthError('REFRESH_TOKEN_INVALID');

/**
 * Refresh-token rotation with a grace window and reuse detection (SPEC §2).
 * The store consumes and judges in one capability (`rotateRefreshToken`): of
 * concurrent callers exactly one rotates; the others, within the grace window
 * and while that successor is unused, receive the same successor string;
 * anything else is reuse, and the session dies. What each case does is the
 * `REFRESH_STEPS` cell of the token's state and its session's (session-states.ts).
 */
export class RefreshService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      codec: RefreshTokenCodec;
      issuer: TokenIssuer;
      audit: AuditLog;
      /** Revokes a session whose refresh token was reused (row, `session.revoked` audit, fence). */
      changes: SessionChanges;
      graceSeconds: number;
      idleTimeoutSeconds: number;
      /** Per-IP and global refresh limits, for every dialect (auto-renew included). */
      rateLimiter: RefreshLimits;
    },
  ) {}

  /** Trades a refresh token for a new pair; throws REFRESH_TOKEN_INVALID (10024) otherwise. */
  async refresh(token: string, options: RefreshOptions): Promise<IssuedTokens> {
    const { store, codec } = this.deps;
    await this.deps.rateLimiter.hitAddress('refresh', options.client.ip);
    // The HMAC is checked before any read: a forged token costs no database work, and no share of everyone's budget.
    const jti = codec.parse(token);
    if (!jti) throw invalid();
    await this.deps.rateLimiter.hitGlobal('refresh');
    const outcome =
      (options.keepFor === undefined ? await this.rotateLive(jti, options) : undefined) ??
      (await store.transaction((tx) => (options.keepFor !== undefined ? this.keep(tx, jti, options) : this.rotate(tx, jti, options))));
    if (outcome.kind === 'reused') throw invalid();
    const { session, isAdmin, roles, refresh } = outcome;
    return this.deps.issuer.pair(session, isAdmin, roles, refresh);
  }

  /**
   * The common case first, in one store call (one statement, one round trip
   * on PostgreSQL): an unused token of a session that admits a refresh, the
   * `REFRESH_STEPS.unused.live` cell, rotates. `undefined` when the token is
   * anything else: nothing has changed, and `rotate` judges it.
   */
  private async rotateLive(jti: string, options: RefreshOptions): Promise<Outcome | undefined> {
    const { store, clock, issuer } = this.deps;
    const now = clock.now();
    const successor = issuer.newRefreshId();
    const rotated = await store.rotateLiveRefreshToken({
      jti,
      successor,
      nowMs: now,
      idleMs: this.deps.idleTimeoutSeconds * 1000,
      successorExpiresAtMs: issuer.refreshExpiryFrom(now),
      sessionId: options.expectSessionId,
    });
    if (!rotated) return undefined;
    return {
      kind: 'pair',
      ...liveContext(rotated.context),
      refresh: { token: issuer.tokenOf(successor), expiresAtMs: rotated.successorExpiresAtMs },
    };
  }

  private async rotate(tx: Repos, jti: string, options: RefreshOptions): Promise<Outcome> {
    const now = this.deps.clock.now();
    // The successor's id is drawn first so that the consuming UPDATE records it (one statement fewer).
    const successor = this.deps.issuer.newRefreshId();
    const verdict = await tx.rotateRefreshToken(jti, successor, now, this.deps.graceSeconds * 1000);
    if (verdict.state === 'expired') throw invalid();
    // Auto-renew names its session: another session's token is refused and changes nothing, not even by its reuse.
    if (options.expectSessionId !== undefined && verdict.sessionId !== options.expectSessionId) throw invalid();
    const context = await tx.findSessionContext(verdict.sessionId);
    switch (REFRESH_STEPS[verdict.state][this.admission(context, now)]) {
      case 'rotate': {
        const live = liveContext(context!);
        const refresh = await this.deps.issuer.insertRefreshToken(tx, live.session, successor);
        await tx.touchSession(live.session.id, now);
        return { kind: 'pair', ...live, refresh };
      }
      case 'answer-successor': {
        // A concurrent or retried refresh: the same successor string, never a second branch.
        if (verdict.state !== 'in-grace') throw invalid(); // the table answers a successor for a token in grace only
        const live = liveContext(context!);
        this.deps.audit.notice({
          type: 'refresh.grace_hit',
          userId: live.session.user_id,
          sessionId: verdict.sessionId,
          ip: options.client.ip,
        });
        const { jti: next, expiresAtMs } = verdict.successor;
        return { kind: 'pair', ...live, refresh: { token: this.deps.issuer.tokenOf(next), expiresAtMs } };
      }
      case 'revoke-session':
        await this.revokeReused(tx, verdict.sessionId, context?.session.user_id ?? null, options);
        return { kind: 'reused' };
      case 'refuse':
        throw invalid();
    }
  }

  /** Reuse detected: the whole session ends (row, `session.revoked`, fence) and `refresh.reuse_detected` says why. */
  private async revokeReused(tx: Repos, sessionId: string, userId: number | null, options: RefreshOptions): Promise<void> {
    const actor = { userId: null, ip: options.client.ip };
    const revoked = await this.deps.changes.revoke({ id: sessionId, userId: userId ?? undefined }, 'refresh_reuse', actor, tx);
    await this.deps.audit.record(
      { type: 'refresh.reuse_detected', userId, sessionId, ip: options.client.ip, details: { revoked: revoked.length > 0 } },
      tx,
    );
  }

  /** Whether the session admits a refresh: alive (not revoked, expired or idle) and its user active. */
  private admission(context: SessionContext | undefined, now: number): SessionAdmission {
    if (!context || context.userStatus !== 'active') return 'ended';
    return sessionStateOf(context.session, now, this.deps.idleTimeoutSeconds * 1000) === 'live' ? 'live' : 'ended';
  }

  /** Keeps the token of a `keepFor` session; any other token, or a consumed one, is rotated and judged as usual. */
  private async keep(tx: Repos, jti: string, options: RefreshOptions): Promise<Outcome> {
    const now = this.deps.clock.now();
    const row = await tx.findRefreshToken(jti);
    if (!row || Number(row.expires_at) <= now) throw invalid();
    if (row.consumed_at !== null) return this.rotate(tx, jti, options);
    const live = await this.liveSession(tx, row.session_id, options, now);
    if (live.session.dialect !== options.keepFor) return this.rotate(tx, jti, options);
    await tx.touchSession(live.session.id, now);
    return { kind: 'pair', ...live, refresh: { token: this.deps.issuer.tokenOf(row.jti), expiresAtMs: Number(row.expires_at) } };
  }

  /** The session if it admits a refresh (see `admission`); REFRESH_TOKEN_INVALID otherwise. */
  private async liveSession(tx: Repos, sessionId: string, options: RefreshOptions, now: number) {
    if (options.expectSessionId !== undefined && sessionId !== options.expectSessionId) throw invalid();
    // One read for session, user and membership: this is the refresh hot path.
    const context = await tx.findSessionContext(sessionId);
    if (this.admission(context, now) !== 'live') throw invalid();
    return liveContext(context!);
  }
}

/** What a pair is issued from; a membership removed since login leaves the session without a company. */
function liveContext(context: SessionContext) {
  const { session, roles } = context;
  const s: SessionRow = roles === undefined ? { ...session, company_id: null } : session;
  return { session: s, isAdmin: context.isAdmin, roles: roles ?? [] };
}

type Outcome =
  | { kind: 'pair'; session: SessionRow; isAdmin: boolean; roles: string[]; refresh: { token: string; expiresAtMs: number } }
  | { kind: 'reused' };
