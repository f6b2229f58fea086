import { ERROR_CATALOGUE, pickLanguage } from '@duotoken/protocol';
import type { VerifyError, VerifyErrorCode, VerifyErrorReason } from './verify-error.js';

/** The error shape an adapter answers in. */
export type ErrorDialect = 'standard' | 'mmm' | 'lin-cms';

/** One lin-cms error: its code, HTTP status and messages. */
interface LinCmsError {
  code: number;
  status: number;
  zh: string;
  en: string;
}

/**
 * The lin-cms codes of each verifier error (SPEC §4). lin-cms-vue refreshes on
 * 10041/10051 and logs out on 10000/10042/10050/10052, so an expired or
 * damaged access token asks for a refresh, and a refresh of a revoked
 * session then fails and logs the user out. lin-cms has no "unavailable"
 * code: 9999 is its unknown server error.
 */
export const LIN_CMS_ERRORS: Record<VerifyErrorCode, LinCmsError> = {
  ACCESS_TOKEN_MISSING: { code: 10000, status: 401, zh: '未携带令牌', en: 'No token' },
  ACCESS_TOKEN_EXPIRED: { code: 10051, status: 401, zh: 'access token 过期', en: 'Access token expired' },
  ACCESS_TOKEN_INVALID: { code: 10041, status: 401, zh: 'access token 损坏', en: 'Access token damaged' },
  FORBIDDEN: { code: 10001, status: 403, zh: '权限不足', en: 'Forbidden' },
  STORE_UNAVAILABLE: { code: 9999, status: 503, zh: '服务器未知错误', en: 'Server error' },
};

/** Reasons whose lin-cms code differs from their error's: a revoked session is lin-cms's "令牌失效". */
const LIN_CMS_BY_REASON: Partial<Record<VerifyErrorReason, LinCmsError>> = {
  revoked: { code: 10040, status: 401, zh: '令牌失效', en: 'Token revoked' },
};

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

/** RFC 6750 §3 challenge of a 401/403. */
function challenge(error: VerifyError): string | undefined {
  if (error.code === 'FORBIDDEN') return 'Bearer realm="duotoken", error="insufficient_scope"';
  if (error.status !== 401) return undefined;
  return error.code === 'ACCESS_TOKEN_MISSING' ? 'Bearer realm="duotoken"' : 'Bearer realm="duotoken", error="invalid_token"';
}

/**
 * The answer to a VerifyError in a dialect's shape: `{ code, msg, data }`
 * with the SPEC §6 codes for `standard` and `mmm`, `{ code, message, request }`
 * with lin-cms's codes for `lin-cms`.
 */
export function errorResponse(error: VerifyError, dialect: ErrorDialect, context: ErrorContext): ErrorResponse {
  const lang = pickLanguage(context.acceptLanguage);
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const www = challenge(error);
  if (www) headers['www-authenticate'] = www;
  if (dialect === 'lin-cms') {
    const lin = LIN_CMS_BY_REASON[error.reason] ?? LIN_CMS_ERRORS[error.code];
    return { status: lin.status, headers, body: { code: lin.code, message: lin[lang], request: `${context.method} ${context.path}` } };
  }
  const entry = ERROR_CATALOGUE[error.code];
  return { status: entry.status, headers, body: { code: entry.wire, msg: entry[lang], data: null } };
}

/** The path of a URL without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
