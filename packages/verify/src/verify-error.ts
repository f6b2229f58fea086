import { ACCESS_REFUSALS, ERROR_CATALOGUE, type AccessRefusal, type RefusalCode } from '@duotoken/protocol';

/** Marker property, so a VerifyError is recognised across two bundled copies of this package. */
const MARK = Symbol.for('duotoken.VerifyError');

/** The SPEC §6 codes a verifier can answer with: those of `ACCESS_REFUSALS`. */
export type VerifyErrorCode = RefusalCode;

/** Why a token was refused: a key of `ACCESS_REFUSALS` (the table the server answers from too). */
export type VerifyErrorReason = AccessRefusal;

/**
 * The one error of `@duotoken/verify`. `reason` says why; `code` is its SPEC
 * §6 internal name, `wire` the numeric wire code (`10025` missing, `10027`
 * expired, `10028` invalid, `10030` forbidden, `10051` keys or revocation feed
 * unavailable…) and `status` the HTTP status, all from `ACCESS_REFUSALS`.
 *
 * @example
 * try { await verifier.verify(token) } catch (e) { if (isVerifyError(e) && e.reason === 'expired') … }
 */
export class VerifyError extends Error {
  readonly [MARK] = true;
  readonly code: VerifyErrorCode;
  /** Numeric wire code of the standard and mmm dialects. */
  readonly wire: string;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(
    readonly reason: VerifyErrorReason,
    options: { cause?: unknown; message?: string } = {},
  ) {
    const code = ACCESS_REFUSALS[reason].code;
    super(options.message ?? `${ERROR_CATALOGUE[code].en} (${reason})`, { cause: options.cause });
    this.name = 'VerifyError';
    this.code = code;
    this.wire = ERROR_CATALOGUE[code].wire;
    this.status = ERROR_CATALOGUE[code].status;
  }
}

/** True for a VerifyError, even one thrown by another copy of this package. */
export function isVerifyError(error: unknown): error is VerifyError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARK] === true;
}
