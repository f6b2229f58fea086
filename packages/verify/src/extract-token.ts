import { DEFAULT_TOKEN_LOOKUP, findAccessToken, TWO_TOKENS, type TokenLookup, type TokenReader } from '@duotoken/protocol';
import { VerifyError } from './verify-error.js';

/** Request headers as Node (`req.headers`) or the Fetch API (`Headers`) hold them. */
export type HeaderBag = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** What `extractToken` needs of a request, whatever the framework. */
export interface TokenRequest {
  headers: HeaderBag;
  /** Path and query (or an absolute URL); read when `query` is not given. */
  url?: string;
  /** The parsed query, when the framework has one. */
  query?: unknown;
  /** The parsed body; only read for form content types. */
  body?: unknown;
}

function headerValue(headers: HeaderBag, name: string): string | string[] | null | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name);
  return (headers as Record<string, string | string[] | undefined>)[name];
}

function queryOf(request: TokenRequest): unknown {
  if (request.query && typeof request.query === 'object') return request.query;
  const url = request.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? undefined : new URLSearchParams(url.slice(q + 1));
}

function formOf(request: TokenRequest): unknown {
  const type = headerValue(request.headers, 'content-type') ?? '';
  const first = typeof type === 'string' ? type : (type[0] ?? '');
  if (!first.startsWith('application/x-www-form-urlencoded') && !first.startsWith('multipart/form-data')) return undefined;
  return typeof request.body === 'string' ? new URLSearchParams(request.body) : request.body;
}

/** How a framework-free TokenRequest is read for a token. */
const REQUEST_READER: TokenReader<TokenRequest> = {
  header: (request, name) => headerValue(request.headers, name),
  query: queryOf,
  form: formOf,
};

/**
 * Finds the access token of a request as the duotoken server does, with the
 * same lookup (`findAccessToken` of @duotoken/protocol): header
 * (`Authorization: Bearer`, then `access-token`) → URL query → form body, the
 * first source that has one winning (a bad token there is not skipped).
 *
 * @example extractToken({ headers: req.headers, query: req.query, body: req.body })
 * @throws VerifyError reason `ambiguous` (400, 10001) in strict mode when two sources carry a token
 */
export function extractToken(request: TokenRequest, lookup: TokenLookup = DEFAULT_TOKEN_LOOKUP): string | undefined {
  const found = findAccessToken(request, REQUEST_READER, lookup);
  if (found === TWO_TOKENS) throw new VerifyError('ambiguous', { message: 'access token sent in more than one place' });
  return found;
}
