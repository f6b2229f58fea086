import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import { AuthError } from '../errors/auth-error.js';
import type { ClientInfo } from '../sessions/issued-tokens.js';

/** Second factors a login may finish with (SPEC §9). */
export type MfaMethod = 'totp' | 'webauthn' | 'recovery_code';

/** A ticket lives 5 minutes (SPEC §9). */
export const MFA_TICKET_TTL_MS = 5 * 60 * 1000;

/**
 * A login waiting for its second step: whose, with which lockout key (the
 * password's, so wrong codes count where wrong passwords do), and what the
 * session will be once it is done. `enroll` tickets (policy, 10064) may also
 * call the enrollment routes.
 */
export interface MfaTicket {
  kind: 'login' | 'enroll';
  userId: number;
  lockKey: string;
  dialect: string;
  companyId: number | undefined;
  client: ClientInfo;
  /** Unix ms of the password check this ticket continues. */
  passwordAtMs: number;
  expiresAtMs: number;
}

const keyOf = (id: string) => `mfa:ticket:${id}`;

/**
 * Single-use login tickets in the ephemeral store (shared by every instance
 * through Redis). `take` removes the ticket atomically, so two requests with
 * one ticket never both proceed; a wrong code puts it back until it expires.
 */
export class MfaTickets {
  constructor(
    private readonly ephemeral: EphemeralStore,
    private readonly clock: Clock,
  ) {}

  /** Stores a new ticket; returns its id and lifetime in seconds. */
  async issue(ticket: Omit<MfaTicket, 'expiresAtMs'>): Promise<{ id: string; expiresIn: number }> {
    const id = randomId(24);
    const full: MfaTicket = { ...ticket, expiresAtMs: this.clock.now() + MFA_TICKET_TTL_MS };
    await this.ephemeral.set(keyOf(id), JSON.stringify(full), MFA_TICKET_TTL_MS);
    return { id, expiresIn: MFA_TICKET_TTL_MS / 1000 };
  }

  /** Takes the ticket out (single use); MFA_TICKET_INVALID when missing, unknown, used or expired. */
  async take(id: string | undefined): Promise<MfaTicket> {
    const raw = id ? await this.ephemeral.take(keyOf(id)) : undefined;
    const ticket = raw ? (JSON.parse(raw) as MfaTicket) : undefined;
    if (!ticket || ticket.expiresAtMs <= this.clock.now()) throw new AuthError('MFA_TICKET_INVALID');
    return ticket;
  }

  /** Reads the ticket without using it (enrollment routes of an `enroll` ticket). */
  async peek(id: string | undefined): Promise<MfaTicket> {
    const raw = id ? await this.ephemeral.get(keyOf(id)) : undefined;
    const ticket = raw ? (JSON.parse(raw) as MfaTicket) : undefined;
    if (!ticket || ticket.expiresAtMs <= this.clock.now()) throw new AuthError('MFA_TICKET_INVALID');
    return ticket;
  }

  /** Puts back a ticket taken for a check that failed, for the rest of its life. */
  async putBack(id: string, ticket: MfaTicket): Promise<void> {
    const left = ticket.expiresAtMs - this.clock.now();
    if (left > 0) await this.ephemeral.set(keyOf(id), JSON.stringify(ticket), left);
  }
}
