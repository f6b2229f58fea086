import { AuthError } from '../errors/auth-error.js';

/** A display name (user or company) as stored: trimmed, 1-256 characters; INVALID_REQUEST naming `field` otherwise. */
export function checkName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 256) throw new AuthError('INVALID_REQUEST', { details: { field } });
  return trimmed;
}
