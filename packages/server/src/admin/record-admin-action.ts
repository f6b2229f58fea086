import type { AuditLog } from '../audit/audit-log.js';
import type { Repos } from '../store/store.js';
import type { Actor } from './admin-scope.js';

/**
 * Writes the `admin.action` audit event of an administrative change:
 * `user_id` is the actor, `details.action` what was done (`user.disable`,
 * `company.update` …), `details.user_id` the user acted upon when there is one.
 * Through `tx` when given: in the transaction of the change it records.
 */
export function recordAdminAction(
  audit: AuditLog,
  actor: Actor,
  action: string,
  details: Record<string, unknown>,
  tx?: Repos,
): Promise<void> {
  return audit.record({ type: 'admin.action', userId: actor.userId, ip: actor.ip, details: { action, ...details } }, tx);
}
