import { loadConfig } from '../config/load-config.js';
import { createRuntime } from '../runtime.js';

/** `duotoken serve`: runs the server until SIGTERM/SIGINT, then drains and closes. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  const { app, firstStart } = runtime;
  if (firstStart) {
    // Printed once, to the terminal, never through the logger.
    const lines = [
      '',
      `duotoken: first start — created admin account "${firstStart.account}" and company #${firstStart.companyId}.`,
      firstStart.generatedPassword
        ? `duotoken: one-time admin password: ${firstStart.generatedPassword}  (shown only now; change it with POST /auth/password)`
        : 'duotoken: admin password taken from DUOTOKEN_ADMIN_PASSWORD.',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  }
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
