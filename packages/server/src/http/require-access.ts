import type { FastifyRequest, preValidationHookHandler } from 'fastify';
import type { HttpDialect } from './http-dialect.js';
import { AuthError, refusalError } from '../errors/auth-error.js';
import type { AccessGuard, GuardResult, Principal } from '../sessions/access-guard.js';
import type { RefreshService } from '../sessions/refresh-service.js';
import { clientInfo } from './client-info.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller of a protected route. */
    principal: Principal | null;
  }
}

/** The principal of a protected route (set by `requireAccess`). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw refusalError('missing');
  return request.principal;
}

type AccessOptions = { autoRenew: boolean };

/** What the access check uses: the guard, and the refresh service for auto-renew (10026). */
export interface AccessCheckDeps {
  guard: AccessGuard;
  refresh: RefreshService;
}

/**
 * The check of a protected request, awaitable (for guards that wrap it):
 * finds the access token as the dialect says, checks it without touching the
 * database, and — for dialects with auto-renew — answers an expired-but-genuine
 * token plus a valid refresh token of the same session with 10026 and a new
 * pair. Sets `request.principal` or throws.
 */
export function accessCheck(
  services: AccessCheckDeps,
  dialect: HttpDialect,
  options: AccessOptions,
): (request: FastifyRequest) => Promise<void> {
  const settle = settleAccess(services, dialect, options);
  return async (request) => {
    const token = dialect.findAccessToken(request);
    if (!token) throw refusalError('missing');
    await settle(request, token, undefined);
  };
}

/**
 * `accessCheck` as a preValidation hook guarding a route. A callback hook
 * rather than an async one: a token whose signature this process has already
 * verified is judged synchronously, without the promise round trips of an
 * async hook (bench/: protected ÷ unauthenticated route).
 */
export function requireAccess(services: AccessCheckDeps, dialect: HttpDialect, options: AccessOptions): preValidationHookHandler {
  const settle = settleAccess(services, dialect, options);
  return (request, _reply, done) => {
    let token: string | undefined;
    let known: GuardResult | undefined;
    try {
      token = dialect.findAccessToken(request);
      if (!token) throw refusalError('missing');
      known = services.guard.checkCached(token);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (known?.ok) {
      request.principal = known.principal;
      done();
      return;
    }
    settle(request, token, known).then(() => done(), done);
  };
}

/** The rest of the check once the token is found (and perhaps already judged). */
function settleAccess(services: AccessCheckDeps, dialect: HttpDialect, options: AccessOptions) {
  return async (request: FastifyRequest, token: string, known: GuardResult | undefined): Promise<void> => {
    const result = known ?? (await services.guard.check(token));
    if (result.ok) {
      request.principal = result.principal;
      return;
    }
    const renewToken = options.autoRenew && result.expiredClaims ? dialect.findRenewToken(request) : undefined;
    if (!renewToken || !result.expiredClaims) throw refusalError(result.refusal);
    const pair = await services.refresh.refresh(renewToken, {
      client: clientInfo(request),
      expectSessionId: result.expiredClaims.sid,
    });
    throw new AuthError('ACCESS_TOKEN_RENEWED', { details: dialect.renewData(pair, request) as Record<string, unknown> });
  };
}
