import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/settings.js';
import { extractAccessToken, bearerToken, TOKEN_FIELDS, type TokenLookupOptions } from '../../http/token-lookup.js';
import type { Services } from '../../services.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { standardPair } from './standard-format.js';
import { sendEnvelopeError } from '../../http/envelope.js';
import { registerStandardRoutes } from './standard-routes.js';
import { nowSeconds } from '../../clock/clock.js';

/** Header that carries a refresh token (SPEC §3: refresh-token endpoint and auto-renew). */
export const REFRESH_HEADER = 'refresh-token';

/** The refresh token of a standard request: `Authorization: Bearer`, header `refresh-token`, or body `refresh_token`. */
export function findStandardRefreshToken(request: FastifyRequest): string | undefined {
  const header = request.headers[REFRESH_HEADER];
  const body = request.body as { refresh_token?: unknown } | null | undefined;
  const fromBody = typeof body?.refresh_token === 'string' ? body.refresh_token : undefined;
  return bearerToken(request.headers.authorization) ?? (typeof header === 'string' ? header.trim() : undefined) ?? fromBody;
}

/** Where the standard dialect looks for an access token (SPEC §3, as configured). */
export function standardTokenLookup(config: Config): TokenLookupOptions {
  return { sources: config.tokenSources, headerNames: config.tokenHeaders, fields: TOKEN_FIELDS, strict: config.tokenStrict };
}

/** The default dialect: seed 000's flow with seed 002's envelope (SPEC §3). */
export function createStandardDialect(config: Config, services: Services): HttpDialect {
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
