import { VerifyError } from './verify-error.js';

/** Where an access token may be found. */
export type TokenSource = 'header' | 'query' | 'form';

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

/** How to look for a token; the defaults are the server's (SPEC §3). */
export interface TokenLookup {
  /** Sources in order; the first that carries a token wins. Default `['header', 'query', 'form']`. */
  sources: readonly TokenSource[];
  /** Header names in order; `authorization` takes `Bearer <t>`, the others the bare token. Default `['authorization', 'access-token']`. */
  headerNames: readonly string[];
  /** Query and form field names. Default `['access-token', 'access_token']`. */
  fields: readonly string[];
  /** Refuse a request that carries a token in more than one source (RFC 6750 §2). Default false. */
  strict: boolean;
}

/** The server's default lookup: header → URL → form. */
export const DEFAULT_TOKEN_LOOKUP: TokenLookup = Object.freeze({
  sources: ['header', 'query', 'form'] as const,
  headerNames: ['authorization', 'access-token'],
  fields: ['access-token', 'access_token'],
  strict: false,
});

function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const raw = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(raw) ? raw[0] : raw;
}

/** The token of an `Authorization: Bearer <t>` header, or undefined for other schemes. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function fromHeaders(headers: HeaderBag, names: readonly string[]): string | undefined {
  for (const name of names) {
    const raw = headerValue(headers, name);
    const token = name === 'authorization' ? bearerToken(raw) : raw?.trim();
    if (token) return token;
  }
  return undefined;
}

function fromRecord(record: unknown, fields: readonly string[]): string | undefined {
  if (!record || typeof record !== 'object') return undefined;
  const get = (field: string): unknown =>
    record instanceof URLSearchParams ? (record.get(field) ?? undefined) : (record as Record<string, unknown>)[field];
  for (const field of fields) {
    const value = get(field);
    const token = Array.isArray(value) ? value[0] : value;
    if (typeof token === 'string' && token.trim()) return token.trim();
  }
  return undefined;
}

function queryOf(request: TokenRequest): unknown {
  if (request.query && typeof request.query === 'object') return request.query;
  const url = request.url ?? '';
  const q = url.indexOf('?');
  return q < 0 ? undefined : new URLSearchParams(url.slice(q + 1));
}

function formOf(request: TokenRequest): unknown {
  const type = headerValue(request.headers, 'content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  return typeof request.body === 'string' ? new URLSearchParams(request.body) : request.body;
}

/**
 * Finds the access token of a request as the duotoken server does: header
 * (`Authorization: Bearer`, then `access-token`) → URL query → form body,
 * the first source that has one winning (a bad token there is not skipped).
 *
 * @example extractToken({ headers: req.headers, query: req.query, body: req.body })
 * @throws VerifyError `ACCESS_TOKEN_INVALID` (reason `ambiguous`) in strict mode when two sources carry a token
 */
export function extractToken(request: TokenRequest, lookup: TokenLookup = DEFAULT_TOKEN_LOOKUP): string | undefined {
  const found: string[] = [];
  for (const source of lookup.sources) {
    const token =
      source === 'header'
        ? fromHeaders(request.headers, lookup.headerNames)
        : fromRecord(source === 'query' ? queryOf(request) : formOf(request), lookup.fields);
    if (token === undefined) continue;
    if (!lookup.strict) return token;
    found.push(token);
  }
  if (found.length > 1) throw new VerifyError('ACCESS_TOKEN_INVALID', 'ambiguous', { message: 'access token sent in more than one place' });
  return found[0];
}
