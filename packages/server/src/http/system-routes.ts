import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { SessionFence } from '../sessions/session-fence.js';
import type { Store } from '../store/store.js';
import type { KeyRing } from '../tokens/key-ring.js';
import { isAuthError } from '../errors/auth-error.js';

/** Health, readiness, JWKS and the OpenAPI document. */
/** What the health, readiness and JWKS routes read. */
export interface SystemRouteDeps {
  store: Store;
  ephemeral: EphemeralStore;
  fence: SessionFence;
  keyRing: KeyRing;
}

export async function registerSystemRoutes(app: FastifyInstance, services: SystemRouteDeps): Promise<void> {
  const tags = ['system'];
  app.get('/healthz', { schema: { tags, summary: 'Liveness', response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags,
        summary:
          'Readiness: the store answers (after a failed call: can write again), the ephemeral store answers, the revocation feed is heard',
        response: {
          '2xx': Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      const probe = async (name: string, ping: () => Promise<void>) => {
        try {
          await ping();
          checks[name] = 'ok';
        } catch (error) {
          checks[name] = isAuthError(error) ? error.code.toLowerCase() : 'unavailable';
        }
      };
      await Promise.all([
        probe('store', () => services.store.ping()),
        probe('ephemeral', () => services.ephemeral.ping()),
        // Suspended while this instance may be missing other instances' revocations (Redis feed down).
        probe('revocations', async () => {
          if (services.fence.suspended !== undefined) throw new Error(services.fence.suspended);
        }),
      ]);
      const ready = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags,
        summary: 'Public keys of access tokens (empty with HS256)',
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return services.keyRing.jwks();
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
