import type { FastifyRequest } from 'fastify';
import { nowSeconds } from '../clock/clock.js';
import { AuthError } from '../errors/auth-error.js';
import { principalOf } from './require-access.js';
import type { Services } from '../services.js';

/**
 * The step-up rule (SPEC §9): a change of password, factors or passkeys, or
 * an admin mutation, needs an interactive authentication (`auth_time` of the
 * access token) no older than `DUOTOKEN_STEP_UP_MAX_AGE`; otherwise 10063
 * with the methods `POST /auth/reauth` accepts. A token without `auth_time`
 * (issued before #15) is never recent.
 *
 * @example app.post('/auth/password', { preValidation: guard, preHandler: requireRecentAuth(services) }, …)
 */
export function requireRecentAuth(services: Pick<Services, 'clock' | 'config' | 'mfa'>) {
  return async (request: FastifyRequest): Promise<void> => {
    const principal = principalOf(request);
    const authTime = principal.claims.auth_time;
    if (typeof authTime === 'number' && nowSeconds(services.clock) - authTime <= services.config.stepUpMaxAge) return;
    const { methods } = await services.mfa.factors.status(principal.userId);
    throw new AuthError('STEP_UP_REQUIRED', { details: { methods: ['password', ...methods] } });
  };
}
