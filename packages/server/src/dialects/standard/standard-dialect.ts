import { extractAccessToken } from '../../http/token-lookup.js';
import type { StandardDeps } from '../dialect-deps.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { standardPair } from './standard-format.js';
import { sendEnvelopeError } from '../../http/envelope.js';
import { registerStandardRoutes } from './standard-routes.js';
import { REFRESH_HEADER, standardTokenLookup } from './standard-tokens.js';
import { nowSeconds } from '../../clock/clock.js';

/** The default dialect: seed 000's flow with seed 002's envelope (SPEC §3). */
export function createStandardDialect(services: StandardDeps): HttpDialect {
  const { config } = services;
  const lookup = standardTokenLookup(config);
  const dialect: HttpDialect = {
    name: 'standard',
    requestHeaders: [...config.tokenHeaders, REFRESH_HEADER],
    sendError: (error, request, reply) => sendEnvelopeError(error, request, reply),
    findAccessToken: (request) => extractAccessToken(request, lookup),
    findRenewToken: (request) => {
      const header = request.headers[REFRESH_HEADER];
      return typeof header === 'string' && header.trim() ? header.trim() : undefined;
    },
    renewData: (pair) => standardPair(pair, nowSeconds(services.clock)),
    register: (app) => registerStandardRoutes(app, services, dialect),
  };
  return dialect;
}
