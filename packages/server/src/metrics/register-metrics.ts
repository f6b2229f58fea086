import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/settings.js';
import type { RetentionJob } from '../retention/retention-job.js';
import { DuotokenMetrics, type MetricsSources } from './duotoken-metrics.js';
import { metricsTokenChecker } from './metrics-access.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus metrics (its own registry). */
    metrics: DuotokenMetrics;
  }
  interface FastifyRequest {
    /** Internal error code of a failed request, kept for the metrics hook. */
    metricsCode: string | undefined;
  }
}

/** The internal code an error will be answered with (mirrors the app's error handler). */
function codeOf(error: FastifyError): string {
  if (isAuthError(error)) return error.code;
  if (error.validation) return 'INVALID_REQUEST';
  if (error.statusCode === 429) return 'RATE_LIMITED';
  return error.statusCode && error.statusCode < 500 ? 'INVALID_REQUEST' : 'INTERNAL';
}

/**
 * Metrics for one app: request counters and latency histograms per route
 * pattern (hooks), business counters from the audit log, and the exposition
 * endpoint. `/metrics` is served on the main listener only when
 * `DUOTOKEN_METRICS_TOKEN` is set (bearer token required), and on a separate
 * plain listener at `DUOTOKEN_METRICS_HOST:DUOTOKEN_METRICS_PORT` when a port
 * is set (the token, if set, is required there too). Neither set: no endpoint,
 * the counters still run (cheap) for embedding code that reads the registry.
 */
/** What the metrics read and listen to. */
export interface MetricsDeps extends MetricsSources {
  config: Config;
  audit: AuditLog;
  retention: RetentionJob;
}

export async function registerMetrics(app: FastifyInstance, services: MetricsDeps): Promise<DuotokenMetrics> {
  const { config } = services;
  const metrics = new DuotokenMetrics(services);
  services.audit.onRecord((event) => metrics.observeAudit(event));
  services.retention.onBatch((batch) => metrics.observeRetentionBatch(batch));
  app.decorate('metrics', metrics);
  app.decorateRequest('metricsCode', undefined);

  app.addHook('onError', (request, _reply, error, done) => {
    request.metricsCode = codeOf(error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest({
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      status: reply.statusCode,
      code: request.metricsCode,
      seconds: reply.elapsedTime / 1000,
    });
    done();
  });

  const check = config.metricsToken ? metricsTokenChecker(config.metricsToken) : undefined;
  if (check)
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['system'],
          summary: 'Prometheus metrics (Authorization: Bearer DUOTOKEN_METRICS_TOKEN)',
          headers: Type.Object({ authorization: Type.Optional(Type.String()) }),
        },
      },
      async (request, reply) => {
        const verdict = check(request.headers.authorization);
        if (verdict !== 'ok') throw new AuthError(verdict === 'missing' ? 'ACCESS_TOKEN_MISSING' : 'ACCESS_TOKEN_INVALID');
        const { contentType, body } = await metrics.scrape();
        return reply.header('content-type', contentType).send(body);
      },
    );

  if (config.metricsPort !== undefined) {
    let listener: Server | undefined;
    // onReady, not onListen: `listen()` awaits it, so the address is known once the app listens.
    app.addHook('onReady', async () => {
      listener = await listenForScrapes(metrics, check, config.metricsHost, config.metricsPort!);
      const { address, port } = listener.address() as AddressInfo;
      metrics.listenerAddress = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
      app.log.info({ metrics: metrics.listenerAddress }, 'metrics listener started');
    });
    app.addHook('onClose', async () => {
      if (listener) await new Promise<void>((resolve) => listener!.close(() => resolve()));
    });
  }
  return metrics;
}

/** A bare HTTP listener answering `GET /metrics` (and nothing else) for a scraper on a private network. */
function listenForScrapes(
  metrics: DuotokenMetrics,
  check: ReturnType<typeof metricsTokenChecker> | undefined,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (check && check(request.headers.authorization) !== 'ok') {
      response.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
