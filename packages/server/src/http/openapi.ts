import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { addPagePolicy } from './page-policy.js';

/** OpenAPI document generated from the route schemas, UI at `/docs` (under the console's page policy). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'duotoken',
        version: '0.1.0',
        description: 'Dual-token authentication server. Errors use the `{code,msg,data}` envelope with the codes of SPEC §6.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          accessTokenHeader: { type: 'apiKey', in: 'header', name: 'access-token' },
          accessTokenQuery: { type: 'apiKey', in: 'query', name: 'access-token' },
        },
      },
    },
  });
  // The UI is a page like the console: the same policy on the page, its assets and its JSON (#12.10).
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (_request, reply) => addPagePolicy(reply));
    await scope.register(swaggerUi, { routePrefix: '/docs' });
  });
}
