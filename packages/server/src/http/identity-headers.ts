import type { Principal } from '../sessions/access-guard.js';

/**
 * The `x-auth-*` headers that carry a verified principal: `/auth/verify`
 * answers them to a forward-auth proxy, the gateway sets them upstream (and
 * drops any a client sent). The company is empty for a session without one;
 * roles are comma-separated.
 */
export function identityHeadersOf(p: Principal): Record<string, string> {
  return {
    'x-auth-user-id': String(p.userId),
    'x-auth-company-id': p.companyId === null ? '' : String(p.companyId),
    'x-auth-session-id': p.sessionId,
    'x-auth-roles': p.roles.join(','),
  };
}
