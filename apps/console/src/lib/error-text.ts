import { isAuthClientError } from '@duotoken/client';
import { t } from '../i18n/i18n.js';

/**
 * What to tell the user about a failed call: the server's own message (it
 * follows the console's language), or ours when the server was not reached.
 */
export function errorText(error: unknown): string {
  if (!isAuthClientError(error)) return t('error.unexpected');
  if (error.code === 'NETWORK_ERROR') return t('error.network');
  if (error.code === 'SERVER_UNAVAILABLE') return t('error.unavailable');
  if (error.code === 'LOGIN_REQUIRED') return t('login.sessionEnded');
  if (error.code === 'BAD_RESPONSE' && error.status === 404) return t('error.notAvailable');
  // The password policy names the rule a new password broke: say which, in words.
  const rule = (error.data as { field?: string; rule?: string; min?: number } | null) ?? {};
  if (rule.field === 'password' && rule.rule === 'min_length') return t('password.tooShort', { min: rule.min ?? '' });
  if (rule.field === 'password' && rule.rule === 'max_bytes') return t('password.tooLong');
  if (rule.field === 'password' && rule.rule === 'common') return t('password.common');
  return error.message;
}
