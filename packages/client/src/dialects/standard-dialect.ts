import { ERROR_CATALOGUE } from '@duotoken/protocol';
import { readEnvelope, readEnvelopePair, unwrapEnvelope, type ClientDialect, type DialectPaths, type Verdict } from './client-dialect.js';

const RENEWED = ERROR_CATALOGUE.ACCESS_TOKEN_RENEWED.wire;
const REFRESH_DEAD = ERROR_CATALOGUE.REFRESH_TOKEN_INVALID.wire;
const REFRESHABLE: ReadonlySet<string> = new Set([
  ERROR_CATALOGUE.ACCESS_TOKEN_EXPIRED.wire,
  ERROR_CATALOGUE.ACCESS_TOKEN_INVALID.wire,
  ERROR_CATALOGUE.ACCESS_TOKEN_MISSING.wire,
]);

/**
 * What a 401 means in the envelope dialects: 10027/10028/10025 refresh,
 * 10026 carries a new pair, 10024 ends the session. A 401 without an
 * envelope (a proxy, a resource server) is refreshed as seed 000's
 * flowchart says; other codes (10020 wrong old password …) are the caller's.
 */
export function classifyEnvelope(status: number, body: unknown, readPair: ClientDialect['readPair']): Verdict {
  if (status !== 401) return { kind: 'pass' };
  const envelope = readEnvelope(body);
  if (!envelope) return { kind: 'refresh' };
  if (envelope.code === RENEWED) return { kind: 'renewed', pair: readPair(envelope.data) };
  if (envelope.code === REFRESH_DEAD) return { kind: 'login', code: envelope.code };
  return REFRESHABLE.has(envelope.code) ? { kind: 'refresh' } : { kind: 'pass' };
}

const PATHS: DialectPaths = {
  challenge: '/auth/get_t',
  captcha: '/auth/captcha',
  login: '/auth/login',
  refresh: '/auth/refresh-token',
  me: '/auth/me',
  sessions: '/auth/sessions',
  revokeSession: '/auth/sessions/:id',
  logout: '/auth/logout',
  logoutAll: '/auth/logout-all',
  switchCompany: '/auth/change-company',
};

/** Dialect `standard` (SPEC §3): `Authorization: Bearer`, or the URL for GET with `getInUrl`; envelope answers. */
export function standardDialect(paths: Partial<DialectPaths> = {}): ClientDialect {
  const dialect: ClientDialect = {
    name: 'standard',
    paths: { ...PATHS, ...paths },
    credentials(tokens, method, options) {
      const inUrl = options.getInUrl && (method === 'GET' || method === 'HEAD');
      const headers: Record<string, string> = inUrl ? {} : { authorization: `Bearer ${tokens.accessToken}` };
      if (options.autoRenew) headers['refresh-token'] = tokens.refreshToken;
      const query: Record<string, string> = inUrl ? { 'access-token': tokens.accessToken } : {};
      return { headers, query };
    },
    refreshRequest: (refreshToken) => ({
      method: 'POST',
      path: dialect.paths.refresh,
      headers: {},
      json: { refresh_token: refreshToken },
    }),
    loginBody: (c) => ({
      account: c.account,
      password: c.password,
      ...(c.t === undefined ? {} : { t: c.t }),
      ...(c.captcha === undefined ? {} : { captcha: c.captcha }),
      ...(c.companyId === undefined ? {} : { company_id: c.companyId }),
      ...(c.deviceType === undefined ? {} : { device_type: c.deviceType }),
      ...(c.deviceToken === undefined ? {} : { device_token: c.deviceToken }),
    }),
    unwrap: unwrapEnvelope,
    readPair: (data) => readEnvelopePair(data, { access: 'expires_at', refresh: 'refresh_expires_at' }),
    classify: (status, body) => classifyEnvelope(status, body, dialect.readPair),
  };
  return dialect;
}
