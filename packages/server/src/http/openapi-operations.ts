/**
 * Completes the generated OpenAPI document in one place, so route files need not
 * repeat it: an `operationId` for every operation (derived from method and path,
 * so unique and stable) and the security of the routes whose token is not the
 * standard access token. `redocly lint` (packages/server/test/docs/openapi-lint.test.ts)
 * fails when a new route is left without security.
 */

type Security = Array<Record<string, string[]>>;

/** The security schemes the requirements below name (components.securitySchemes). */
export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token in `Authorization: Bearer` (standard, lin-cms, admin).',
  },
  accessTokenHeader: { type: 'apiKey', in: 'header', name: 'access-token', description: 'The access token in the `access-token` header.' },
  accessTokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'access-token',
    description: 'The access token in the URL (`access-token` or `access_token`).',
  },
  refreshBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'The refresh token in `Authorization: Bearer`, on the refresh routes of standard and lin-cms.',
  },
  refreshTokenHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'refresh-token',
    description: 'The refresh token in the `refresh-token` header (standard refresh; auto-renew where enabled).',
  },
  mfaTicket: {
    type: 'apiKey',
    in: 'header',
    name: 'mfa-ticket',
    description: 'The enrollment ticket of code 10064 (TOTP set-up only, before the first login; docs/mfa.md).',
  },
  mmmAccessToken: { type: 'apiKey', in: 'header', name: 'x-mmm-accesstoken', description: 'mmm: the access token.' },
  mmmRefreshToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-mmm-refreshtoken',
    description: 'mmm: the refresh token (the refresh route; beside an expired access token it renews, code 10026).',
  },
} as const;

const PUBLIC: Security = [];
/** `{}`: or no scheme at all, the refresh token being in the body field `refresh_token`. */
const STANDARD_REFRESH: Security = [{ refreshBearer: [] }, { refreshTokenHeader: [] }, {}];
/** The standard access token, or the enrollment ticket of 10064. */
const ACCESS_OR_ENROLLMENT: Security = [{ bearerAuth: [] }, { accessTokenHeader: [] }, { mfaTicket: [] }];
const MMM_ACCESS: Security = [{ mmmAccessToken: [] }, { mmmAccessToken: [], mmmRefreshToken: [] }];

/** Security by path (every method), for the routes that take no access token or another dialect's. */
const SECURITY_BY_PATH: Record<string, Security> = {
  '/healthz': PUBLIC,
  '/readyz': PUBLIC,
  '/.well-known/jwks.json': PUBLIC,
  '/auth/get_t': PUBLIC,
  '/auth/captcha': PUBLIC,
  '/auth/login': PUBLIC,
  '/auth/refresh-token': STANDARD_REFRESH,
  // The second step and passwordless login carry a ticket or a challenge in the body, not a token.
  '/auth/mfa/verify': PUBLIC,
  '/auth/mfa/webauthn/options': PUBLIC,
  '/auth/passkey/options': PUBLIC,
  '/auth/passkey/login': PUBLIC,
  '/auth/mfa/totp/setup': ACCESS_OR_ENROLLMENT,
  '/auth/mfa/totp/enable': ACCESS_OR_ENROLLMENT,
  '/cms/user/captcha': PUBLIC,
  '/cms/user/login': PUBLIC,
  '/cms/user/refresh': [{ refreshBearer: [] }],
  '/v1/auth/refresh_token': [{ mmmRefreshToken: [] }],
  '/v1/auth/change_company': MMM_ACCESS,
  '/v1/auth/me': MMM_ACCESS,
  '/v1/auth/logout': MMM_ACCESS,
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `GET /admin/users/{user}/sessions` → `getAdminUsersByUserSessions`. */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => {
      const param = /^\{(.+)\}$/.exec(segment);
      const parts = (param ? param[1]! : segment).split(/[^A-Za-z0-9]+/).filter(Boolean);
      return param ? ['By', ...parts] : parts;
    });
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

type Operation = { operationId?: string; security?: Security };

/** Gives each operation its own object (one route with several methods shares one) with id and security. */
export function completeOperations<T extends { paths?: object }>(document: T): T {
  const paths = (document.paths ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const [path, item] of Object.entries(paths)) {
    if (!item) continue;
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      item[method] = {
        ...operation,
        operationId: operation.operationId ?? operationIdOf(method, path),
        ...(SECURITY_BY_PATH[path] ? { security: SECURITY_BY_PATH[path] } : {}),
      };
    }
  }
  return document;
}
