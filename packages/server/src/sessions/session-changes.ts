import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock/clock.js';
import type { Repos, Store } from '../store/store.js';
import type { SessionFence } from './session-fence.js';
import type { RevocationReason } from './session-states.js';

/** Which sessions a revocation ends (the live ones among them); the fields combine. */
export interface RevocationFilter {
  id?: string;
  ids?: readonly string[];
  userId?: number;
  companyId?: number;
  exceptId?: string;
}

/** Who asked: the audit event's `user_id` (null: nobody, e.g. reuse detection or the CLI) and `ip`. */
export interface SessionActor {
  userId: number | null;
  ip: string | null;
}

/** Which live sessions a version bump re-versions. */
export type VersionBumpTarget =
  /** A role change: the user's sessions in that company. */
  | { userId: number; companyId: number }
  /** A company switch: one session, moved to `moveToCompanyId`. */
  | { sessionId: string; moveToCompanyId: number };

/** A session whose outstanding access tokens the change fences off. */
export interface ChangedSession {
  id: string;
  /** The session's new version (0 for a revocation: every version is refused). */
  version: number;
}

type SessionChange =
  { kind: 'revoke'; filter: RevocationFilter; reason: RevocationReason; actor: SessionActor } | { kind: 'bump'; target: VersionBumpTarget };

/**
 * The one path by which a session ends or is re-versioned (logout, logout-all,
 * revoke one, password change and reset, user disable, membership removal,
 * company disable, admin revocations, reuse detection, session limits; role
 * change and company switch). Every change is written in the same order:
 *
 * 1. the session rows, in the caller's transaction when it passes one (else in one of its own);
 * 2. for a revocation, the `session.revoked` audit event, in that same
 *    transaction (a version bump's event is its caller's: `company.switched`,
 *    `admin.action`, written in that transaction too);
 * 3. the fence (this instance at once, the others through the bus and the
 *    store poll), once that transaction has ended, whether it committed or not.
 *
 * Why the fence comes last, and even after a failed transaction: docs/architecture.md "Ending a session".
 */
export class SessionChanges {
  constructor(private readonly deps: { store: Store; clock: Clock; fence: SessionFence; audit: AuditLog }) {}

  /** Revokes the live sessions matching `filter`; returns their ids (none when all had already ended). */
  async revoke(filter: RevocationFilter, reason: RevocationReason, actor: SessionActor, tx?: Repos): Promise<string[]> {
    const changed = await this.apply({ kind: 'revoke', filter, reason, actor }, tx);
    return changed.map((s) => s.id);
  }

  /**
   * Bumps the version of the live sessions of `target` (and moves a switched
   * session to its new company): their outstanding access tokens are refused
   * at once, and the next refresh or switch issues tokens with the new version.
   */
  bumpVersions(target: VersionBumpTarget, tx?: Repos): Promise<ChangedSession[]> {
    return this.apply({ kind: 'bump', target }, tx);
  }

  private async apply(change: SessionChange, tx: Repos | undefined): Promise<ChangedSession[]> {
    if (!tx) return this.deps.store.transaction((own) => this.apply(change, own));
    const now = this.deps.clock.now();
    const changed = change.kind === 'revoke' ? await this.revokeRows(tx, change, now) : await bumpRows(tx, change.target, now);
    const revoked = change.kind === 'revoke';
    tx.whenSettled(() => {
      for (const s of changed) this.deps.fence.record({ sessionId: s.id, version: s.version, revoked, at: now });
    });
    return changed;
  }

  private async revokeRows(tx: Repos, change: Extract<SessionChange, { kind: 'revoke' }>, now: number): Promise<ChangedSession[]> {
    const { filter, reason, actor } = change;
    const ids = await tx.revokeSessions(filter, reason, now);
    if (ids.length) {
      // A company's sessions belong to many users: the event names none (subject null) rather than the actor.
      const targetUser = filter.userId ?? (filter.companyId !== undefined ? null : undefined);
      await this.deps.audit.record(
        {
          type: 'session.revoked',
          userId: actor.userId,
          sessionId: ids.length === 1 ? ids[0] : null,
          ip: actor.ip,
          details: { sessions: ids, reason, target_user: targetUser },
        },
        tx,
      );
    }
    return ids.map((id) => ({ id, version: 0 }));
  }
}

async function bumpRows(tx: Repos, target: VersionBumpTarget, now: number): Promise<ChangedSession[]> {
  if ('userId' in target) return tx.bumpSessionVersions(target, now);
  const version = await tx.switchCompany(target.sessionId, target.moveToCompanyId, now);
  return version === undefined ? [] : [{ id: target.sessionId, version }];
}
