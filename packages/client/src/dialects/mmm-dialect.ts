import { readEnvelopePair, unwrapEnvelope, type ClientDialect, type DialectPaths } from './client-dialect.js';
import { classifyEnvelope } from './standard-dialect.js';

const PATHS: DialectPaths = {
  login: '/auth/login',
  refresh: '/v1/auth/refresh_token',
  switchCompany: '/v1/auth/change_company',
};

/**
 * Dialect `mmm` (seed 002, SPEC §5): `x-mmm-accesstoken` and
 * `x-mmm-refreshtoken` on every request, so the server can answer 10026 with
 * a new pair; pair times are absolute unix seconds.
 */
export function mmmDialect(paths: Partial<DialectPaths> = {}): ClientDialect {
  const dialect: ClientDialect = {
    name: 'mmm',
    paths: { ...PATHS, ...paths },
    credentials: (tokens) => ({
      headers: { 'x-mmm-accesstoken': tokens.accessToken, 'x-mmm-refreshtoken': tokens.refreshToken },
      query: {},
    }),
    refreshRequest: (refreshToken) => ({ method: 'GET', path: dialect.paths.refresh, headers: { 'x-mmm-refreshtoken': refreshToken } }),
    loginBody: (c) => ({
      account: c.account,
      password: c.password,
      ...(c.companyId === undefined ? {} : { company_id: c.companyId }),
      ...(c.deviceType === undefined ? {} : { device_type: c.deviceType }),
      ...(c.deviceToken === undefined ? {} : { device_token: c.deviceToken }),
    }),
    unwrap: unwrapEnvelope,
    readPair: (data) => readEnvelopePair(data, { access: 'expires_in', refresh: 'refresh_expires' }),
    classify: (status, body) => classifyEnvelope(status, body, dialect.readPair),
  };
  return dialect;
}
