export { createVerifier, type Verifier, type VerifierOptions } from './create-verifier.js';
export { VerifyError, isVerifyError, type VerifyErrorCode, type VerifyErrorReason } from './verify-error.js';
export { extractToken, type TokenRequest, type HeaderBag } from './extract-token.js';
export { toAuthInfo, type AuthInfo } from './auth-info.js';
export { errorResponse, type ErrorDialect, type ErrorResponse, type ErrorContext } from './error-shapes.js';
export type { ErrorShape } from '@duotoken/protocol';
export type { KeySourceOptions } from './key-resolver.js';
export type { RevocationFeedOptions, FeedStatus } from './revocations/revocation-feed.js';
export type { AdapterOptions, MfaGuardOptions } from './adapters/guards.js';
// The rules shared with the server: the token lookup, and the one table of refusal reasons and their codes.
export {
  ACCESS_REFUSALS,
  bearerToken,
  DEFAULT_TOKEN_LOOKUP,
  refusalAnswer,
  type AccessRefusal,
  type AccessTokenClaims,
  type RevocationEntry,
  type TokenLookup,
  type TokenSource,
} from '@duotoken/protocol';
