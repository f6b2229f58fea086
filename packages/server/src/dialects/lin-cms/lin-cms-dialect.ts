import { extractAccessToken, type TokenLookupOptions } from '../../http/token-lookup.js';
import type { LinCmsDeps } from '../dialect-deps.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { linCmsPair, sendLinCmsError } from './lin-cms-format.js';
import { registerLinCmsRoutes } from './lin-cms-routes.js';
import { LIN_CMS_TAG_HEADER } from './lin-cms-schemas.js';

/** lin-cms reads `Authorization: Bearer` and nothing else. */
const LIN_CMS_TOKEN_LOOKUP: TokenLookupOptions = { sources: ['header'], headerNames: ['authorization'], fields: [], strict: false };

/**
 * The lin-cms dialect (seed 001, SPEC §4): lin-cms-koa/flask's routes under
 * `/cms`, `Authorization: Bearer` only, bare token pairs and lin-cms's
 * `{ code, message, request }` errors. It holds no auth logic: login,
 * refresh and the access check are the shared services'.
 */
export function createLinCmsDialect(services: LinCmsDeps): HttpDialect {
  const dialect: HttpDialect = {
    name: 'lin-cms',
    requestHeaders: ['authorization', LIN_CMS_TAG_HEADER],
    sendError: sendLinCmsError,
    findAccessToken: (request) => extractAccessToken(request, LIN_CMS_TOKEN_LOOKUP),
    // lin-cms clients send one token per request: there is nothing to auto-renew with.
    findRenewToken: () => undefined,
    renewData: (pair) => linCmsPair(pair),
    register: async (app) => {
      await app.register((scope) => registerLinCmsRoutes(scope, services, dialect), { prefix: '/cms' });
    },
  };
  return dialect;
}
