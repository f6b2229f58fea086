import { checkAccessClaims, type AccessClaimRules, type AccessTokenClaims } from '@duotoken/protocol';
import { VerifyError } from './verify-error.js';

/** What the claims must match. */
export type ClaimRules = AccessClaimRules;

/**
 * Checks the payload of a token whose signature and header were proven (the
 * server's own check, from @duotoken/protocol); throws a VerifyError.
 * Does not decide expiry (the caller does, to tell 10027 from 10028).
 */
export function checkClaims(payload: Uint8Array, rules: ClaimRules, nowSeconds: number): AccessTokenClaims {
  const result = checkAccessClaims(payload, rules, nowSeconds);
  if (!result.ok) throw new VerifyError('ACCESS_TOKEN_INVALID', result.reason, { message: result.message });
  return result.claims;
}
