import { pickLanguage, refusalAnswer, type ErrorShape } from '@duotoken/protocol';
import type { VerifyError } from './verify-error.js';

/** The error shape an adapter answers in. @deprecated The same as `ErrorShape` ("dialect" names the wire format only). */
export type ErrorDialect = ErrorShape;

/** What an adapter needs to know about the request to shape an error. */
export interface ErrorContext {
  method: string;
  /** Path without the query (the query may hold a token). */
  path: string;
  acceptLanguage: string | undefined;
}

/** A framework-free error answer. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The answer to a VerifyError in an error shape, from `ACCESS_REFUSALS`
 * (the table the server answers from too): `{ code, msg, data: null }` with
 * the SPEC §6 codes for `standard` and `mmm`, `{ code, message, request }`
 * with lin-cms's codes for `lin-cms`; a `WWW-Authenticate` challenge as the
 * table says (RFC 6750 §3); never cached.
 */
export function errorResponse(error: VerifyError, shape: ErrorShape, context: ErrorContext): ErrorResponse {
  const answer = refusalAnswer(error.reason, shape, pickLanguage(context.acceptLanguage));
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (answer.challenge) headers['www-authenticate'] = answer.challenge;
  const body =
    shape === 'lin-cms'
      ? { code: answer.code, message: answer.message, request: `${context.method} ${context.path}` }
      : { code: answer.code, msg: answer.message, data: null };
  return { status: answer.status, headers, body };
}

/** The path of a URL without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
