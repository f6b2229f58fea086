import type { Repos } from '../store/store.js';
import type { SessionRow } from '../store/sessions-repo.js';
import type { SessionChanges } from './session-changes.js';

/** A session a new login pushed out, and why. */
export interface DisplacedSession {
  id: string;
  reason: 'device_replaced' | 'session_limit';
}

export interface SessionLimitOptions {
  /** Live sessions a user may hold (`DUOTOKEN_SESSIONS_MAX_PER_USER`); 0 = unlimited. */
  maxPerUser: number;
  /** Device types with one live session per user (`DUOTOKEN_SESSIONS_SINGLE_DEVICE_TYPES`), lower-case. */
  singleDeviceTypes: readonly string[];
}

/**
 * Session limits applied at login: a new session of a "one session only"
 * device type ends the user's other sessions of that type, and past
 * `maxPerUser` the oldest sessions end. The new session always survives.
 *
 * `enforce` runs inside the login's transaction, so two logins racing on
 * SQLite are serialised; on PostgreSQL two concurrent logins may each miss
 * the other and leave one session over the limit, never zero sessions.
 */
export class SessionLimits {
  private readonly single: ReadonlySet<string>;

  constructor(
    private readonly changes: SessionChanges,
    private readonly now: () => number,
    private readonly options: SessionLimitOptions,
  ) {
    this.single = new Set(options.singleDeviceTypes.map((t) => t.toLowerCase()));
  }

  /** True when no limit is configured (login skips the extra query). */
  get off(): boolean {
    return this.options.maxPerUser === 0 && this.single.size === 0;
  }

  /**
   * Revokes, through the login's `tx`, the sessions the new `session`
   * displaces (row and `session.revoked` event per reason there, fence once
   * the login's transaction has ended); returns them.
   */
  async enforce(tx: Repos, session: Pick<SessionRow, 'id' | 'user_id' | 'device_type' | 'ip'>): Promise<DisplacedSession[]> {
    if (this.off) return [];
    const now = this.now();
    const others = (await tx.listLiveSessions(session.user_id, now)).filter((s) => s.id !== session.id);
    const displaced: DisplacedSession[] = [];
    const type = session.device_type?.toLowerCase();
    if (type && this.single.has(type))
      for (const s of others) if (s.device_type?.toLowerCase() === type) displaced.push({ id: s.id, reason: 'device_replaced' });
    if (this.options.maxPerUser > 0) {
      const gone = new Set(displaced.map((d) => d.id));
      // Newest first, so everything past the first (maxPerUser - 1) others is the oldest.
      const remaining = others.filter((s) => !gone.has(s.id)).sort((a, b) => Number(b.created_at) - Number(a.created_at));
      for (const s of remaining.slice(this.options.maxPerUser - 1)) displaced.push({ id: s.id, reason: 'session_limit' });
    }
    const actor = { userId: session.user_id, ip: session.ip };
    for (const reason of new Set(displaced.map((d) => d.reason))) {
      const ids = displaced.filter((d) => d.reason === reason).map((d) => d.id);
      await this.changes.revoke({ ids, userId: session.user_id }, reason, actor, tx);
    }
    return displaced;
  }
}
