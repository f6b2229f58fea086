/**
 * Codes the client raises itself (server errors keep the server's wire code,
 * e.g. `"10020"` or lin-cms's `"10031"`).
 */
export type ClientErrorCode =
  /** The server could not be reached, or the request timed out. The session is kept. */
  | 'NETWORK_ERROR'
  /** The server answered 5xx or 429 to a refresh. The session is kept. */
  | 'SERVER_UNAVAILABLE'
  /** No usable tokens: the user has to log in. */
  | 'LOGIN_REQUIRED'
  /** The dialect has no such operation (e.g. a captcha in lin-cms). */
  | 'UNSUPPORTED'
  /** The server's answer was not what the dialect promises. */
  | 'BAD_RESPONSE';

/**
 * Every error the client throws. Recognise it with {@link isAuthClientError}
 * (a marker property, so two bundled copies of the SDK still agree) and
 * `switch` on `code`.
 *
 * @example
 * try { await client.login({ account, password, t, captcha }) }
 * catch (e) { if (isAuthClientError(e) && e.code === '10011') showCaptchaError() }
 */
export class AuthClientError extends Error {
  /** Marker checked by {@link isAuthClientError}. */
  readonly isAuthClientError = true as const;
  /** Server wire code (`"10024"`) or a {@link ClientErrorCode}. */
  readonly code: string;
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined;
  /** `data` (or lin-cms's body) of the error answer: e.g. `{ retry_after }` for 10021. */
  readonly data: unknown;

  constructor(code: string, message: string, options: { status?: number; data?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthClientError';
    this.code = code;
    this.status = options.status;
    this.data = options.data;
  }
}

/** True for an {@link AuthClientError}, also one thrown by another copy of the SDK. */
export function isAuthClientError(error: unknown): error is AuthClientError {
  return typeof error === 'object' && error !== null && (error as { isAuthClientError?: unknown }).isAuthClientError === true;
}

/** Wraps a fetch rejection (offline, DNS, abort, timeout) so callers can tell it from an auth failure. */
export function networkError(cause: unknown): AuthClientError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new AuthClientError('NETWORK_ERROR', `network error: ${reason}`, { cause });
}

/** Server codes of the second factor (SPEC §9) a caller handles; `10060` never reaches it (`login()` reports it). */
export const MFA_ERROR_CODES = {
  /** Wrong TOTP code, recovery code or passkey assertion; the ticket stays valid for a retry. */
  WRONG_SECOND_FACTOR: '10061',
  /** The MFA ticket is missing, unknown, expired or used: log in again. */
  MFA_TICKET_INVALID: '10062',
  /** The operation needs a recent authentication: `reauth()`, then retry. `data.methods` lists what may be used. */
  STEP_UP_REQUIRED: '10063',
  /** The policy wants a factor first (a login outside `login()`'s report). */
  MFA_ENROLL_REQUIRED: '10064',
} as const;

export type MfaErrorCode = (typeof MFA_ERROR_CODES)[keyof typeof MFA_ERROR_CODES];

/** A `10063` refusal, with the methods that may prove the user again (`password`, `totp` …). */
export interface StepUpRequiredError extends AuthClientError {
  readonly code: typeof MFA_ERROR_CODES.STEP_UP_REQUIRED;
  readonly data: { methods: string[] };
}

/** A refusal with one of the {@link MFA_ERROR_CODES}. */
export interface MfaError extends AuthClientError {
  readonly code: MfaErrorCode;
}

const MFA_CODES: ReadonlySet<string> = new Set(Object.values(MFA_ERROR_CODES));

/** True for a refusal with one of the {@link MFA_ERROR_CODES}. */
export function isMfaError(error: unknown): error is MfaError {
  return isAuthClientError(error) && MFA_CODES.has(error.code);
}

/**
 * True for `10063`: prove the user again with `reauth()`, then retry.
 *
 * @example
 * try { await auth.request('POST', '/auth/password', { json }) }
 * catch (e) { if (isStepUpRequired(e)) { await auth.reauth({ password }); await auth.request('POST', '/auth/password', { json }) } }
 */
export function isStepUpRequired(error: unknown): error is StepUpRequiredError {
  return isAuthClientError(error) && error.code === MFA_ERROR_CODES.STEP_UP_REQUIRED;
}
