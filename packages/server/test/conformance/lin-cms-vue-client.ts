import type { TestServer } from '../helpers/test-server.js';
import { send, type RawAnswer } from '@duotoken/test-kit/send';
import { captchaAnswer } from '@duotoken/test-kit/standard-client';

/** Codes on which lin-cms-vue logs out (`refreshTokenException` in src/lin/plugin/axios.js). */
const LOGOUT_CODES = [10000, 10042, 10050, 10052];
/** Codes on which lin-cms-vue refreshes the access token and resends the request. */
const REFRESH_CODES = [10041, 10051];

/** A failed login as lin-cms-vue's login page sees it: the code it shows the message of. */
export class LinCmsLoginError extends Error {
  constructor(readonly code: number) {
    super(`lin-cms-vue would show the message of ${code}`);
  }
}

/**
 * A replay of lin-cms-vue's token handling (src/lin/plugin/axios.js,
 * src/lin/util/token.js) and login page (src/view/login/use-login.js,
 * src/model/user.js) over real HTTP:
 *
 * - the login page calls `POST cms/user/captcha` when it mounts and after
 *   every failed login, and shows a captcha field only when `image` is set;
 * - login posts `{ captcha, username, password }` with a `tag` header (empty
 *   strings when no captcha was shown) and stores both tokens;
 * - every request sends `Authorization: <access>`, except `cms/user/refresh`,
 *   which sends the refresh token it stored at login;
 * - any status below 510 is read as an answer (`validateStatus`); a non-2xx
 *   with 10000/10042/10050/10052 logs out, with 10041/10051 calls
 *   `cms/user/refresh`, saves ONLY the new access token (`saveAccessToken`)
 *   and resends the failed request.
 *
 * The person at the login page reads the captcha through `readCaptcha`; by
 * default the answer the server drew (tests cannot look at images).
 * One deliberate difference: the resend happens at most once per call, where
 * lin-cms-vue could recurse; a test must never loop unbounded.
 */
export class LinCmsVueClient {
  accessToken: string | undefined;
  refreshToken: string | undefined;
  loggedOut = false;
  refreshes = 0;
  /** Every code the client saw on a non-2xx answer, in order. */
  readonly seenCodes: number[] = [];
  /** The captcha the login page shows: its tag and image (`''` when none). */
  captcha = { tag: '', image: '' };
  /** How many times the login page asked for a captcha. */
  captchaRequests = 0;

  constructor(
    private readonly server: TestServer,
    private readonly readCaptcha: (tag: string) => Promise<string> = (tag) => captchaAnswer(server, tag),
  ) {}

  /** The login page mounts: it fetches a captcha. */
  async mount(): Promise<void> {
    this.captchaRequests++;
    const res = await send<{ tag: string | null; image: string | null }>(this.server, 'POST', '/cms/user/captcha');
    if (res.status !== 200) throw new Error(`captcha failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.captcha = { tag: res.body.tag ?? '', image: res.body.image ?? '' };
  }

  /**
   * Submits the login form (mounting the page first if it was not): the
   * captcha field holds what the person typed, `typed` when given. A failed
   * login draws a new captcha and throws a `LinCmsLoginError`.
   */
  async login(username: string, password: string, typed?: string): Promise<void> {
    if (!this.captchaRequests) await this.mount();
    const captcha = typed ?? (this.captcha.image ? await this.readCaptcha(this.captcha.tag) : '');
    const res = await send<{ access_token: string; refresh_token: string; code?: number }>(this.server, 'POST', '/cms/user/login', {
      json: { captcha, username, password },
      headers: { tag: this.captcha.tag },
    });
    if (res.status !== 200) {
      await this.mount();
      throw new LinCmsLoginError(Number(res.body.code));
    }
    this.accessToken = res.body.access_token;
    this.refreshToken = res.body.refresh_token;
    this.loggedOut = false;
  }

  /** GET a lin-cms path the way the admin does; null when the client logged out instead. */
  async get<T = Record<string, unknown>>(url: string): Promise<T | null> {
    return this.request<T>('GET', url, undefined, 0);
  }

  /** The password dialog (`updatePassword` in src/model/user.js). */
  async changePassword(oldPassword: string, newPassword: string, confirmPassword = newPassword) {
    return this.request<{ code: number; message: string }>(
      'PUT',
      'cms/user/change_password',
      { new_password: newPassword, confirm_password: confirmPassword, old_password: oldPassword },
      0,
    );
  }

  private async request<T>(method: string, url: string, json: unknown, resent: number): Promise<T | null> {
    const token = url === 'cms/user/refresh' ? this.refreshToken : this.accessToken;
    const res: RawAnswer = await send(this.server, method, `/${url}`, {
      ...(json === undefined ? {} : { json }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (res.status < 200 || res.status >= 510) throw new Error(`axios would reject status ${res.status}`);
    if (String(res.status).startsWith('2')) return res.body as T;
    const code = Number(res.body.code);
    this.seenCodes.push(code);
    if (LOGOUT_CODES.includes(code)) {
      this.loggedOut = true;
      this.accessToken = undefined;
      this.refreshToken = undefined;
      return null;
    }
    if (REFRESH_CODES.includes(code) && resent === 0) {
      this.refreshes += 1;
      const refreshed = await this.request<{ access_token: string }>('GET', 'cms/user/refresh', undefined, 1);
      if (!refreshed) return null;
      this.accessToken = refreshed.access_token;
      return this.request<T>(method, url, json, 1);
    }
    throw new Error(`lin-cms-vue would show the message of ${code}: ${String(res.body.message)}`);
  }
}
