import { AuthClientError } from '../client-errors.js';
import { jwtExpiry, requireTokens, type ClientDialect, type DialectPaths } from './client-dialect.js';

/** lin-cms-vue refreshes on these (access token damaged or expired) … */
const REFRESH_CODES: ReadonlySet<number> = new Set([10040, 10041, 10051]);
/** … and sends the user to the login page on these (no token, refresh token damaged or expired). */
const LOGIN_CODES: ReadonlySet<number> = new Set([10000, 10042, 10050, 10052]);

const PATHS: DialectPaths = {
  login: '/cms/user/login',
  refresh: '/cms/user/refresh',
  me: '/cms/user/information',
};

function linCode(body: unknown): number | undefined {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : undefined;
}

function linMessage(body: unknown, fallback: string): string {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : message ? JSON.stringify(message) : fallback;
}

/**
 * Dialect `lin-cms` (seed 001, SPEC §4): bare JSON, `Authorization: Bearer`
 * for access, and the refresh token as the Bearer of `GET /cms/user/refresh`.
 * Expiry is read from the tokens' `exp` (no verification: scheduling only).
 * 10040 (token invalid) is refreshed too: if the session is really gone the
 * refresh says so and the user logs in.
 */
export function linCmsDialect(paths: Partial<DialectPaths> = {}): ClientDialect {
  const dialect: ClientDialect = {
    name: 'lin-cms',
    paths: { ...PATHS, ...paths },
    credentials: (tokens) => ({ headers: { authorization: `Bearer ${tokens.accessToken}` }, query: {} }),
    refreshRequest: (refreshToken) => ({
      method: 'GET',
      path: dialect.paths.refresh,
      headers: { authorization: `Bearer ${refreshToken}` },
    }),
    loginBody: (c) => ({ username: c.account, password: c.password }),
    unwrap(status, body) {
      if (status >= 200 && status < 300) return body;
      const code = linCode(body);
      throw new AuthClientError(code === undefined ? 'BAD_RESPONSE' : String(code), linMessage(body, `HTTP ${status}`), {
        status,
        data: body,
      });
    },
    readPair(data) {
      const d = requireTokens(data);
      return {
        accessToken: d.access_token,
        refreshToken: d.refresh_token,
        accessExpiresAt: jwtExpiry(d.access_token),
        refreshExpiresAt: jwtExpiry(d.refresh_token),
      };
    },
    classify(status, body) {
      if (status !== 401) return { kind: 'pass' };
      const code = linCode(body);
      if (code === undefined || REFRESH_CODES.has(code)) return { kind: 'refresh' };
      return LOGIN_CODES.has(code) ? { kind: 'login', code: String(code) } : { kind: 'pass' };
    },
  };
  return dialect;
}
