import type { TestServer } from '../helpers/test-server.js';
import { send, type RawAnswer } from '../helpers/send.js';

/** Codes on which lin-cms-vue logs out (`refreshTokenException` in src/lin/plugin/axios.js). */
const LOGOUT_CODES = [10000, 10042, 10050, 10052];
/** Codes on which lin-cms-vue refreshes the access token and resends the request. */
const REFRESH_CODES = [10041, 10051];

/**
 * A replay of lin-cms-vue's token handling (src/lin/plugin/axios.js,
 * src/lin/util/token.js) over real HTTP:
 *
 * - login stores both tokens;
 * - every request sends `Authorization: <access>`, except `cms/user/refresh`,
 *   which sends the refresh token it stored at login;
 * - any status below 510 is read as an answer (`validateStatus`); a non-2xx
 *   with 10000/10042/10050/10052 logs out, with 10041/10051 calls
 *   `cms/user/refresh`, saves ONLY the new access token (`saveAccessToken`)
 *   and resends the failed request.
 *
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

  constructor(private readonly server: TestServer) {}

  async login(username: string, password: string): Promise<void> {
    const res = await send<{ access_token: string; refresh_token: string }>(this.server, 'POST', '/cms/user/login', {
      json: { username, password },
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.accessToken = res.body.access_token;
    this.refreshToken = res.body.refresh_token;
    this.loggedOut = false;
  }

  /** GET a lin-cms path the way the admin does; null when the client logged out instead. */
  async get<T = Record<string, unknown>>(url: string): Promise<T | null> {
    return this.request<T>(url, 0);
  }

  private async request<T>(url: string, resent: number): Promise<T | null> {
    const token = url === 'cms/user/refresh' ? this.refreshToken : this.accessToken;
    const res: RawAnswer = await send(this.server, 'GET', `/${url}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
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
      const refreshed = await this.request<{ access_token: string }>('cms/user/refresh', 1);
      if (!refreshed) return null;
      this.accessToken = refreshed.access_token;
      return this.request<T>(url, 1);
    }
    throw new Error(`lin-cms-vue would show the message of ${code}: ${String(res.body.message)}`);
  }
}
