import type { MeView, SessionVerdict } from '@duotoken/protocol';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { AuthError, refusalError } from '../errors/auth-error.js';
import type { SessionChanges } from '../sessions/session-changes.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { Principal } from '../sessions/access-guard.js';
import type { TokenIssuer } from '../sessions/token-issuer.js';
import type { SessionRow } from '../store/sessions-repo.js';
import type { Repos, Store } from '../store/store.js';

/** Who am I, and company switching (SPEC §3, seed 002's change_company). */
export class TenancyService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      issuer: TokenIssuer;
      /** The company switch's version bump (row in the switch's transaction, fence once it has ended). */
      changes: SessionChanges;
      audit: AuditLog;
    },
  ) {}

  /**
   * Who the caller is. The rows read anyway are also checked: a session
   * revoked or expired, or a user disabled, is refused as `revoked`, a
   * session re-versioned past the token as `stale` (both 10028), even when
   * the fence has not heard of it (#12.13), at no extra read.
   */
  async me(principal: Principal): Promise<MeView> {
    const { store, clock } = this.deps;
    // One read (one round trip on PostgreSQL): the user, the session and the memberships.
    const found = await store.findWhoAmI(principal.userId, principal.sessionId);
    if (!found || found.user.status !== 'active') throw refusalError('revoked', { message: 'session gone or user disabled' });
    const { user, memberships, session } = found;
    const verdict = rowVerdict(session, principal, clock.now());
    if (verdict !== 'ok') throw refusalError(verdict, { message: `session row: ${verdict}` });
    const companies = memberships
      .filter((m) => m.companyStatus === 'active')
      .map((m) => ({ id: m.companyId, name: m.companyName, roles: m.roles }));
    return {
      user: { id: user.id, account: user.account, name: user.name, status: user.status, is_admin: user.is_admin === 1 },
      company: companies.find((c) => c.id === principal.companyId) ?? null,
      companies,
      session: { id: session.id, expires_at: Math.floor(Number(session.expires_at) / 1000) },
    };
  }

  /**
   * Moves the session to another company the user belongs to and returns a
   * new pair. This is a rotation: the session's live refresh token is consumed
   * (its successor is the new one, so the grace window applies) and access
   * tokens for the old company stop working at once (session version bump).
   */
  async changeCompany(principal: Principal, companyId: number, client: ClientInfo): Promise<IssuedTokens> {
    const { store, clock, issuer, changes, audit } = this.deps;
    const result = await store.transaction(async (tx) => {
      const now = clock.now();
      const roles = await tx.findMembershipRoles(principal.userId, companyId);
      if (roles === undefined) throw new AuthError('FORBIDDEN', { details: { field: 'company_id' } });
      // The family's token first, the session row second: the order a refresh locks them in. The
      // other order deadlocked a switch against a refresh of the same session on PostgreSQL (#14.8).
      const successor = issuer.newRefreshId();
      await consumeLiveToken(tx, principal.sessionId, successor, now);
      const [bumped] = await changes.bumpVersions({ sessionId: principal.sessionId, moveToCompanyId: companyId }, tx);
      const session = await tx.findSession(principal.sessionId);
      if (bumped === undefined || !session || Number(session.expires_at) <= now) throw refusalError('revoked');
      const refresh = await issuer.insertRefreshToken(tx, session, successor);
      await audit.record(
        {
          type: 'company.switched',
          userId: principal.userId,
          sessionId: session.id,
          ip: client.ip,
          details: { from: principal.companyId, to: companyId },
        },
        tx,
      );
      return { session, roles, refresh };
    });
    return issuer.pair(result.session, principal.isAdmin, result.roles, result.refresh);
  }
}

/** What the session row says of the token: `revoked` unless live and this user's, `stale` when re-versioned past it. */
function rowVerdict(session: SessionRow, principal: Principal, nowMs: number): SessionVerdict {
  if (session.revoked_at !== null || Number(session.expires_at) <= nowMs || session.user_id !== principal.userId) return 'revoked';
  return session.version > principal.claims.sv ? 'stale' : 'ok';
}

/** How often a switch looks again for the live token when concurrent refreshes keep rotating it first. */
const CONSUME_ATTEMPTS = 5;

/**
 * Consumes the session's live refresh token (if any) with `successor`, so the
 * family keeps one branch. A concurrent refresh that rotated it first has
 * committed its own successor by the time the conditional UPDATE gives up
 * (READ COMMITTED), and that one is consumed instead. Also used by `POST /auth/reauth` (mfa/reauth.ts).
 */
export async function consumeLiveToken(tx: Repos, sessionId: string, successor: string, nowMs: number): Promise<void> {
  for (let attempt = 0; attempt < CONSUME_ATTEMPTS; attempt++) {
    const live = await tx.findLiveRefreshToken(sessionId, nowMs);
    if (!live || (await tx.consumeRefreshToken(live.jti, successor, nowMs))) return;
  }
  throw new AuthError('STORE_UNAVAILABLE', { details: { reason: 'refresh_contention' } });
}
