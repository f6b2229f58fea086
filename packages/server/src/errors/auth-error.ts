import { ACCESS_REFUSALS, ERROR_CATALOGUE, type AccessRefusal, type ErrorCode } from '@duotoken/protocol';

/** Marker property, so an AuthError is recognised across two bundled copies. */
const MARK = Symbol.for('duotoken.AuthError');

/**
 * The one error type of duotoken's service layer. `code` is a stable internal
 * name from the protocol catalogue; dialects map it to their wire codes.
 *
 * @example throw new AuthError('BAD_CREDENTIALS')
 */
export class AuthError extends Error {
  readonly [MARK] = true;
  /** HTTP status of the standard dialect for this code. */
  readonly status: number;
  /** Data sent in the envelope's `data` (never secrets). */
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers (`Retry-After`…). */
  readonly headers: Record<string, string> | undefined;
  /** Why access was refused, when this error is an access refusal: the dialects answer it from `ACCESS_REFUSALS`. */
  readonly refusal: AccessRefusal | undefined;

  constructor(
    readonly code: ErrorCode,
    options: {
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
      message?: string;
      refusal?: AccessRefusal;
    } = {},
  ) {
    super(options.message ?? ERROR_CATALOGUE[code].en, { cause: options.cause });
    this.name = 'AuthError';
    this.status = ERROR_CATALOGUE[code].status;
    this.details = options.details;
    this.headers = options.headers;
    this.refusal = options.refusal;
  }
}

/**
 * The AuthError of an access refusal: its code from the one table
 * (`ACCESS_REFUSALS`), its reason kept for the dialect that answers it.
 *
 * @example throw refusalError('expired') // ACCESS_TOKEN_EXPIRED: 10027, lin-cms 10051
 */
export function refusalError(reason: AccessRefusal, options: { cause?: unknown; message?: string } = {}): AuthError {
  const code = ACCESS_REFUSALS[reason].code;
  return new AuthError(code, { ...options, message: options.message ?? `${ERROR_CATALOGUE[code].en} (${reason})`, refusal: reason });
}

/** True for an AuthError, even from another copy of this package. */
export function isAuthError(error: unknown): error is AuthError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARK] === true;
}
