// A Node client session with the installed SDK: log in, call, refresh, call again.
import { createAuthClient, isAuthClientError } from '@duotoken/client';

const auth = createAuthClient({ baseUrl: process.env.AUTH_URL, onLoginRequired: () => console.error('login required') });
await auth.login({ account: 'admin', password: process.env.ADMIN_PASSWORD });
const first = await auth.getTokens();
const me = await auth.me();
const refreshed = await auth.refresh();
const res = await auth.fetch('/auth/me');
let wrong;
try {
  await createAuthClient({ baseUrl: process.env.AUTH_URL }).login({ account: 'admin', password: 'not-the-password' });
} catch (error) {
  wrong = isAuthClientError(error) ? error.code : String(error);
}
console.log(
  JSON.stringify({
    account: me.user.account,
    rotated: refreshed.refreshToken !== first.refreshToken,
    afterRefresh: res.status,
    accessToken: refreshed.accessToken,
    wrong,
  }),
);
