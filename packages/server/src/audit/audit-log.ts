import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { AuditEventInsert } from '../store/audit-repo.js';
import type { Repos } from '../store/store.js';
import { subjectOf } from './audit-subject.js';

/** Kinds of audited events. */
export type AuditType =
  | 'login.success'
  | 'login.failure'
  | 'login.locked'
  | 'refresh.reuse_detected'
  | 'session.revoked'
  | 'session.logout_all'
  | 'company.switched'
  | 'password.changed'
  | 'admin.action'
  | 'keys.rotated'
  | MfaAuditType;

/** MFA events (#15): enrollment changes, second steps, resets, remembered devices, step-up. */
export type MfaAuditType =
  | 'mfa.totp_setup'
  | 'mfa.totp_enabled'
  | 'mfa.totp_disabled'
  | 'mfa.recovery_codes_generated'
  | 'mfa.required'
  | 'mfa.success'
  | 'mfa.failure'
  | 'mfa.reset'
  | 'mfa.device_remembered'
  | 'mfa.devices_forgotten'
  | 'mfa.passkey_added'
  | 'mfa.passkey_removed'
  | 'mfa.passkey_clone_warning'
  | 'mfa.reauth';

/** Events that are counted (metrics) but not stored: frequent and harmless. */
export type NoticeType = 'refresh.grace_hit';

/** What audit listeners receive: a recorded event, or a notice that is not stored. */
export type AuditNotice = Omit<AuditEvent, 'type'> & { type: AuditType | NoticeType; at: number };

/** A listener of the audit log (metrics, alerting): called synchronously, must be cheap and never throw. */
export type AuditListener = (event: AuditNotice) => void;

/** One audit event; `details` must never hold a secret. */
export interface AuditEvent {
  type: AuditType;
  userId?: number | null;
  sessionId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Writes audit events to the database (queryable by admins) and as
 * structured log lines. Pass a transaction's repos to write atomically with
 * the change being audited.
 */
export class AuditLog {
  constructor(
    private readonly repos: Repos,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private readonly listeners: AuditListener[] = [];

  /** Adds a listener of every recorded event and notice (the event source of the metrics). */
  onRecord(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners of an event that is counted but not stored (no database write). */
  notice(event: Omit<AuditNotice, 'at'> & { type: NoticeType }): void {
    this.emit({ ...event, at: this.clock.now() });
  }

  private emit(event: AuditNotice): void {
    for (const listen of this.listeners) listen(event);
  }

  async record(event: AuditEvent, tx: Repos = this.repos): Promise<void> {
    const { row, announce } = this.rowOf(event);
    await tx.insertAuditEvent(row);
    announce();
  }

  /**
   * The row of `event`, and what recording it says once the row is written
   * (the log line, the listeners): for a caller that writes the row in one
   * statement with others (`openLoginSession`).
   */
  rowOf(event: AuditEvent): { row: AuditEventInsert; announce: () => void } {
    const at = this.clock.now();
    const row = {
      at,
      type: event.type,
      user_id: event.userId ?? null,
      session_id: event.sessionId ?? null,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
      subject_id: subjectOf(event),
    };
    return {
      row,
      announce: () => {
        this.logger.info({ audit: { ...event, at } }, `audit ${event.type}`);
        if (this.listeners.length) this.emit({ ...event, at });
      },
    };
  }
}
