import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpDialect } from '../http/http-dialect.js';
import { bearer } from '../dialects/standard/standard-schemas.js';
import { principalOf, requireAccess, type AccessCheckDeps } from '../http/require-access.js';
import { requireRecentAuth, type RecentAuthDeps } from '../http/require-recent-auth.js';
import type { AdminService } from './admin-service.js';
import type { Actor } from './admin-scope.js';

/**
 * What every admin route shares: the standard envelope and token lookup,
 * a valid access token (who may do what is the service's `AdminScope`
 * check, never the route's), OpenAPI tags and security.
 */
/** What the admin API uses: the admin service and the access check. */
export interface AdminRouteDeps extends AccessCheckDeps {
  admin: AdminService;
  /** How recent an authentication an admin mutation needs (step-up). */
  mfa: { recentAuth: RecentAuthDeps };
}

export function adminRouteKit(base: FastifyInstance, services: AdminRouteDeps, dialect: HttpDialect) {
  return {
    app: base.withTypeProvider<TypeBoxTypeProvider>(),
    admin: services.admin,
    common: {
      config: { dialect: 'standard' as const },
      preValidation: [requireAccess(services, dialect, { autoRenew: false })],
      // Admin mutations need a recent authentication (step-up, docs/mfa.md); reads do not.
      preHandler: [stepUpForChanges(services)],
    },
    schema: <T extends object>(summary: string, extra: T) => ({ tags: ['admin'], security: bearer, summary, ...extra }),
  };
}

/** The routes' shared parts (see `adminRouteKit`). */
export type AdminRouteKit = ReturnType<typeof adminRouteKit>;

/** The caller of an admin route, as the service's scope check reads it. */
export const actorOf = (request: FastifyRequest): Actor => ({ userId: principalOf(request).userId, ip: request.ip ?? null });

/** The step-up check of every admin route that changes something (any method but GET and HEAD). */
function stepUpForChanges(services: Pick<AdminRouteDeps, 'mfa'>) {
  const stepUp = requireRecentAuth(services.mfa.recentAuth);
  return async (request: FastifyRequest): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') await stepUp(request);
  };
}
