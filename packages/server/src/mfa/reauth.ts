import type { AuditLog } from '../audit/audit-log.js';
import type { Lockout } from '../auth/lockout.js';
import type { PasswordAttempts } from '../auth/password-attempts.js';
import type { Clock } from '../clock/clock.js';
import { AuthError, refusalError } from '../errors/auth-error.js';
import type { Principal } from '../sessions/access-guard.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { TokenIssuer } from '../sessions/token-issuer.js';
import type { Store } from '../store/store.js';
import type { UserRow } from '../store/users-repo.js';
import { consumeLiveToken } from '../tenancy/tenancy-service.js';
import type { MfaFactors } from './mfa-factors.js';

/** What `POST /auth/reauth` proves: the password, or a TOTP or recovery code. */
export type ReauthProof = { password: string } | { method: 'totp' | 'recovery_code'; code: string };

/**
 * Renews the session's `auth_time` (step-up) without a new session: the
 * proof is one counted attempt of the account's lockout, then the session's
 * live refresh token is consumed (as a company switch does) and a new pair is
 * issued whose tokens carry the fresh `auth_time` and `amr`.
 */
export class Reauth {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      attempts: PasswordAttempts;
      lockout: Lockout;
      factors: MfaFactors;
      issuer: TokenIssuer;
      audit: AuditLog;
    },
  ) {}

  async reauth(principal: Principal, proof: ReauthProof, client: ClientInfo): Promise<IssuedTokens> {
    const { store, clock, issuer, audit } = this.deps;
    const user = await store.findUserById(principal.userId);
    if (!user || user.status !== 'active') throw refusalError('revoked');
    const amr = await this.prove(user, proof, client);
    const result = await store.transaction(async (tx) => {
      const now = clock.now();
      const successor = issuer.newRefreshId();
      await consumeLiveToken(tx, principal.sessionId, successor, now);
      if (!(await tx.setSessionAuthentication(principal.sessionId, now, amr.join(' ')))) throw refusalError('revoked');
      const session = await tx.findSession(principal.sessionId);
      if (!session || Number(session.expires_at) <= now) throw refusalError('revoked');
      const refresh = await issuer.insertRefreshToken(tx, session, successor);
      await audit.record({ type: 'mfa.reauth', userId: user.id, sessionId: session.id, ip: client.ip, details: { amr } }, tx);
      return { session, refresh };
    });
    return issuer.pair(result.session, principal.isAdmin, principal.roles, result.refresh);
  }

  private async prove(user: UserRow, proof: ReauthProof, client: ClientInfo): Promise<string[]> {
    const { attempts, lockout, factors, audit } = this.deps;
    if ('password' in proof) {
      const checked = await attempts.check({
        account: user.account,
        user,
        password: proof.password,
        ip: client.ip,
        details: { via: 'reauth' },
      });
      if (!checked.valid) throw new AuthError('BAD_CREDENTIALS', { details: { field: 'password' } });
      return ['pwd'];
    }
    const checked = await lockout.attempt(lockout.keyOf(user.account), async () => ({
      valid: await factors.checkCode(user.id, proof.method, proof.code),
    }));
    if (!checked.valid) {
      await audit.record({ type: 'mfa.failure', userId: user.id, ip: client.ip, details: { method: proof.method, via: 'reauth' } });
      throw new AuthError('MFA_WRONG');
    }
    return ['otp'];
  }
}
