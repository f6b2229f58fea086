import type { AuditEvent, AuditLog } from '../audit/audit-log.js';
import type { Lockout, Reservation } from '../auth/lockout.js';
import type { LoginService } from '../auth/login-service.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { ClientInfo, IssuedTokens } from '../sessions/issued-tokens.js';
import type { MfaTotpRow } from '../store/mfa-repo.js';
import type { Store } from '../store/store.js';
import type { MfaFactors } from './mfa-factors.js';
import type { MfaMethod, MfaTickets } from './mfa-tickets.js';
import type { RememberedDevices } from './remembered-devices.js';
import type { Passkeys } from './passkeys.js';

/** The second step of a login (`POST /auth/mfa/verify`). */
export interface MfaVerifyInput {
  ticket: string;
  method: MfaMethod;
  code?: string | undefined;
  /** A WebAuthn assertion (`AuthenticationResponseJSON`) for `method: "webauthn"`. */
  credential?: unknown;
  /** Remember this device: the answer carries a `device_token` that skips the second step until it expires. */
  rememberDevice?: boolean | undefined;
  client: ClientInfo;
}

/** RFC 8176 methods of a login finished with each second factor. */
const AMR_OF: Record<MfaMethod, string[]> = {
  totp: ['pwd', 'otp', 'mfa'],
  recovery_code: ['pwd', 'otp', 'mfa'],
  webauthn: ['pwd', 'hwk', 'mfa'],
};

/**
 * Finishes a login with its second factor. The ticket is taken out first
 * (single use: a concurrent second request with it is refused); the code is
 * checked as one attempt of the account's lockout — the password's counter,
 * so ten wrong codes lock the account as ten wrong passwords do, and a locked
 * account answers 10021 here too. A wrong code puts the ticket back.
 */
export class MfaLogin {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      factors: MfaFactors;
      tickets: MfaTickets;
      devices: RememberedDevices;
      passkeys: Passkeys;
      lockout: Lockout;
      audit: AuditLog;
      login: LoginService;
    },
  ) {}

  async verify(input: MfaVerifyInput): Promise<{ tokens: IssuedTokens; dialect: string; deviceToken?: string }> {
    const { store, clock, tickets, devices, lockout, audit, login } = this.deps;
    const ticket = await tickets.take(input.ticket);
    // One statement reserves the attempt and reads the user, memberships and TOTP row (one round trip on PostgreSQL).
    const start = (r: Reservation) => store.startSecondStep({ ...r, userId: ticket.userId });
    const checked = await lockout.attemptReading(
      ticket.lockKey,
      start,
      async (read) => {
        const user = read.user;
        if (!user || user.status !== 'active') throw new AuthError('MFA_TICKET_INVALID');
        return { ...(await this.check(user.id, input, read)), user, memberships: read.memberships };
      },
      // A right code's forgiveness is written with the session (one write fewer).
      { onValid: 'caller' },
    );
    const user = checked.user;
    const event = { userId: user.id, ip: input.client.ip, details: { method: input.method, dialect: ticket.dialect } };
    if (!checked.valid) {
      await tickets.putBack(input.ticket, ticket);
      await audit.record({ type: 'mfa.failure', ...event });
      if (checked.locked !== 'none')
        await audit.record({ type: 'login.locked', ...event, details: { ...event.details, hard: checked.locked === 'hard' } });
      throw new AuthError('MFA_WRONG');
    }
    const success: AuditEvent = { type: 'mfa.success', ...event };
    const auth = { amr: checked.amr, authTimeMs: clock.now(), events: [success], forgive: ticket.lockKey };
    let tokens: IssuedTokens;
    try {
      tokens = await login.openSession(user, ticket, auth, checked.memberships);
    } catch (error) {
      // No session, yet the code was right: its attempt ends forgiven all the same (were the store down
      // too, the attempt would stop counting as in flight after a minute: Lockout).
      await lockout.forgive(ticket.lockKey).catch(() => undefined);
      throw error;
    }
    if (!input.rememberDevice || !devices.enabled) return { tokens, dialect: ticket.dialect };
    const device = await devices.remember(user.id);
    await audit.record({ type: 'mfa.device_remembered', ...event, sessionId: tokens.sessionId });
    return { tokens, dialect: ticket.dialect, deviceToken: device.token };
  }

  private async check(
    userId: number,
    input: MfaVerifyInput,
    read: { totp: MfaTotpRow | undefined },
  ): Promise<{ valid: boolean; amr: string[] }> {
    if (input.method === 'webauthn') {
      const r = await this.deps.passkeys.checkAssertion(input.ticket, input.credential, userId, false);
      // RFC 8176: `user` only when the authenticator verified the user (PIN, biometrics).
      return { valid: r.ok, amr: r.ok && r.userVerified ? ['pwd', 'hwk', 'user', 'mfa'] : AMR_OF.webauthn };
    }
    const valid = input.code !== undefined && (await this.deps.factors.checkCode(userId, input.method, input.code, read));
    return { valid, amr: AMR_OF[input.method] };
  }
}
