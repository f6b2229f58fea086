import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** OpenAPI document generated from the route schemas, UI at `/docs`. */
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
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
