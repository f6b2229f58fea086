import type { FastifyRequest } from 'fastify';
import { nowSeconds, type Clock } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import { principalOf } from './require-access.js';

/** What the step-up check needs: the clock, the allowed age, and the second factors a user may reauth with. */
export interface RecentAuthDeps {
  clock: Clock;
  /** `DUOTOKEN_STEP_UP_MAX_AGE`, seconds. */
  maxAgeSeconds: number;
  /** The user's second-factor methods (`totp`, `webauthn`, `recovery_code`), named in 10063's `data.methods`. */
  methodsOf(userId: number): Promise<string[]>;
}

/**
 * The step-up rule (SPEC §9): a change of password, factors or passkeys, or
 * an admin mutation, needs an interactive authentication (`auth_time` of the
 * access token) no older than `DUOTOKEN_STEP_UP_MAX_AGE`; otherwise 10063
 * with the methods `POST /auth/reauth` accepts. A token without `auth_time`
 * (issued before #15) is never recent. Runs after the access check.
 *
 * @example app.post('/auth/password', { preValidation: guard, preHandler: requireRecentAuth(services.mfa.recentAuth) }, …)
 */
export function requireRecentAuth(deps: RecentAuthDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = principalOf(request);
    const authTime = principal.claims.auth_time;
    if (typeof authTime === 'number' && nowSeconds(deps.clock) - authTime <= deps.maxAgeSeconds) return;
    const methods = await deps.methodsOf(principal.userId);
    throw new AuthError('STEP_UP_REQUIRED', { details: { methods: ['password', ...methods] } });
  };
}
