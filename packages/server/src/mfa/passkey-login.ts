import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { AuditEvent, AuditLog } from '../audit/audit-log.js';
import type { ChallengeService } from '../auth/challenge-service.js';
import type { LoginService } from '../auth/login-service.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { Store } from '../store/store.js';
import type { Passkeys } from './passkeys.js';

/**
 * Passwordless login with a discoverable passkey (SPEC §9): the options are
 * bound to a login challenge `t` (single use, consumed by the login whatever
 * its outcome), user verification is required, and the session's `amr` is
 * `hwk user mfa` (a user-verifying authenticator is two factors by itself).
 */
export class PasskeyLogin {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      challenges: ChallengeService;
      passkeys: Passkeys;
      login: LoginService;
      audit: AuditLog;
    },
  ) {}

  async options(t: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    await this.deps.challenges.assertLive(t);
    return this.deps.passkeys.authenticationOptions(`passkey:${t}`, null, 'required');
  }

  async login(t: string, credential: unknown, client: ClientInfo): Promise<IssuedTokens> {
    const { store, clock, challenges, passkeys, login, audit } = this.deps;
    await challenges.consume(t, undefined, false);
    const checked = await passkeys.checkAssertion(`passkey:${t}`, credential, null, true);
    if (!checked.ok) {
      await audit.record({ type: 'mfa.failure', ip: client.ip, details: { method: 'webauthn', via: 'passkey_login' } });
      throw new AuthError('MFA_WRONG');
    }
    const user = await store.findUserById(checked.userId);
    if (!user || user.status !== 'active') throw new AuthError('ACCOUNT_DISABLED');
    const success: AuditEvent = {
      type: 'mfa.success',
      userId: user.id,
      ip: client.ip,
      details: { method: 'webauthn', via: 'passkey_login' },
    };
    return login.openSession(
      user,
      { dialect: 'standard', companyId: undefined, client },
      { amr: ['hwk', 'user', 'mfa'], authTimeMs: clock.now(), events: [success] },
    );
  }
}
