import { createAuthClient } from '@duotoken/client';
import { ref } from 'vue';
import { lang } from '../i18n/i18n.js';

/** Requests to the server in flight: the page is `aria-busy` while any is (screen readers wait; tests too). */
export const pendingRequests = ref(0);

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
  fetch: async (input, init) => {
    pendingRequests.value++;
    try {
      return await fetch(input, init);
    } finally {
      pendingRequests.value--;
    }
  },
  onLoginRequired: () => loginRequiredListeners.forEach((listener) => listener()),
});

/** Runs `listener` when the session is lost (refresh refused, 10024): the console goes to sign-in. */
export function onLoginRequired(listener: () => void): void {
  loginRequiredListeners.add(listener);
}
