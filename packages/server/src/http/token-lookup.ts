import type { FastifyRequest } from 'fastify';
import type { TokenSource } from '../config/settings.js';
import { AuthError } from '../errors/auth-error.js';

/** Where and how a dialect looks for the access token. */
export interface TokenLookupOptions {
  /** Sources in order; the first that carries a token wins (SPEC §3). */
  sources: readonly TokenSource[];
  /** Header names in order; `authorization` takes `Bearer <t>`, others the bare token. */
  headers: readonly string[];
  /** Query and form field names. */
  fields: readonly string[];
  /** Refuse a request that carries a token in more than one source (RFC 6750 §2). */
  strict: boolean;
  /**
   * Also take the URL source from the original request's URL (`X-Original-URI`,
   * `X-Forwarded-Uri`): forward-auth (`/auth/verify`) only. Anywhere else those
   * headers are a client's word, not a proxy's.
   */
  originalUri?: boolean;
}

/** Query parameters that may carry a token; they are scrubbed from logged URLs. */
export const TOKEN_FIELDS = ['access-token', 'access_token'] as const;

/**
 * The bearer token of an `Authorization` header (`Bearer` in any case, then
 * spaces or tabs, then one token), or undefined for other schemes. Parsed by
 * hand: it runs on every protected request, and the anchored regex it
 * replaces showed in the session-check profile (bench/).
 */
export function bearerToken(value: string | string[] | undefined): string | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header || header.length < 8) return undefined;
  const gap = header.charCodeAt(6);
  if ((gap !== 32 && gap !== 9) || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(7).trim();
  // Header values hold no CR/LF (Node refuses them); any other odd whitespace fails verification.
  return token && !token.includes(' ') && !token.includes('\t') ? token : undefined;
}

function fromHeaders(request: FastifyRequest, names: readonly string[]): string | undefined {
  for (const name of names) {
    const raw = request.headers[name];
    const token = name === 'authorization' ? bearerToken(raw) : (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (token) return token;
  }
  return undefined;
}

function fromRecord(record: unknown, fields: readonly string[]): string | undefined {
  if (!record || typeof record !== 'object') return undefined;
  for (const field of fields) {
    const value = (record as Record<string, unknown>)[field];
    const token = Array.isArray(value) ? value[0] : value;
    if (typeof token === 'string' && token.trim()) return token.trim();
  }
  return undefined;
}

/**
 * For forward-auth (`/auth/verify`), the original request's URL arrives in
 * `X-Original-URI` (nginx) or `X-Forwarded-Uri` (Traefik); its query is the
 * URL source.
 */
function originalQuery(request: FastifyRequest): Record<string, string> | undefined {
  const raw = request.headers['x-original-uri'] ?? request.headers['x-forwarded-uri'];
  const uri = Array.isArray(raw) ? raw[0] : raw;
  if (!uri || !uri.includes('?')) return undefined;
  return Object.fromEntries(new URLSearchParams(uri.slice(uri.indexOf('?') + 1)));
}

/** Finds the access token of a request: header → URL → form (SPEC §3), or as configured. */
export function extractAccessToken(request: FastifyRequest, options: TokenLookupOptions): string | undefined {
  const found: string[] = [];
  for (const source of options.sources) {
    const token =
      source === 'header'
        ? fromHeaders(request, options.headers)
        : source === 'query'
          ? (fromRecord(request.query, options.fields) ??
            (options.originalUri ? fromRecord(originalQuery(request), options.fields) : undefined))
          : isForm(request)
            ? fromRecord(request.body, options.fields)
            : undefined;
    if (token === undefined) continue;
    if (!options.strict) return token;
    found.push(token);
  }
  if (found.length > 1) throw new AuthError('INVALID_REQUEST', { details: { reason: 'access token sent in more than one place' } });
  return found[0];
}

function isForm(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}
