import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAdminRoutes } from './admin/admin-routes.js';
import type { DialectName } from './config/settings.js';
import type { HttpDialect } from './http/http-dialect.js';
import { createLinCmsDialect } from './dialects/lin-cms/lin-cms-dialect.js';
import { createMmmDialect } from './dialects/mmm/mmm-dialect.js';
import { createStandardDialect } from './dialects/standard/standard-dialect.js';
import { AuthError, isAuthError } from './errors/auth-error.js';
import { registerDrainAnswers } from './http/drain-answers.js';
import { registerOpenApi } from './http/openapi.js';
import { registerCors } from './http/register-cors.js';
import { registerSystemRoutes } from './http/system-routes.js';
import { limitConnections, timeoutOptions } from './http/server-limits.js';
import { registerMetrics } from './metrics/register-metrics.js';
import { registerConsoleRoute } from './http/console-route.js';
import { registerGateway } from './gateway/register-gateway.js';
import { registerRevocationFeed } from './revocations/revocation-routes.js';
import { registerMfaRoutes } from './mfa/mfa-routes.js';
import { registerMfaAdminRoutes } from './mfa/mfa-admin-routes.js';
import type { Services } from './services.js';

/** Options of the HTTP app beyond the services. */
export interface AppOptions {
  /** Trust `X-Forwarded-*` from a proxy in front. */
  trustProxy?: FastifyServerOptions['trustProxy'];
}

/** Turns any thrown error into an AuthError a client may see. */
function toClientError(error: unknown): AuthError {
  if (isAuthError(error)) return error;
  const e = error as {
    validation?: Array<{ instancePath?: string; params?: Record<string, unknown> }>;
    statusCode?: number;
    code?: string;
    validationContext?: string;
  };
  if (e?.validation) {
    const first = e.validation[0];
    const missing = first?.params?.missingProperty;
    const field =
      (typeof missing === 'string' ? missing : first?.instancePath?.replace(/^\//, '').replace(/\//g, '.')) || e.validationContext;
    return new AuthError('INVALID_REQUEST', { details: { field, in: e.validationContext }, cause: error });
  }
  if (e?.statusCode === 429) return new AuthError('RATE_LIMITED', { cause: error });
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return new AuthError('INVALID_REQUEST', { details: { reason: e.code }, cause: error });
  return new AuthError('INTERNAL', { cause: error });
}

/**
 * Builds the HTTP app over a wired service layer. Listening is left to the
 * caller (`main.ts`, or tests with `listen({ port: 0 })`).
 */
export async function buildApp(services: Services, options: AppOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    trustProxy: options.trustProxy ?? false,
    // Draining requests are answered by registerDrainAnswers, in the dialect's shape.
    return503OnClosing: false,
    bodyLimit: 64 * 1024,
    routerOptions: { maxParamLength: 256 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    ...timeoutOptions(config),
  });
  limitConnections(app.server, config);

  await app.register(formbody);
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: 0, files: 0, fields: 50, fieldSize: 16 * 1024 } });
  await registerOpenApi(app);
  app.decorateRequest('principal', null);

  const dialects = new Map<DialectName, HttpDialect>();
  dialects.set('standard', createStandardDialect(services));
  dialects.set('lin-cms', createLinCmsDialect(services));
  dialects.set('mmm', createMmmDialect(services));
  const fallback = dialects.get('standard')!;

  // The Date text changes once a second; formatting it for every request shows in profiles (bench/).
  let dateSecond = NaN;
  let dateText = '';
  app.addHook('onRequest', (request, reply, done) => {
    const second = Math.floor(services.clock.now() / 1000);
    if (second !== dateSecond) {
      dateSecond = second;
      dateText = new Date(second * 1000).toUTCString();
    }
    void reply.headers({
      // The server's clock (injected, so tests move it) is what clients correct their skew against.
      date: dateText,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-request-id': request.id,
    });
    done();
  });
  registerDrainAnswers(app);
  await registerMetrics(app, services);

  app.setErrorHandler((error, request, reply) => {
    const clientError = toClientError(error);
    // STORE_UNAVAILABLE is not logged per request: the store, Redis and the
    // revocation feed each log their outage once when it starts and once when it ends.
    if (clientError.code === 'INTERNAL') request.log.error({ err: error }, 'internal error');
    const dialect = dialects.get(request.routeOptions.config?.dialect ?? 'standard') ?? fallback;
    return dialect.sendError(clientError, request, reply);
  });
  app.setNotFoundHandler((request, reply) => fallback.sendError(new AuthError('NOT_FOUND'), request, reply));
  await registerCors(
    app,
    config,
    config.dialects.map((name) => dialects.get(name)!),
  );

  await registerSystemRoutes(app, services);
  for (const name of config.dialects) await dialects.get(name)!.register(app);
  if (config.dialects.includes('standard') || config.dialects.includes('mmm')) await registerMfaRoutes(app, services, fallback);
  await registerAdminRoutes(app, services, fallback);
  await registerMfaAdminRoutes(app, services, fallback);
  await registerRevocationFeed(app, services);
  await registerConsoleRoute(app);
  // Last: the gateway's catch-all routes proxy whatever duotoken does not serve itself.
  await registerGateway(app, services, dialects);
  return app;
}
