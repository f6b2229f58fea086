export { createVerifier, type Verifier, type VerifierOptions } from './create-verifier.js';
export { VerifyError, isVerifyError, type VerifyErrorCode, type VerifyErrorReason } from './verify-error.js';
export {
  extractToken,
  bearerToken,
  DEFAULT_TOKEN_LOOKUP,
  type TokenLookup,
  type TokenRequest,
  type TokenSource,
  type HeaderBag,
} from './extract-token.js';
export { toAuthInfo, type AuthInfo } from './auth-info.js';
export { errorResponse, LIN_CMS_ERRORS, type ErrorDialect, type ErrorResponse, type ErrorContext } from './error-shapes.js';
export type { KeySourceOptions } from './key-resolver.js';
export type { RevocationFeedOptions, FeedStatus } from './revocations/revocation-feed.js';
export type { RevocationEntry } from './revocations/revocation-set.js';
export type { AdapterOptions } from './adapters/guards.js';
export type { AccessTokenClaims } from '@duotoken/protocol';
