import { loadConfig } from '../config/load-config.js';
import { firstStartMessage } from '../bootstrap/first-start.js';
import { createRuntime } from '../runtime.js';

/** `duotoken serve`: runs the server until SIGTERM/SIGINT, then drains and closes. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  const { app, firstStart } = runtime;
  // Printed once, to the terminal, never through the logger.
  if (firstStart) process.stdout.write(firstStartMessage(firstStart));
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests');
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
