import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthInfo } from '../auth-info.js';
import type { Verifier } from '../create-verifier.js';
import { errorResponse, pathOf } from '../error-shapes.js';
import { isVerifyError } from '../verify-error.js';
import { companyCheck, mfaCheck, recentAuthCheck, roleCheck, type MfaGuardOptions, type AdapterOptions, type AuthCheck } from './guards.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified caller, set by `requireAuth()` and the other guards. */
      auth?: AuthInfo;
    }
  }
}

/** Express middlewares guarding routes with duotoken access tokens. */
export interface ExpressAuth {
  /** Refuses a request without a valid access token; sets `req.auth`. */
  requireAuth(): RequestHandler;
  /** Refuses a caller without one of `roles` in the current company (10030, 403). Authenticates first if needed. */
  requireRole(...roles: string[]): RequestHandler;
  /** Refuses a caller not bound to a company (or not to `companyId`). Authenticates first if needed. */
  requireCompany(companyId?: number): RequestHandler;
  /** Refuses a token whose login had no second factor (`amr` without `mfa`), or, with `maxAge` (seconds), an older one: 10063 (RFC 9470). */
  requireMfa(options?: MfaGuardOptions): RequestHandler;
  /** Refuses a token whose last interactive authentication (`auth_time`) is older than `maxAge` seconds: 10063 (RFC 9470). */
  requireRecentAuth(maxAge: number): RequestHandler;
}

/**
 * Creates the Express middlewares of a verifier. For form-body tokens, mount
 * `express.urlencoded()` before them.
 *
 * @example
 * const auth = createExpressAuth(verifier);
 * app.get('/orders', auth.requireAuth(), (req, res) => res.json({ user: req.auth!.userId }));
 * app.delete('/orders/:id', auth.requireRole('admin'), handler);
 */
export function createExpressAuth(verifier: Verifier, options: AdapterOptions = {}): ExpressAuth {
  const dialect = options.dialect ?? 'standard';
  const guard =
    (check?: AuthCheck): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        req.auth ??= await verifier.authenticate({ headers: req.headers, query: req.query, body: req.body });
        check?.(req.auth);
      } catch (error) {
        if (!isVerifyError(error)) return next(error);
        const answer = errorResponse(error, dialect, {
          method: req.method,
          path: pathOf(req.originalUrl),
          acceptLanguage: req.headers['accept-language'],
        });
        res.status(answer.status).set(answer.headers).json(answer.body);
        return;
      }
      next();
    };
  return {
    requireAuth: () => guard(),
    requireRole: (...roles) => guard(roleCheck(roles)),
    requireCompany: (companyId) => guard(companyCheck(companyId)),
    requireMfa: (mfaOptions) => guard(mfaCheck(verifier.clock, mfaOptions)),
    requireRecentAuth: (maxAge) => guard(recentAuthCheck(verifier.clock, maxAge)),
  };
}
