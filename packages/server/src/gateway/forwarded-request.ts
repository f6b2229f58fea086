import type { FastifyRequest } from 'fastify';

/** Identity headers the gateway sets from the verified token (and strips from clients). */
export const IDENTITY_HEADERS = ['x-auth-user-id', 'x-auth-company-id', 'x-auth-session-id', 'x-auth-roles'] as const;

/** Credentials the upstream never needs: a refresh token stays between the client and duotoken. */
const NEVER_FORWARDED = new Set(['refresh-token', 'x-mmm-refreshtoken']);

/** The identity headers of a verified request (none for an unauthenticated one, e.g. a CORS preflight). */
export function identityHeaders(request: FastifyRequest): Record<string, string> {
  const p = request.principal;
  if (!p) return {};
  return {
    'x-auth-user-id': String(p.userId),
    'x-auth-company-id': p.companyId === null ? '' : String(p.companyId),
    'x-auth-session-id': p.sessionId,
    'x-auth-roles': p.roles.join(','),
  };
}

/**
 * The headers sent upstream: every client `x-auth-*` header dropped (so none
 * can be spoofed), refresh tokens dropped, the verified identity set, and
 * the client address appended to `x-forwarded-for`.
 */
export function upstreamHeaders(request: FastifyRequest, headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-auth-') || NEVER_FORWARDED.has(lower)) continue;
    out[name] = value;
  }
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
