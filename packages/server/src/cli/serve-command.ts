import { loadConfig } from '../config/load-config.js';
import { firstStartMessage } from '../bootstrap/first-start.js';
import { createRuntime } from '../runtime.js';

/** Longest wait for in-flight requests after SIGTERM/SIGINT. */
const DRAIN_TIMEOUT_MS = 10_000;

/** `duotoken serve`: runs the server until SIGTERM/SIGINT, then drains and closes. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  const { app, firstStart } = runtime;
  // Printed once, to stderr, never through the logger: stdout carries only the JSON log stream.
  if (firstStart) process.stderr.write(firstStartMessage(firstStart));
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
    // Fastify answers new requests 503 and lets in-flight ones finish; then the
    // Redis connections and the database pool close. A stuck request must not
    // keep the process (and its load-balancer slot) alive forever.
    setTimeout(() => {
      app.log.error({ afterMs: DRAIN_TIMEOUT_MS }, 'shutdown: requests still in flight, exiting anyway');
      process.exit(1);
    }, DRAIN_TIMEOUT_MS).unref();
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
}
