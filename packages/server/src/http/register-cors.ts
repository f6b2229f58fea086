import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/settings.js';
import type { HttpDialect } from './http-dialect.js';
import { AuthError } from '../errors/auth-error.js';
import { isCorsPreflight } from './is-cors-preflight.js';

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_S = 600;

/** Answer headers a page may read: the server's clock (skew correction), `Retry-After` of a 429/423, and the request id for support. */
const EXPOSED_HEADERS = ['date', 'retry-after', 'x-request-id'];

/** Request headers every page needs besides the token headers: JSON bodies and the language of `msg`. */
const BODY_HEADERS = ['content-type', 'accept-language'];

/**
 * The request headers a preflight allows: the token headers of every mounted
 * dialect, the standard token headers (the admin API reads them whatever is
 * mounted), and the body headers.
 */
export function corsAllowedHeaders(config: Config, mounted: readonly HttpDialect[]): string[] {
  return [...new Set([...mounted.flatMap((d) => d.requestHeaders), ...config.tokenHeaders, ...BODY_HEADERS])];
}

/**
 * CORS for pages on other origins (SPEC §10, `DUOTOKEN_CORS_ORIGINS`), with
 * `@fastify/cors`. Off (no CORS header at all) when no origin is listed. A
 * listed origin, matched exactly, gets its preflights answered 204 (the
 * methods used, the headers above, a max-age) and `Access-Control-Allow-Origin`
 * plus the exposed headers on every answer, errors included; never
 * credentials, since tokens travel in headers, not cookies. Any other origin
 * gets no CORS header, and its preflight is refused with 403 (10030). With an
 * upstream (gateway) the same policy covers the proxied routes, whose
 * preflights duotoken answers itself. Register after the error handlers and
 * before the routes.
 */
export async function registerCors(app: FastifyInstance, config: Config, mounted: readonly HttpDialect[]): Promise<void> {
  if (config.corsOrigins.length === 0) return;
  const listed = new Set(config.corsOrigins);
  const isListed = (origin: string | undefined): origin is string => origin !== undefined && listed.has(origin);

  app.addHook('onRequest', (request, _reply, done) => {
    if (isCorsPreflight(request) && !isListed(request.headers.origin))
      done(new AuthError('FORBIDDEN', { details: { reason: 'origin not allowed' } }));
    else done();
  });
  await app.register(cors, {
    // A function, not the list: an unlisted origin must get no CORS header at all (a list would still expose headers).
    origin: (origin, callback) => callback(null, isListed(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', ...(config.upstream.length ? ['PATCH'] : [])],
    allowedHeaders: corsAllowedHeaders(config, mounted),
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
    credentials: false,
    // Its strict mode answers an OPTIONS without Access-Control-Request-Method with a plain-text 400 outside the
    // error catalogue; a listed origin gets the policy instead (an unlisted one was refused above).
    strictPreflight: false,
  });
}
