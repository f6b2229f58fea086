import { createAuthClient, isAuthClientError, type AuthTokens, type LoginChallenge, type MeView, type SessionView } from '@duotoken/client';
import { reactive } from 'vue';
import { lang, t } from './i18n.js';

/**
 * The console's one client: tokens in localStorage (shared by every console
 * tab), the language of the page sent as Accept-Language so the server's
 * messages match it.
 */
export const client = createAuthClient({
  storageKey: 'duotoken-console',
  language: () => lang.value,
  onLoginRequired: () => {
    state.notice = t('sessionEnded');
  },
});

/** What the console shows. */
export const state = reactive({
  ready: false,
  tokens: null as AuthTokens | null,
  me: null as MeView | null,
  sessions: [] as SessionView[],
  challenge: null as LoginChallenge | null,
  error: '',
  notice: '',
  busy: false,
});

client.subscribe((tokens) => {
  state.tokens = tokens;
  if (!tokens) {
    state.me = null;
    state.sessions = [];
    void newChallenge();
  } else if (!state.me && !state.busy) void reload(); // signed in from another tab (a login here reloads itself)
});

function showError(error: unknown): void {
  state.error = isAuthClientError(error) ? error.message : String(error);
}

/** Runs an action with the busy flag and error display. */
async function act(action: () => Promise<void>): Promise<void> {
  state.busy = true;
  state.error = '';
  try {
    await action();
  } catch (error) {
    showError(error);
  } finally {
    state.busy = false;
  }
}

/** Loads the page: a signed-in tab shows the account, others a login form. */
export async function startConsole(): Promise<void> {
  state.tokens = await client.getTokens();
  if (state.tokens) await reload();
  else await newChallenge();
  state.ready = true;
}

/** A new challenge `t` with its captcha (the previous one is spent by any login attempt). */
export async function newChallenge(): Promise<void> {
  try {
    state.challenge = await client.getChallenge();
  } catch (error) {
    showError(error);
  }
}

/** Draws a new captcha image for the same `t`. */
export function redrawCaptcha(): void {
  if (state.challenge) state.challenge = { ...state.challenge, captchaUrl: client.captchaUrl(state.challenge.t) };
}

export function signIn(account: string, password: string, captcha: string): Promise<void> {
  return act(async () => {
    const challenge = state.challenge;
    try {
      await client.login({ account, password, t: challenge?.t, captcha: captcha || undefined, deviceType: 'console' });
      state.notice = '';
    } catch (error) {
      await newChallenge();
      throw error;
    }
    await reload();
  });
}

/** Who am I, and my sessions. */
export function reload(): Promise<void> {
  return act(async () => {
    const [me, sessions] = await Promise.all([client.me(), client.sessions()]);
    state.me = me;
    state.sessions = sessions;
  });
}

export function switchCompany(companyId: number): Promise<void> {
  return act(async () => {
    await client.switchCompany(companyId);
    state.me = await client.me();
    state.sessions = await client.sessions();
  });
}

export function revokeSession(id: string): Promise<void> {
  return act(async () => {
    await client.revokeSession(id);
    state.sessions = await client.sessions();
  });
}

export function refreshNow(): Promise<void> {
  return act(async () => {
    await client.refresh();
  });
}

export function signOut(): Promise<void> {
  return act(() => client.logout());
}
