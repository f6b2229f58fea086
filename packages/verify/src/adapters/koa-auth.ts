import type { Middleware } from 'koa';
import type { AuthInfo } from '../auth-info.js';
import type { Verifier } from '../create-verifier.js';
import { errorResponse } from '../error-shapes.js';
import { isVerifyError } from '../verify-error.js';
import { companyCheck, mfaCheck, recentAuthCheck, roleCheck, type MfaGuardOptions, type AdapterOptions, type AuthCheck } from './guards.js';

declare module 'koa' {
  interface DefaultState {
    /** The verified caller, set by the duotoken guards. */
    auth?: AuthInfo;
  }
}

/** Koa middlewares guarding routes with duotoken access tokens. */
export interface KoaAuth {
  /** Refuses a request without a valid access token; sets `ctx.state.auth`. */
  requireAuth(): Middleware;
  /** Refuses a caller without one of `roles` in the current company (10030, 403). Authenticates first if needed. */
  requireRole(...roles: string[]): Middleware;
  /** Refuses a caller not bound to a company (or not to `companyId`). Authenticates first if needed. */
  requireCompany(companyId?: number): Middleware;
  /** Refuses a token whose login had no second factor (`amr` without `mfa`), or, with `maxAge` (seconds), an older one: 10063 (RFC 9470). */
  requireMfa(options?: MfaGuardOptions): Middleware;
  /** Refuses a token whose last interactive authentication (`auth_time`) is older than `maxAge` seconds: 10063 (RFC 9470). */
  requireRecentAuth(maxAge: number): Middleware;
}

/**
 * Creates the Koa middlewares of a verifier. For form-body tokens, mount a
 * body parser (e.g. `@koa/bodyparser`) before them.
 *
 * @example
 * const auth = createKoaAuth(verifier);
 * router.get('/orders', auth.requireAuth(), (ctx) => { ctx.body = { user: ctx.state.auth!.userId }; });
 */
export function createKoaAuth(verifier: Verifier, options: AdapterOptions = {}): KoaAuth {
  const dialect = options.dialect ?? 'standard';
  const guard =
    (check?: AuthCheck): Middleware =>
    async (ctx, next) => {
      try {
        const body = (ctx.request as { body?: unknown }).body;
        ctx.state.auth ??= await verifier.authenticate({ headers: ctx.headers, query: ctx.query, body });
        check?.(ctx.state.auth!);
      } catch (error) {
        if (!isVerifyError(error)) throw error;
        const answer = errorResponse(error, dialect, {
          method: ctx.method,
          path: ctx.path,
          acceptLanguage: ctx.get('accept-language') || undefined,
        });
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
        return;
      }
      await next();
    };
  return {
    requireAuth: () => guard(),
    requireRole: (...roles) => guard(roleCheck(roles)),
    requireCompany: (companyId) => guard(companyCheck(companyId)),
    requireMfa: (mfaOptions) => guard(mfaCheck(verifier.clock, mfaOptions)),
    requireRecentAuth: (maxAge) => guard(recentAuthCheck(verifier.clock, maxAge)),
  };
}
