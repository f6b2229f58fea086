import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { HttpDialect } from '../dialects/dialect.js';
import { AuthError } from '../errors/auth-error.js';
import type { Principal } from '../sessions/access-guard.js';
import type { Services } from '../services.js';
import { clientInfo } from './client-info.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller of a protected route. */
    principal: Principal | null;
  }
}

/** The principal of a protected route (set by `requireAccess`). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AuthError('ACCESS_TOKEN_MISSING');
  return request.principal;
}

/**
 * A preValidation hook guarding a route: finds the access token as the
 * dialect says, checks it without touching the database, and — for dialects
 * with auto-renew — answers an expired-but-genuine token plus a valid refresh
 * token of the same session with 10026 and a new pair.
 */
export function requireAccess(
  services: Services,
  dialect: HttpDialect,
  options: { autoRenew: boolean; rotate?: boolean },
): preValidationAsyncHookHandler {
  return async (request) => {
    const token = dialect.findAccessToken(request);
    if (!token) throw new AuthError('ACCESS_TOKEN_MISSING');
    const result = await services.guard.check(token);
    if (result.ok) {
      request.principal = result.principal;
      return;
    }
    const renewToken = options.autoRenew && result.expiredClaims ? dialect.findRenewToken(request) : undefined;
    if (!renewToken || !result.expiredClaims) throw result.error;
    const pair = await services.refresh.refresh(renewToken, {
      client: clientInfo(request),
      expectSessionId: result.expiredClaims.sid,
      mode: options.rotate === false ? 'keep' : 'rotate',
    });
    throw new AuthError('ACCESS_TOKEN_RENEWED', { details: dialect.renewData(pair, request) as Record<string, unknown> });
  };
}
