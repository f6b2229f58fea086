import type { AuthInfo } from '../auth-info.js';
import type { ErrorShape } from '@duotoken/protocol';
import { VerifyError } from '../verify-error.js';

/** Options shared by the framework adapters. */
export interface AdapterOptions {
  /** Shape of error answers: the wire dialect whose errors the clients read. Default `standard` (`{ code, msg, data }`). */
  dialect?: ErrorShape;
}

/** A check run on an authenticated caller; throws a FORBIDDEN VerifyError to refuse. */
export type AuthCheck = (auth: AuthInfo) => void;

/** Passes when the caller holds at least one of `roles` in the current company. */
export function roleCheck(roles: string[]): AuthCheck {
  if (roles.length === 0) throw new TypeError('requireRole: name at least one role');
  return (auth) => {
    if (!roles.some((r) => auth.roles.includes(r))) throw new VerifyError('forbidden');
  };
}

/** What `requireMfa` may also demand. */
export interface MfaGuardOptions {
  /** Also refuse an authentication older than this many seconds (as `requireRecentAuth`). */
  maxAge?: number;
}

/**
 * Passes when the token's login used a second factor (`amr` holds `mfa`,
 * RFC 8176) and, with `maxAge`, was no more than `maxAge` seconds ago.
 * Refusals are 10063 (`mfa_required`, `authentication_too_old`) with
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication"` (RFC 9470):
 * the client reauthenticates (`POST /auth/reauth`) and retries.
 */
export function mfaCheck(clock: { now(): number }, options: MfaGuardOptions = {}): AuthCheck {
  const recent = options.maxAge === undefined ? undefined : recentAuthCheck(clock, options.maxAge);
  return (auth) => {
    if (!auth.amr.includes('mfa')) throw new VerifyError('mfa_required');
    recent?.(auth);
  };
}

/** Passes when the token's last interactive authentication (`auth_time`) is at most `maxAgeSeconds` old. */
export function recentAuthCheck(clock: { now(): number }, maxAgeSeconds: number): AuthCheck {
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0) throw new TypeError('requireRecentAuth: maxAge must be seconds >= 0');
  return (auth) => {
    if (auth.authTime === null || clock.now() / 1000 - auth.authTime > maxAgeSeconds) throw new VerifyError('authentication_too_old');
  };
}

/** Passes when the caller's token is bound to a company (to `companyId`, when given). */
export function companyCheck(companyId?: number): AuthCheck {
  return (auth) => {
    if (auth.companyId === null || (companyId !== undefined && auth.companyId !== companyId)) throw new VerifyError('forbidden');
  };
}
