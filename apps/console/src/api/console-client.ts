import { createAuthClient } from '@duotoken/client';
import { lang } from '../i18n/i18n.js';

const loginRequiredListeners = new Set<() => void>();

/**
 * The console's one client: tokens in localStorage (shared by every console
 * tab, refreshed once across them), the page's language sent as
 * Accept-Language so the server's messages match it. Every API call of the
 * console goes through it.
 */
export const client = createAuthClient({
  storageKey: 'duotoken-console',
  language: () => lang.value,
  onLoginRequired: () => loginRequiredListeners.forEach((listener) => listener()),
});

/** Runs `listener` when the session is lost (refresh refused, 10024): the console goes to sign-in. */
export function onLoginRequired(listener: () => void): void {
  loginRequiredListeners.add(listener);
}
