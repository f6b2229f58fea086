import type { Context, MiddlewareHandler } from 'hono';
import type { AuthInfo } from '../auth-info.js';
import type { Verifier } from '../create-verifier.js';
import { errorResponse } from '../error-shapes.js';
import { isVerifyError } from '../verify-error.js';
import { companyCheck, mfaCheck, recentAuthCheck, roleCheck, type MfaGuardOptions, type AdapterOptions, type AuthCheck } from './guards.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified caller, set by the duotoken guards. */
    auth: AuthInfo;
  }
}

/** Hono environment of routes behind the guards. */
export type DuotokenEnv = { Variables: { auth: AuthInfo } };

/** Hono middlewares guarding routes with duotoken access tokens. */
export interface HonoAuth {
  /** Refuses a request without a valid access token; sets `c.get('auth')`. */
  requireAuth(): MiddlewareHandler<DuotokenEnv>;
  /** Refuses a caller without one of `roles` in the current company (10030, 403). Authenticates first if needed. */
  requireRole(...roles: string[]): MiddlewareHandler<DuotokenEnv>;
  /** Refuses a caller not bound to a company (or not to `companyId`). Authenticates first if needed. */
  requireCompany(companyId?: number): MiddlewareHandler<DuotokenEnv>;
  /** Refuses a token whose login had no second factor (`amr` without `mfa`), or, with `maxAge` (seconds), an older one: 10063 (RFC 9470). */
  requireMfa(options?: MfaGuardOptions): MiddlewareHandler<DuotokenEnv>;
  /** Refuses a token whose last interactive authentication (`auth_time`) is older than `maxAge` seconds: 10063 (RFC 9470). */
  requireRecentAuth(maxAge: number): MiddlewareHandler<DuotokenEnv>;
}

const FORM = /^(application\/x-www-form-urlencoded|multipart\/form-data)/;

async function authenticate(verifier: Verifier, c: Context): Promise<AuthInfo> {
  const headers = c.req.raw.headers;
  // Hono parses bodies on demand (and caches the result for the handler).
  const body =
    verifier.lookup.sources.includes('form') && FORM.test(headers.get('content-type') ?? '') ? await c.req.parseBody() : undefined;
  return verifier.authenticate({ headers, url: c.req.url, body });
}

/**
 * Creates the Hono middlewares of a verifier.
 *
 * @example
 * const auth = createHonoAuth(verifier);
 * app.get('/orders', auth.requireAuth(), (c) => c.json({ user: c.get('auth').userId }));
 */
export function createHonoAuth(verifier: Verifier, options: AdapterOptions = {}): HonoAuth {
  const dialect = options.dialect ?? 'standard';
  const guard =
    (check?: AuthCheck): MiddlewareHandler<DuotokenEnv> =>
    async (c, next) => {
      try {
        const auth = c.get('auth') ?? (await authenticate(verifier, c));
        c.set('auth', auth);
        check?.(auth);
      } catch (error) {
        if (!isVerifyError(error)) throw error;
        const answer = errorResponse(error, dialect, {
          method: c.req.method,
          path: c.req.path,
          acceptLanguage: c.req.header('accept-language'),
        });
        return c.json(answer.body, answer.status as 401, answer.headers);
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
