import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HttpDialect } from '../http/http-dialect.js';
import { bearer } from '../dialects/standard/standard-schemas.js';
import { principalOf, requireAccess, type AccessCheckDeps } from '../http/require-access.js';
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
}

export function adminRouteKit(base: FastifyInstance, services: AdminRouteDeps, dialect: HttpDialect) {
  return {
    app: base.withTypeProvider<TypeBoxTypeProvider>(),
    admin: services.admin,
    common: {
      config: { dialect: 'standard' as const },
      preValidation: [requireAccess(services, dialect, { autoRenew: false })],
    },
    schema: <T extends object>(summary: string, extra: T) => ({ tags: ['admin'], security: bearer, summary, ...extra }),
  };
}

/** The routes' shared parts (see `adminRouteKit`). */
export type AdminRouteKit = ReturnType<typeof adminRouteKit>;

/** The caller of an admin route, as the service's scope check reads it. */
export const actorOf = (request: FastifyRequest): Actor => ({ userId: principalOf(request).userId, ip: request.ip ?? null });
