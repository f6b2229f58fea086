import type { FastifyInstance } from 'fastify';
import { AuthError } from '../errors/auth-error.js';

/**
 * How the app answers while it drains (`app.close()`, which `duotoken serve`
 * calls on SIGTERM). Requests that still arrive on open connections
 * (pipelined, or sent on a keep-alive connection that was busy when the drain
 * began) get 503 with the dialect's error shape and code 10051, and Fastify
 * closes their connection; its own fast path, turned off with
 * `return503OnClosing: false`, sent a body no client of duotoken understands
 * (#13.4). A request that began before the drain is answered as usual, and
 * its connection is closed as soon as it is idle: Node only closes the
 * connections idle when the drain starts, and one that becomes idle later
 * would hold the drain open until its keep-alive timeout (72 s, past the
 * 10 s the serve command waits).
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
  app.addHook('onResponse', (_request, _reply, done) => {
    // After this response, the connection is idle unless another request is already on it.
    if (draining) setImmediate(() => app.server.closeIdleConnections());
    done();
  });
}
