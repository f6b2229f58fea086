import type { AuditLog, MfaAuditType } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import { seal, unseal } from '../crypto/sealed-box.js';
import { AuthError } from '../errors/auth-error.js';
import type { MfaFactorCounts, MfaTotpRow } from '../store/mfa-repo.js';
import type { Store } from '../store/store.js';
import type { MfaKeys } from './mfa-keys.js';
import type { MfaMethod } from './mfa-tickets.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { matchTotpStep, newTotpSecret, totpEnrollment } from './totp.js';

/** What `GET /auth/mfa` shows (never a secret). */
export interface MfaStatus extends MfaFactorCounts {
  methods: MfaMethod[];
}

/** Who changes a factor, and from where (audit). */
export interface MfaActor {
  userId: number;
  sessionId?: string | null;
  ip: string | null;
}

/**
 * A user's TOTP and recovery codes: set-up, confirmation, removal, and the
 * check of a presented code. TOTP secrets are sealed with a key of the server
 * secret; recovery codes are stored as keyed hashes; every change is audited.
 */
export class MfaFactors {
  constructor(private readonly deps: { store: Store; clock: Clock; keys: MfaKeys; audit: AuditLog; issuer: string }) {}

  /** The second-step methods a user can use now (empty: the user has no factor). */
  async status(userId: number): Promise<MfaStatus> {
    const counts = await this.deps.store.countMfaFactors(userId);
    const methods: MfaMethod[] = [];
    if (counts.totp) methods.push('totp');
    if (counts.passkeys > 0) methods.push('webauthn');
    // Recovery codes stand in for another factor; alone they are not one.
    if (methods.length && counts.recoveryCodesLeft > 0) methods.push('recovery_code');
    return { ...counts, methods };
  }

  /** Starts a TOTP set-up (replacing an unconfirmed one); CONFLICT while TOTP is on. */
  async setupTotp(actor: MfaActor): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
    const { store, clock, keys, issuer } = this.deps;
    const [user, current] = await Promise.all([store.findUserById(actor.userId), store.findTotp(actor.userId)]);
    if (!user) throw new AuthError('NOT_FOUND');
    if (current?.enabled_at) throw new AuthError('CONFLICT', { details: { factor: 'totp' } });
    const secret = newTotpSecret();
    await store.putPendingTotp(actor.userId, seal(keys.sealKey, secret), clock.now());
    const { url, qrSvg } = await totpEnrollment(secret, issuer, user.account);
    await this.record('mfa.totp_setup', actor);
    return { secret, otpauthUrl: url, qrSvg };
  }

  /** Confirms the pending TOTP with a code of it; answers the first recovery codes (shown once). */
  async enableTotp(actor: MfaActor, code: string): Promise<string[]> {
    const { store, clock, keys } = this.deps;
    const pending = await store.findTotp(actor.userId);
    if (!pending || pending.enabled_at) throw new AuthError('CONFLICT', { details: { factor: 'totp' } });
    const step = matchTotpStep(unseal(keys.sealKey, pending.secret_sealed), code, clock.now());
    if (step === null) {
      await this.record('mfa.failure', actor, { method: 'totp', during: 'enable' });
      throw new AuthError('MFA_WRONG');
    }
    if (!(await store.enableTotp(actor.userId, step, clock.now()))) throw new AuthError('CONFLICT', { details: { factor: 'totp' } });
    await this.record('mfa.totp_enabled', actor);
    return this.regenerateRecoveryCodes(actor);
  }

  /** Turns TOTP off (and the recovery codes when no other factor is left). */
  async disableTotp(actor: MfaActor): Promise<void> {
    const { store } = this.deps;
    if (!(await store.deleteTotp(actor.userId))) throw new AuthError('NOT_FOUND');
    if ((await this.status(actor.userId)).passkeys === 0) await store.replaceRecoveryCodes(actor.userId, [], this.deps.clock.now());
    await this.record('mfa.totp_disabled', actor);
  }

  /** A new set of recovery codes; the old set is void. */
  async regenerateRecoveryCodes(actor: MfaActor): Promise<string[]> {
    const { store, clock, keys } = this.deps;
    const counts = await store.countMfaFactors(actor.userId);
    // Codes stand in for a factor; without one they would be a password of their own.
    if (!counts.totp && counts.passkeys === 0) throw new AuthError('CONFLICT', { details: { factor: 'none' } });
    const codes = newRecoveryCodes();
    await store.replaceRecoveryCodes(
      actor.userId,
      codes.map((c) => hashRecoveryCode(keys.hashKey, c)),
      clock.now(),
    );
    await this.record('mfa.recovery_codes_generated', actor);
    return codes;
  }

  /**
   * Checks a TOTP or recovery code of the user. A TOTP code is accepted once:
   * its step is claimed by a conditional UPDATE, so the same code again (or a
   * code of an earlier step) is refused. A recovery code is spent. `read`:
   * the user's TOTP row when already read (the second step reads it with its
   * reservation).
   */
  async checkCode(
    userId: number,
    method: 'totp' | 'recovery_code',
    code: string,
    read?: { totp: MfaTotpRow | undefined },
  ): Promise<boolean> {
    const { store, clock, keys } = this.deps;
    if (method === 'recovery_code') return store.useRecoveryCode(userId, hashRecoveryCode(keys.hashKey, code), clock.now());
    const totp = read ? read.totp : await store.findTotp(userId);
    if (!totp?.enabled_at) return false;
    const step = matchTotpStep(unseal(keys.sealKey, totp.secret_sealed), code, clock.now());
    return step !== null && (await store.claimTotpStep(userId, step));
  }

  private async record(type: MfaAuditType, actor: MfaActor, details: Record<string, unknown> = {}): Promise<void> {
    await this.deps.audit.record({ type, userId: actor.userId, sessionId: actor.sessionId ?? null, ip: actor.ip, details });
  }
}
