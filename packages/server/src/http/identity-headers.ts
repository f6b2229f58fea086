import type { Principal } from '../sessions/access-guard.js';

/**
 * The `x-auth-*` headers that carry a verified principal: `/auth/verify`
 * answers them to a forward-auth proxy, the gateway sets them upstream (and
 * drops any a client sent). The company is empty for a session without one;
 * roles and amr are comma-separated; auth-time is in seconds (empty when unknown).
 */
export function identityHeadersOf(p: Principal): Record<string, string> {
  return {
    'x-auth-user-id': String(p.userId),
    'x-auth-company-id': p.companyId === null ? '' : String(p.companyId),
    'x-auth-session-id': p.sessionId,
    'x-auth-roles': p.roles.join(','),
    // RFC 8176 methods and the time of the last interactive authentication (docs/mfa.md): an upstream may demand MFA or a recent login.
    'x-auth-amr': p.amr.join(','),
    'x-auth-auth-time': p.authTime === null ? '' : String(p.authTime),
  };
}
