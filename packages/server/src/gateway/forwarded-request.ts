import type { FastifyRequest } from 'fastify';
import { identityHeadersOf } from '../http/identity-headers.js';

/**
 * Client headers never forwarded: refresh tokens (they stay between the client
 * and duotoken) and the original-URL headers of forward-auth (read on
 * `/auth/verify` only; an upstream might trust them as its own URL).
 */
const NEVER_FORWARDED = new Set(['refresh-token', 'x-mmm-refreshtoken', 'x-original-uri', 'x-forwarded-uri']);

/** Headers the gateway sets itself; a client may send them, but never under another spelling. */
const GATEWAY_SET = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

/**
 * A header name as CGI, WSGI and Rack upstreams read it: `X_Auth_Roles` and
 * `x-auth-roles` both become `HTTP_X_AUTH_ROLES`, so they are one header there
 * (and the client's spelling may come first).
 */
function asUpstreamReadsIt(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

/** True for a client header that must not reach the upstream (CWE-444: a name an upstream reads as one the gateway vouches for). */
function isDropped(name: string): boolean {
  const read = asUpstreamReadsIt(name);
  if (read.startsWith('x-auth-') || NEVER_FORWARDED.has(read)) return true;
  // The hyphen spelling is replaced (or appended to) below; another spelling would slip past that.
  return GATEWAY_SET.has(read) && read !== name.toLowerCase();
}

/** The identity headers of a verified request (none for an unauthenticated one, e.g. a CORS preflight). */
export function identityHeaders(request: FastifyRequest): Record<string, string> {
  return request.principal ? identityHeadersOf(request.principal) : {};
}

/**
 * The headers sent upstream: every client header that reads as `x-auth-*`
 * (in any case, `_` for `-`) dropped so none can be spoofed, refresh tokens
 * and original-URL headers dropped, the verified identity set, and the
 * client address appended to `x-forwarded-for`.
 */
export function upstreamHeaders(request: FastifyRequest, headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) if (!isDropped(name)) out[name] = value;
  const forwardedFor = typeof headers['x-forwarded-for'] === 'string' ? `${headers['x-forwarded-for']}, ` : '';
  return {
    ...out,
    'x-forwarded-for': `${forwardedFor}${request.ip}`,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.headers.host ?? '',
    ...identityHeaders(request),
  };
}

/**
 * A URL without the query parameters that may carry an access token, so the
 * token never reaches the upstream (nor its access logs). Other parameters
 * are kept byte for byte.
 */
export function stripTokenParams(url: string, fields: readonly string[]): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => {
      const eq = pair.indexOf('=');
      const raw = eq < 0 ? pair : pair.slice(0, eq);
      let name = raw;
      try {
        name = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        // an undecodable name is kept as it is
      }
      return pair !== '' && !fields.includes(name);
    });
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}
