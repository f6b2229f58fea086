import type { SessionView } from '@duotoken/protocol';
import type { Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import type { Store } from '../store/store.js';
import type { SessionRow } from '../store/sessions-repo.js';
import { describeDevice } from './device-name.js';
import type { ClientInfo } from './issued-tokens.js';
import type { SessionChanges } from './session-changes.js';

/** Logout, session listing and revocation by their owner (revocations through `SessionChanges`). */
export class SessionService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      /** Every revocation goes through it: row, audit event, fence. */
      changes: SessionChanges;
    },
  ) {}

  logout(sessionId: string, client: ClientInfo, userId: number): Promise<string[]> {
    return this.deps.changes.revoke({ id: sessionId }, 'logout', { userId, ip: client.ip });
  }

  logoutAll(userId: number, client: ClientInfo): Promise<string[]> {
    return this.deps.changes.revoke({ userId }, 'logout_all', { userId, ip: client.ip });
  }

  /** Revokes one of the user's own sessions; NOT_FOUND for another user's. */
  async revokeOwn(userId: number, sessionId: string, client: ClientInfo): Promise<void> {
    const session = await this.deps.store.findSession(sessionId);
    if (!session || session.user_id !== userId) throw new AuthError('NOT_FOUND');
    await this.deps.changes.revoke({ id: sessionId }, 'revoked_by_user', { userId, ip: client.ip });
  }

  async list(userId: number, currentSessionId: string | null): Promise<SessionView[]> {
    const rows = await this.deps.store.listLiveSessions(userId, this.deps.clock.now());
    return rows.map((s) => view(s, currentSessionId));
  }
}

function view(s: SessionRow, currentSessionId: string | null): SessionView {
  return {
    id: s.id,
    created_at: Math.floor(Number(s.created_at) / 1000),
    last_used_at: Math.floor(Number(s.last_used_at) / 1000),
    expires_at: Math.floor(Number(s.expires_at) / 1000),
    ip: s.ip,
    user_agent: s.user_agent,
    device: describeDevice(s.user_agent),
    device_type: s.device_type,
    company_id: s.company_id,
    current: s.id === currentSessionId,
  };
}
