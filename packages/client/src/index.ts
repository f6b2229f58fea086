/**
 * `@duotoken/client`: the browser and Node SDK of duotoken (SPEC §7).
 * The axios adapter lives at `@duotoken/client/axios`.
 */
export { createAuthClient, type AuthClient, type AuthClientOptions, type RequestOptions } from './auth-client.js';
export type { LoginChallenge, MeView, SessionView, CompanyView } from './api-types.js';
export { AuthSession, type LoginRequiredReason, type SessionConfig, type UsedTokens } from './auth-session.js';
export type { FetchLike, WireAnswer } from './http-transport.js';
export type { AuthorizedFetch } from './fetch-adapter.js';
export {
  AuthClientError,
  isAuthClientError,
  isMfaError,
  isStepUpRequired,
  MFA_ERROR_CODES,
  type ClientErrorCode,
  type MfaError,
  type MfaErrorCode,
  type StepUpRequiredError,
} from './client-errors.js';
export type {
  LoginResult,
  MfaChallenge,
  MfaEnrollment,
  MfaMethod,
  MfaStatus,
  PasskeyInfo,
  ReauthInput,
  TotpSetup,
  VerifyMfaInput,
  WebAuthnCeremonies,
} from './mfa-types.js';
export type { MfaOperations } from './mfa-operations.js';
export { ClockSkew } from './clock-skew.js';
export type { CrossTabLock } from './cross-tab-lock.js';
export { defaultLock, webLocksLock } from './default-lock.js';
export { inProcessLock } from './in-process-lock.js';
export { createStorageLeaseLock, type StorageLeaseOptions } from './storage-lease-lock.js';
export { createTabSync, noTabSync, type TabMessage, type TabSync } from './tab-sync.js';
export {
  memoryStorage,
  webStorage,
  localStorageAdapter,
  sessionStorageAdapter,
  TokenStore,
  type AuthTokens,
  type TokenStorage,
  type StorageOption,
  type WebStorageLike,
} from './token-store.js';
export type { DialectName, DialectPaths, LoginCredentials, ClientDialect, Verdict } from './dialects/client-dialect.js';
