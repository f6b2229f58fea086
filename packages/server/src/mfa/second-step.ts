import type { AuditLog } from '../audit/audit-log.js';
import type { LoginInput, SecondStep, SecondStepDecision } from '../auth/login-service.js';
import type { Lockout } from '../auth/lockout.js';
import type { Clock } from '../clock/clock.js';
import type { Config } from '../config/settings.js';
import { AuthError } from '../errors/auth-error.js';
import type { UserRow } from '../store/users-repo.js';
import type { MfaFactors } from './mfa-factors.js';
import type { MfaTickets } from './mfa-tickets.js';
import type { RememberedDevices } from './remembered-devices.js';

/**
 * Dialects whose clients can do the second step (`/auth/mfa/verify`); the
 * others' logins are refused for a user with a factor, never let through
 * (docs/mfa.md).
 */
export const DIALECTS_WITH_SECOND_STEP: ReadonlySet<string> = new Set(['standard', 'mmm']);

/** Whether the policy demands a factor of this user. */
export function policyCovers(policy: Config['mfa'], user: Pick<UserRow, 'is_admin'>): boolean {
  return policy === 'required' || (policy === 'required-for-admins' && user.is_admin === 1);
}

/**
 * The MFA gate of every password login: a user with a factor, or whom the
 * policy covers, gets a ticket for the second step (10060) or for enrollment
 * (10064) instead of a session.
 */
export class MfaGate implements SecondStep {
  constructor(
    private readonly deps: {
      factors: MfaFactors;
      tickets: MfaTickets;
      devices: RememberedDevices;
      lockout: Lockout;
      audit: AuditLog;
      clock: Clock;
      policy: Config['mfa'];
    },
  ) {}

  async decide(user: UserRow | undefined, input: LoginInput): Promise<SecondStepDecision> {
    // The same reads for an unknown account name, so the gate adds no timing difference.
    const status = await this.deps.factors.status(user?.id ?? 0);
    if (!user) return { due: false, amr: ['pwd'] };
    const enrolled = status.methods.length > 0;
    if (!enrolled && !policyCovers(this.deps.policy, user)) return { due: false, amr: ['pwd'] };
    // A remembered device stands for the second factor it was remembered after, on every login until it expires.
    if (enrolled && (await this.deps.devices.admits(user.id, input.deviceToken))) return { due: false, amr: ['pwd', 'mfa'] };
    const methods = enrolled ? status.methods : [];
    // Written with the end of the password's attempt; an account that is not active is refused before any demand.
    const required =
      user.status === 'active'
        ? this.deps.audit.rowOf({
            type: 'mfa.required',
            userId: user.id,
            ip: input.client.ip,
            details: { dialect: input.dialect, enroll: methods.length === 0, methods },
          })
        : undefined;
    return { due: true, event: required?.row, demand: () => this.demand(user, input, methods, required?.announce) };
  }

  private async demand(user: UserRow, input: LoginInput, methods: string[], announce: (() => void) | undefined): Promise<never> {
    const { tickets, lockout, clock } = this.deps;
    const enroll = methods.length === 0;
    announce?.();
    // A client that cannot do a second step gets no ticket: its login is refused with a clear message.
    if (!DIALECTS_WITH_SECOND_STEP.has(input.dialect)) throw new AuthError(enroll ? 'MFA_ENROLL_REQUIRED' : 'MFA_REQUIRED');
    const ticket = await tickets.issue({
      kind: enroll ? 'enroll' : 'login',
      userId: user.id,
      lockKey: lockout.keyOf(input.account),
      dialect: input.dialect,
      companyId: input.companyId,
      client: input.client,
      passwordAtMs: clock.now(),
    });
    if (enroll) throw new AuthError('MFA_ENROLL_REQUIRED', { details: { enroll_ticket: ticket.id, expires_in: ticket.expiresIn } });
    throw new AuthError('MFA_REQUIRED', { details: { mfa_ticket: ticket.id, methods, expires_in: ticket.expiresIn } });
  }
}
