import { ERROR_CATALOGUE, type ErrorCode } from '@duotoken/protocol';

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

  constructor(
    readonly code: ErrorCode,
    options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown; message?: string } = {},
  ) {
    super(options.message ?? ERROR_CATALOGUE[code].en, { cause: options.cause });
    this.name = 'AuthError';
    this.status = ERROR_CATALOGUE[code].status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** True for an AuthError, even from another copy of this package. */
export function isAuthError(error: unknown): error is AuthError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARK] === true;
}
