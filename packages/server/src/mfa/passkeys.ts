import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AuditLog } from '../audit/audit-log.js';
import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';
import type { MfaActor } from './mfa-factors.js';

/** Where WebAuthn ceremonies are accepted (SPEC §9 settings). */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** A challenge lives as long as a ticket. */
const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** The outcome of checking an assertion. */
export type AssertionCheck = { ok: true; userId: number; userVerified: boolean } | { ok: false };

/**
 * WebAuthn passkeys through `@simplewebauthn/server` (no CBOR, COSE or
 * attestation parsing here): registration, and assertions as a second factor
 * or for passwordless login. Each ceremony's challenge is single use (taken
 * out of the ephemeral store); origin, RP ID, challenge, user verification
 * (when required) and the signature counter are checked by the library; a
 * counter that goes back (a cloned authenticator) is refused and audited.
 */
export class Passkeys {
  constructor(private readonly deps: { store: Store; ephemeral: EphemeralStore; clock: Clock; audit: AuditLog; rp: RelyingParty }) {}

  /** Creation options for the signed-in user (discoverable credential, attestation `none`). */
  async registrationOptions(actor: MfaActor): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { store, ephemeral, rp } = this.deps;
    const user = await store.findUserById(actor.userId);
    if (!user) throw new AuthError('NOT_FOUND');
    const existing = await store.listWebauthnCredentials(user.id);
    const options = await generateRegistrationOptions({
      rpName: rp.name,
      rpID: rp.id,
      userName: user.account,
      userDisplayName: user.name,
      userID: new TextEncoder().encode(`duotoken:${user.id}`),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as string[] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    await ephemeral.set(`webauthn:reg:${user.id}`, options.challenge, CHALLENGE_TTL_MS);
    return options;
  }

  /** Verifies a registration against the user's last options and stores the passkey. */
  async register(actor: MfaActor, credential: RegistrationResponseJSON, name: string): Promise<{ id: string }> {
    const { store, ephemeral, clock, audit, rp } = this.deps;
    const challenge = await ephemeral.take(`webauthn:reg:${actor.userId}`);
    if (!challenge) throw new AuthError('MFA_TICKET_INVALID', { details: { reason: 'no registration options' } });
    let info;
    try {
      const verified = await verifyRegistrationResponse({
        response: credential,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        requireUserVerification: false,
      });
      if (!verified.verified) throw new Error('not verified');
      info = verified.registrationInfo;
    } catch (error) {
      await audit.record({ type: 'mfa.failure', userId: actor.userId, ip: actor.ip, details: { method: 'webauthn', during: 'register' } });
      throw new AuthError('MFA_WRONG', { cause: error });
    }
    const now = clock.now();
    await store.insertWebauthnCredential({
      id: info.credential.id,
      user_id: actor.userId,
      public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: JSON.stringify(info.credential.transports ?? []),
      name,
      backed_up: info.credentialBackedUp ? 1 : 0,
      created_at: now,
      last_used_at: null,
    });
    await audit.record({ type: 'mfa.passkey_added', userId: actor.userId, sessionId: actor.sessionId ?? null, ip: actor.ip });
    return { id: info.credential.id };
  }

  async remove(actor: MfaActor, id: string): Promise<void> {
    if (!(await this.deps.store.deleteWebauthnCredential(actor.userId, id))) throw new AuthError('NOT_FOUND');
    await this.deps.audit.record({ type: 'mfa.passkey_removed', userId: actor.userId, sessionId: actor.sessionId ?? null, ip: actor.ip });
  }

  /**
   * Request options bound to `key` (a login ticket, or a passwordless
   * challenge `t`): the user's credentials when known, else any
   * discoverable one.
   */
  async authenticationOptions(
    key: string,
    userId: number | null,
    userVerification: 'required' | 'preferred',
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { store, ephemeral, rp } = this.deps;
    const allow = userId === null ? [] : await store.listWebauthnCredentials(userId);
    const options = await generateAuthenticationOptions({
      rpID: rp.id,
      userVerification,
      allowCredentials: allow.map((c) => ({ id: c.id, transports: JSON.parse(c.transports) as string[] })),
    });
    await ephemeral.set(`webauthn:auth:${key}`, options.challenge, CHALLENGE_TTL_MS);
    return options;
  }

  /**
   * Checks an assertion against the challenge bound to `key` (used up) and
   * the stored credential; `userId` when the login already names its user.
   */
  async checkAssertion(key: string, credential: unknown, userId: number | null, requireUserVerification: boolean): Promise<AssertionCheck> {
    const { store, ephemeral, clock, rp } = this.deps;
    const challenge = await ephemeral.take(`webauthn:auth:${key}`);
    const response = credential as AuthenticationResponseJSON;
    if (!challenge || typeof response?.id !== 'string') return { ok: false };
    const row = await store.findWebauthnCredential(response.id);
    if (!row || (userId !== null && row.user_id !== userId)) return { ok: false };
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origins,
        expectedRPID: rp.id,
        credential: { id: row.id, publicKey: Buffer.from(row.public_key, 'base64url'), counter: Number(row.counter) },
        requireUserVerification,
      });
      if (!verified.verified) return { ok: false };
      const { newCounter, userVerified } = verified.authenticationInfo;
      if (!(await store.useWebauthnCredential(row.id, newCounter, clock.now())) && newCounter !== 0)
        return this.cloned(row.user_id, row.id);
      return { ok: true, userId: row.user_id, userVerified };
    } catch (error) {
      // The library refuses a counter that did not grow: the mark of a cloned authenticator.
      if (error instanceof Error && /counter/i.test(error.message)) return this.cloned(row.user_id, row.id);
      return { ok: false };
    }
  }

  private async cloned(userId: number, credentialId: string): Promise<AssertionCheck> {
    await this.deps.audit.record({ type: 'mfa.passkey_clone_warning', userId, details: { credential: credentialId.slice(0, 16) } });
    return { ok: false };
  }
}
