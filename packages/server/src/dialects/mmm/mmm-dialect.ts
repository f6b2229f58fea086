import type { FastifyRequest } from 'fastify';
import { extractAccessToken, type TokenLookupOptions } from '../../http/token-lookup.js';
import type { MmmDeps } from '../dialect-deps.js';
import type { HttpDialect } from '../../http/http-dialect.js';
import { sendEnvelopeError } from '../../http/envelope.js';
import { MMM_ACCESS_HEADER, MMM_REFRESH_HEADER, mmmPair } from './mmm-format.js';
import { registerMmmRoutes } from './mmm-routes.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const raw = request.headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value || undefined;
}

/** mmm clients send the access token in one header only (seed 002). */
const MMM_TOKEN_LOOKUP: TokenLookupOptions = { sources: ['header'], headerNames: [MMM_ACCESS_HEADER], fields: [], strict: false };

/**
 * The mmm dialect (seed 002, SPEC §5): tokens in `x-mmm-accesstoken` /
 * `x-mmm-refreshtoken`, the `{code,msg,data}` envelope with the SPEC §6
 * codes, pairs with absolute expiry timestamps, and auto-renew (10026) on
 * every protected route. Login, refresh, company switching and the access
 * check are the shared services'.
 */
export function createMmmDialect(services: MmmDeps): HttpDialect {
  const dialect: HttpDialect = {
    name: 'mmm',
    requestHeaders: [MMM_ACCESS_HEADER, MMM_REFRESH_HEADER],
    // Same envelope and catalogue as standard: a 10026 carries the mmm pair in `data`.
    sendError: (error, request, reply) => sendEnvelopeError(error, request, reply),
    findAccessToken: (request) => extractAccessToken(request, MMM_TOKEN_LOOKUP),
    findRenewToken: (request) => header(request, MMM_REFRESH_HEADER),
    renewData: (pair) => mmmPair(pair),
    register: (app) => registerMmmRoutes(app, services, dialect),
  };
  return dialect;
}
