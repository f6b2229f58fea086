import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { AuthInfo } from '../auth-info.js';
import type { Verifier } from '../create-verifier.js';
import { errorResponse, pathOf } from '../error-shapes.js';
import { isVerifyError } from '../verify-error.js';
import { companyCheck, mfaCheck, recentAuthCheck, roleCheck, type MfaGuardOptions, type AdapterOptions, type AuthCheck } from './guards.js';

/** Route hooks of the plugin, at `fastify.duotoken`. */
export interface FastifyAuthHooks {
  /** A preValidation hook refusing a request without a valid access token; sets `request.auth`. */
  requireAuth(): preValidationAsyncHookHandler;
  /** Refuses a caller without one of `roles` in the current company (10030, 403). Authenticates first if needed. */
  requireRole(...roles: string[]): preValidationAsyncHookHandler;
  /** Refuses a caller not bound to a company (or not to `companyId`). Authenticates first if needed. */
  requireCompany(companyId?: number): preValidationAsyncHookHandler;
  /** Refuses a token whose login had no second factor (`amr` without `mfa`), or, with `maxAge` (seconds), an older one: 10063 (RFC 9470). */
  requireMfa(options?: MfaGuardOptions): preValidationAsyncHookHandler;
  /** Refuses a token whose last interactive authentication (`auth_time`) is older than `maxAge` seconds: 10063 (RFC 9470). */
  requireRecentAuth(maxAge: number): preValidationAsyncHookHandler;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; null until a duotoken guard ran. */
    auth: AuthInfo | null;
  }
  interface FastifyInstance {
    /** duotoken route guards (see `fastifyAuth`). */
    duotoken: FastifyAuthHooks;
  }
}

/** Options of the Fastify plugin. */
export interface FastifyAuthOptions extends AdapterOptions {
  verifier: Verifier;
}

/** The guards of a verifier as preValidation hooks (usable without the plugin, with `request.auth` decorated). */
export function createFastifyAuthHooks(verifier: Verifier, options: AdapterOptions = {}): FastifyAuthHooks {
  const dialect = options.dialect ?? 'standard';
  const guard =
    (check?: AuthCheck): preValidationAsyncHookHandler =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        request.auth ??= await verifier.authenticate({ headers: request.headers, query: request.query, body: request.body });
        check?.(request.auth);
      } catch (error) {
        if (!isVerifyError(error)) throw error;
        const answer = errorResponse(error, dialect, {
          method: request.method,
          path: pathOf(request.url),
          acceptLanguage: request.headers['accept-language'],
        });
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      }
    };
  return {
    requireAuth: () => guard(),
    requireRole: (...roles) => guard(roleCheck(roles)),
    requireCompany: (companyId) => guard(companyCheck(companyId)),
    requireMfa: (mfaOptions) => guard(mfaCheck(verifier.clock, mfaOptions)),
    requireRecentAuth: (maxAge) => guard(recentAuthCheck(verifier.clock, maxAge)),
  };
}

async function plugin(fastify: FastifyInstance, options: FastifyAuthOptions): Promise<void> {
  if (!options?.verifier) throw new TypeError('@duotoken/verify/fastify: the verifier option is required');
  fastify.decorateRequest('auth', null);
  fastify.decorate('duotoken', createFastifyAuthHooks(options.verifier, options));
}

/**
 * Fastify plugin (not encapsulated, as `fastify-plugin` would make it): decorates
 * `request.auth` and `fastify.duotoken` with the route guards.
 *
 * @example
 * await app.register(fastifyAuth, { verifier });
 * app.get('/orders', { preValidation: app.duotoken.requireAuth() }, async (request) => request.auth!.userId);
 */
export const fastifyAuth: FastifyPluginAsync<FastifyAuthOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@duotoken/verify',
  [Symbol.for('plugin-meta')]: { name: '@duotoken/verify', fastify: '>=4' },
});
