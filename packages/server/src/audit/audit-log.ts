import type { Logger } from 'pino';
import type { Clock } from '../clock/clock.js';
import type { Repos } from '../store/store.js';

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
  | 'keys.rotated';

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

  async record(event: AuditEvent, tx: Repos = this.repos): Promise<void> {
    const at = this.clock.now();
    await tx.insertAuditEvent({
      at,
      type: event.type,
      user_id: event.userId ?? null,
      session_id: event.sessionId ?? null,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
    });
    this.logger.info({ audit: { ...event, at } }, `audit ${event.type}`);
  }
}
