import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config/settings.js';
import { bearerToken, TOKEN_FIELDS, type TokenLookupOptions } from '../../http/token-lookup.js';

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
