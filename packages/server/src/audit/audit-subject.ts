/** Types written by the administration surface: the actor is an operator, never the subject. */
const ADMIN_SURFACE = /^(admin|keys)\./;

function asUserId(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * The user an audit event acted upon (its `subject_id`), beside `user_id`,
 * the user who acted:
 * - `details.target_user` when present (`session.revoked`; `null` there means
 *   several users, e.g. a disabled company's sessions);
 * - else `details.user_id` (admin actions on a user);
 * - else the event's own user, for self-service events (`login.*`,
 *   `password.changed`, a logout…), but none for admin and key events.
 *
 * @example subjectOf({ type: 'admin.action', userId: 1, details: { action: 'user.disable', user_id: 7 } }) // 7
 */
export function subjectOf(event: { type: string; userId?: number | null; details?: Record<string, unknown> }): number | null {
  const details = event.details ?? {};
  // `!== undefined`, not `in`: a key set to undefined is dropped from the stored JSON.
  if (details.target_user !== undefined) return asUserId(details.target_user);
  if (details.user_id !== undefined) return asUserId(details.user_id);
  return ADMIN_SURFACE.test(event.type) ? null : (event.userId ?? null);
}
