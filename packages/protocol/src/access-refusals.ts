import { ERROR_CATALOGUE, type ErrorCode, type Language } from './error-codes.js';
import { LIN_CMS_UNAVAILABLE, linCmsAnswer, type LinCmsMapping } from './lin-cms-codes.js';

/**
 * The `WWW-Authenticate` of a refusal: `bare` when no credentials were sent
 * (RFC 6750 §3.1: no error code), an RFC 6750 §3.1 error code, or `none` when
 * the refusal is not about the credentials (a 503).
 */
export type RefusalChallenge =
  | 'bare'
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  /** RFC 9470 §3: the token is genuine, but its authentication is too weak or too old. */
  | 'insufficient_user_authentication'
  | 'none';

/** One row of `ACCESS_REFUSALS`. */
export interface RefusalRow {
  /** SPEC §6 name: the wire code and HTTP status in the standard and mmm dialects (`ERROR_CATALOGUE`). */
  readonly code: ErrorCode;
  /** lin-cms's code (SPEC §4), with a status or message where lin-cms's own would mislead. */
  readonly linCms: LinCmsMapping;
  readonly challenge: RefusalChallenge;
}

/**
 * Why a request was refused access, and how each dialect says it: the one
 * table the server and every `@duotoken/verify` adapter answer from (SPEC §3,
 * §4, §6). lin-cms-vue refreshes on 10041/10051 and logs out on
 * 10000/10042/10050/10052, so a damaged, expired or superseded token asks for
 * a refresh and a revoked session signs the user out.
 *
 * A new reason is one row here: the reason's type, both servers' answers and
 * the docs follow from it (docs/architecture.md, "Token checking").
 */
export const ACCESS_REFUSALS = {
  /** No token in any place the lookup reads. */
  missing: { code: 'ACCESS_TOKEN_MISSING', linCms: { code: 10000 }, challenge: 'bare' },
  /** Strict lookup: tokens in two places (RFC 6750 §2, §3.1 `invalid_request`, 400). */
  ambiguous: { code: 'INVALID_REQUEST', linCms: { code: 10030 }, challenge: 'invalid_request' },
  /** Too long, not three parts, or not the one canonical spelling (#12.10). */
  malformed: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** The protected header is not JSON or its `typ` is not `at+jwt`. */
  header: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** Algorithm refused, unknown `kid`, or the signature does not hold. */
  signature: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** Genuine, but `iss`, `aud` or the shape of duotoken's claims is wrong. */
  claims: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** `nbf` or `iat` later than now plus the leeway. */
  not_yet_valid: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** The wrong token type: a refresh token sent as the access token. */
  refresh_token: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10250 }, challenge: 'invalid_token' },
  /** Genuine, session live, only past `exp` (no leeway). */
  expired: { code: 'ACCESS_TOKEN_EXPIRED', linCms: { code: 10051 }, challenge: 'invalid_token' },
  /** Its session was revoked or ended (SPEC §4: 10050, lin-cms-vue signs out). */
  revoked: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10050, zh: '令牌失效', en: 'Token revoked' }, challenge: 'invalid_token' },
  /** Its session moved on to a newer version (company switch, role change): a refresh gives a current token. */
  stale: { code: 'ACCESS_TOKEN_INVALID', linCms: { code: 10041 }, challenge: 'invalid_token' },
  /** Authenticated, but without the role or company the route asks for (verifier guards). */
  forbidden: { code: 'FORBIDDEN', linCms: { code: 10001 }, challenge: 'insufficient_scope' },
  /** The verifiers' `requireMfa` guard: the token's `amr` has no `mfa` (a login with one factor). Reauth with a second factor (SPEC §9). */
  mfa_required: {
    code: 'STEP_UP_REQUIRED',
    linCms: { code: 10001, status: 401, zh: '需要第二重验证', en: 'Second factor required' },
    challenge: 'insufficient_user_authentication',
  },
  /** The verifiers' max-age guards: the token's `auth_time` is older than the route allows (or absent). Reauth (SPEC §9). */
  authentication_too_old: {
    code: 'STEP_UP_REQUIRED',
    linCms: { code: 10001, status: 401, zh: '需要重新验证身份', en: 'Recent authentication required' },
    challenge: 'insufficient_user_authentication',
  },
  /** The revocations may be incomplete (store unread, feed silent): fail closed. */
  revocations_unavailable: { code: 'STORE_UNAVAILABLE', linCms: LIN_CMS_UNAVAILABLE, challenge: 'none' },
  /** The verification keys cannot be fetched: not the token's fault, so not 10028 (a client would refresh in a loop). */
  keys_unavailable: { code: 'STORE_UNAVAILABLE', linCms: LIN_CMS_UNAVAILABLE, challenge: 'none' },
} as const satisfies Record<string, RefusalRow>;

/** Why access was refused: a key of `ACCESS_REFUSALS`. */
export type AccessRefusal = keyof typeof ACCESS_REFUSALS;

/** The SPEC §6 name of each refusal. */
export type RefusalCode = (typeof ACCESS_REFUSALS)[AccessRefusal]['code'];

/** Error shapes: `standard` and `mmm` share the `{ code, msg, data }` envelope and SPEC §6's codes; `lin-cms` has its own. */
export type ErrorShape = 'standard' | 'mmm' | 'lin-cms';

/** What a refusal answers in one dialect: status, wire code, message, and the `WWW-Authenticate` value if any. */
export interface RefusalAnswer {
  status: number;
  /** A string (`"10028"`) in the envelope dialects, a number (`10041`) in lin-cms. */
  code: string | number;
  message: string;
  challenge: string | undefined;
}

/**
 * How `reason` reads in a dialect, from `ACCESS_REFUSALS`.
 *
 * @example refusalAnswer('revoked', 'lin-cms', 'en') // { status: 401, code: 10050, message: 'Token revoked', challenge: 'Bearer realm="duotoken", error="invalid_token"' }
 */
export function refusalAnswer(reason: AccessRefusal, shape: ErrorShape, lang: Language): RefusalAnswer {
  const row: RefusalRow = ACCESS_REFUSALS[reason];
  const challenge = bearerChallenge(row.challenge);
  if (shape === 'lin-cms') return { ...linCmsAnswer(row.linCms, lang), challenge };
  const entry = ERROR_CATALOGUE[row.code];
  return { status: entry.status, code: entry.wire, message: entry[lang], challenge };
}

/** The `WWW-Authenticate` value of a challenge kind (RFC 6750 §3). */
export function bearerChallenge(kind: RefusalChallenge): string | undefined {
  if (kind === 'none') return undefined;
  return kind === 'bare' ? 'Bearer realm="duotoken"' : `Bearer realm="duotoken", error="${kind}"`;
}
