import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addPagePolicy } from './page-policy.js';

/**
 * The console's Vite build, which `npm run build` writes into this package
 * (`packages/server/console`) so that the npm tarball carries it: the same
 * folder from `src/http` and from `dist/http`, two levels below the package.
 */
export const CONSOLE_DIST = fileURLToPath(new URL('../../console/', import.meta.url));

const NOT_BUILT =
  'The duotoken web console is not built: run `npm run build` (it writes packages/server/console), then restart the server.\n';

/**
 * Serves the web console (SPEC §8) at `/console/` from the Vite build in
 * `CONSOLE_DIST`. The folder is looked for once, at start-up; without
 * it `/console` answers 404 with a line saying how to build it. Pages get a
 * strict Content-Security-Policy and may not be framed (a login form);
 * hashed assets are cached for good, `index.html` never.
 */
export async function registerConsoleRoute(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = options.root ?? CONSOLE_DIST;
  const schema = { hide: true };
  if (!existsSync(`${root}/index.html`)) {
    const notBuilt = async (_request: unknown, reply: FastifyReply) => reply.code(404).type('text/plain; charset=utf-8').send(NOT_BUILT);
    app.get('/console', { schema }, notBuilt);
    app.get('/console/*', { schema }, notBuilt);
    return;
  }
  app.get('/console', { schema }, async (_request, reply) => reply.redirect('/console/', 301));
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      addPagePolicy(reply);
      if (request.url.startsWith('/console/assets/')) void reply.header('cache-control', 'public, max-age=31536000, immutable');
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/console/',
      // @fastify/swagger-ui registers @fastify/static too: no second sendFile decorator.
      decorateReply: false,
      cacheControl: false,
      schemaHide: true,
      index: ['index.html'],
    });
  });
}
