import { ERROR_CATALOGUE, type ErrorCode } from '@duotoken/protocol';

/** Marker property, so a VerifyError is recognised across two bundled copies of this package. */
const MARK = Symbol.for('duotoken.VerifyError');

/** The SPEC §6 codes a verifier can answer with. */
export type VerifyErrorCode = Extract<
  ErrorCode,
  'ACCESS_TOKEN_MISSING' | 'ACCESS_TOKEN_EXPIRED' | 'ACCESS_TOKEN_INVALID' | 'FORBIDDEN' | 'STORE_UNAVAILABLE'
>;

/** Why a token was refused, finer than the wire code (for logs and the lin-cms mapping). */
export type VerifyErrorReason =
  | 'missing'
  | 'ambiguous'
  | 'malformed'
  | 'header'
  | 'signature'
  | 'claims'
  | 'refresh_token'
  | 'not_yet_valid'
  | 'expired'
  | 'revoked'
  | 'stale'
  | 'forbidden'
  | 'revocations_unavailable'
  | 'keys_unavailable';

/**
 * The one error of `@duotoken/verify`. `code` is the SPEC §6 internal name,
 * `wire` its numeric wire code (`10025` missing, `10027` expired, `10028`
 * invalid, `10030` forbidden, `10051` revocation feed unavailable while
 * failing closed) and `status` its HTTP status.
 *
 * @example
 * try { await verifier.verify(token) } catch (e) { if (isVerifyError(e) && e.code === 'ACCESS_TOKEN_EXPIRED') … }
 */
export class VerifyError extends Error {
  readonly [MARK] = true;
  /** Numeric wire code of the standard and mmm dialects. */
  readonly wire: string;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(
    readonly code: VerifyErrorCode,
    readonly reason: VerifyErrorReason,
    options: { cause?: unknown; message?: string } = {},
  ) {
    super(options.message ?? `${ERROR_CATALOGUE[code].en} (${reason})`, { cause: options.cause });
    this.name = 'VerifyError';
    this.wire = ERROR_CATALOGUE[code].wire;
    this.status = ERROR_CATALOGUE[code].status;
  }
}

/** True for a VerifyError, even one thrown by another copy of this package. */
export function isVerifyError(error: unknown): error is VerifyError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARK] === true;
}
