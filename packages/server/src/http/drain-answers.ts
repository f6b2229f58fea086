import type { FastifyInstance } from 'fastify';
import { AuthError } from '../errors/auth-error.js';

/**
 * How the app answers while it drains (`app.close()`, which `duotoken serve`
 * calls on SIGTERM). Requests that still arrive on open connections get 503
 * with the dialect's error shape and code 10051 (Fastify's own fast path,
 * turned off with `return503OnClosing: false`, sent a body no client of
 * duotoken understands: #13.4). Every answer sent during the drain closes its
 * connection: keep-alive clients move to another instance, and a connection
 * whose last request started before the drain cannot hold the drain open
 * until its keep-alive timeout.
 *
 * Register after the hook that sets the common headers, before any route.
 */
export function registerDrainAnswers(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onRequest', (_request, _reply, done) => {
    done(draining ? new AuthError('STORE_UNAVAILABLE', { message: 'shutting down' }) : undefined);
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });
}
