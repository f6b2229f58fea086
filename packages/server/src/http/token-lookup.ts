import { findAccessToken, tokenInRecord, TWO_TOKENS, type TokenLookup, type TokenReader } from '@duotoken/protocol';
import type { FastifyRequest } from 'fastify';
import { refusalError } from '../errors/auth-error.js';

export { bearerToken } from '@duotoken/protocol';

/** Where and how a dialect looks for the access token: protocol's lookup, plus forward-auth's original URL. */
export interface TokenLookupOptions extends TokenLookup {
  /**
   * Also take the URL source from the original request's URL (`X-Original-URI`,
   * `X-Forwarded-Uri`): forward-auth (`/auth/verify`) only. Anywhere else those
   * headers are a client's word, not a proxy's.
   */
  originalUri?: boolean;
}

/** Query parameters that may carry a token; they are scrubbed from logged URLs. */
export const TOKEN_FIELDS = ['access-token', 'access_token'] as const;

function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/** How a Fastify request is read for a token (one reader for every request: nothing allocated per lookup). */
const FASTIFY_READER: TokenReader<FastifyRequest> = {
  header: (request, name) => request.headers[name],
  query: (request) => request.query,
  form: (request) => (isForm(request) ? request.body : undefined),
};

/**
 * For forward-auth (`/auth/verify`), the original request's URL arrives in
 * `X-Original-URI` (nginx) or `X-Forwarded-Uri` (Traefik); its query is the
 * URL source when the subrequest's own query carries no token.
 */
function originalQuery(request: FastifyRequest): Record<string, string> | undefined {
  const raw = request.headers['x-original-uri'] ?? request.headers['x-forwarded-uri'];
  const uri = Array.isArray(raw) ? raw[0] : raw;
  if (!uri || !uri.includes('?')) return undefined;
  return Object.fromEntries(new URLSearchParams(uri.slice(uri.indexOf('?') + 1)));
}

const FORWARD_AUTH_READER: TokenReader<FastifyRequest> = {
  ...FASTIFY_READER,
  query: (request) => (tokenInRecord(request.query, TOKEN_FIELDS) !== undefined ? request.query : originalQuery(request)),
};

/**
 * Finds the access token of a request as the dialect's lookup says (SPEC §3:
 * header → URL → form by default), with protocol's `findAccessToken`.
 *
 * @throws AuthError refusal `ambiguous` (400, 10001) in strict mode when two sources carry a token
 */
export function extractAccessToken(request: FastifyRequest, options: TokenLookupOptions): string | undefined {
  const found = findAccessToken(request, options.originalUri ? FORWARD_AUTH_READER : FASTIFY_READER, options);
  if (found === TWO_TOKENS) throw refusalError('ambiguous');
  return found;
}
