import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { completeOperations, SECURITY_SCHEMES } from './openapi-operations.js';
import { addPagePolicy } from './page-policy.js';

/** OpenAPI document generated from the route schemas, UI at `/docs` (under the console's page policy). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'duotoken',
        version: '0.1.0',
        description:
          'Dual-token authentication server. Errors use the `{code,msg,data}` envelope (lin-cms: its own error body) with the codes listed in docs/protocol.md.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the server that serves this document.
      servers: [{ url: '/', description: 'this server' }],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transformObject: (document) => ('openapiObject' in document ? completeOperations(document.openapiObject) : document.swaggerObject),
  });
  // The UI is a page like the console: the same policy on the page, its assets and its JSON (#12.10).
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (_request, reply) => addPagePolicy(reply));
    await scope.register(swaggerUi, { routePrefix: '/docs' });
  });
}
