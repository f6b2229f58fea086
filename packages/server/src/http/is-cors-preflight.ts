import type { FastifyRequest } from 'fastify';

/**
 * A genuine CORS preflight (Fetch standard, "CORS-preflight request"): `OPTIONS`
 * with `Origin` and `Access-Control-Request-Method`, and no body. A browser
 * sends it without credentials, so it is the one request that may pass
 * without a token; anything else sent as `OPTIONS` is an ordinary request.
 */
export function isCorsPreflight(request: FastifyRequest): boolean {
  const { headers } = request;
  if (request.method !== 'OPTIONS' || !headers.origin || !headers['access-control-request-method']) return false;
  const length = headers['content-length'];
  return headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}
