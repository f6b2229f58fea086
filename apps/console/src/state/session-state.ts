import type { AuthTokens, MeView, MfaChallenge, MfaEnrollment, VerifyMfaInput } from '@duotoken/client';
import { computed, reactive } from 'vue';
import { adminApi } from '../api/admin-api.js';
import type { AdminAccess } from '../api/admin-types.js';
import { client, onLoginRequired } from '../api/console-client.js';
import { t } from '../i18n/i18n.js';

const NO_ADMIN: AdminAccess = { platform_admin: false, company_admin_of: [] };

/** Who is signed in to the console, and what the admin API lets them do. */
export const session = reactive({
  /** The stored tokens have been read and, when signed in, who I am is loaded. */
  ready: false,
  tokens: null as AuthTokens | null,
  me: null as MeView | null,
  access: NO_ADMIN as AdminAccess,
  /** Shown on the sign-in page: why the user is there (their session ended …). */
  notice: '',
});

/** A platform administrator: every page. */
export const isPlatformAdmin = computed(() => session.access.platform_admin);
/** A platform admin or the admin of at least one company: the users, companies and sessions pages. */
export const isAnyAdmin = computed(() => session.access.platform_admin || session.access.company_admin_of.length > 0);

let loading: Promise<void> | null = null;

/** Loads who I am and my admin rights (one at a time: a second caller shares the first load). */
export function loadIdentity(): Promise<void> {
  loading ??= (async () => {
    try {
      const me = await client.me();
      // Non-admins get 10030 here: they see the self-service pages only.
      const access = await adminApi.whoami().catch(() => NO_ADMIN);
      session.me = me;
      session.access = access;
    } finally {
      loading = null;
    }
  })();
  return loading;
}

client.subscribe((tokens) => {
  session.tokens = tokens;
  if (!tokens) {
    session.me = null;
    session.access = NO_ADMIN;
  } else if (!session.me) void loadIdentity().catch(() => undefined); // signed in from another tab
});

onLoginRequired(() => {
  session.notice = t('login.sessionEnded');
});

/** Reads the stored tokens (shared with other console tabs) and, when signed in, who I am. */
export async function startSession(): Promise<void> {
  session.tokens = await client.getTokens();
  if (session.tokens) await loadIdentity().catch(() => undefined);
  session.ready = true;
}

/**
 * Signs in with the challenge `t` (and its captcha when the server asks for
 * one). Answers the second step when the server wants one (10060, 10064),
 * else null once signed in.
 */
export async function signIn(
  account: string,
  password: string,
  challenge: string | undefined,
  captcha: string,
): Promise<MfaChallenge | MfaEnrollment | null> {
  const result = await client.login({ account, password, t: challenge, captcha: captcha || undefined, deviceType: 'console' });
  if (result.mfaRequired) return result;
  await signedIn();
  return null;
}

/** Finishes a login with a TOTP or recovery code. */
export async function finishSecondStep(input: VerifyMfaInput): Promise<void> {
  await client.verifyMfa(input);
  await signedIn();
}

/** Finishes a login with a passkey as the second factor. */
export async function finishWithPasskey(ticket: string, rememberDevice: boolean): Promise<void> {
  await client.verifyMfaWithPasskey({ ticket, rememberDevice });
  await signedIn();
}

/** Signs in with a passkey alone (discoverable, user verified). */
export async function signInWithPasskey(): Promise<void> {
  await client.loginWithPasskey();
  await signedIn();
}

async function signedIn(): Promise<void> {
  session.notice = '';
  await loadIdentity();
}

/** Signs out this session (here and in the other console tabs). */
export function signOut(): Promise<void> {
  return client.logout();
}

/** Switches the current company: a new token pair in the same session. */
export async function switchCompany(companyId: number): Promise<void> {
  await client.switchCompany(companyId);
  session.me = await client.me();
}
