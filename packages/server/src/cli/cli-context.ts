import type { Logger } from 'pino';
import { firstStartMessage, runFirstStart } from '../bootstrap/first-start.js';
import { MemoryEphemeralStore } from '../cache/memory-ephemeral-store.js';
import { systemClock } from '../clock/clock.js';
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/settings.js';
import { loadServerSecret } from '../config/load-server-secret.js';
import { createLogger } from '../http/create-logger.js';
import { openDatabase } from '../runtime.js';
import { createServices, type Services } from '../services.js';
import { FencePublisher } from '../sessions/fence-publisher.js';
import { migrateToLatest } from '../store/migrate.js';
import { createStore } from '../store/store.js';

/** Runs one CLI action with the services of the configured store, then closes it. */
export async function withServices<T>(action: (services: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const opened = openDatabase(config);
  await migrateToLatest(opened);
  const store = createStore(opened);
  const clock = systemClock;
  const ephemeral = new MemoryEphemeralStore(clock);
  // CLI output goes to stdout; the audit log lines go to stderr only at warn level and above.
  const logger = createLogger({ logLevel: 'warn' }, process.stderr);
  let publisher: FencePublisher | undefined;
  try {
    const services = await createServices(config, {
      store,
      ephemeral,
      clock,
      logger,
      serverSecret: loadServerSecret(config.secret, config.dataDir),
    });
    // Whatever runs first on an empty store, `serve` or the CLI, creates the admin.
    const first = await runFirstStart(store, services.hasher, clock, { account: config.adminAccount, password: config.adminPassword });
    if (first) process.stderr.write(firstStartMessage(first));
    publisher = config.redisUrl ? await connectPublisher(config.redisUrl, config.redisPrefix, logger) : undefined;
    publisher?.follow(services.fence);
    return await action(services, config);
  } finally {
    await publisher?.close();
    await store.close();
  }
}

/**
 * With Redis, revocations made here reach running instances at once over the
 * fence bus. Without a connection they still arrive, through each instance's
 * store poll within DUOTOKEN_REVOCATION_MAX_LAG: the command goes on.
 */
async function connectPublisher(url: string, prefix: string, logger: Logger): Promise<FencePublisher | undefined> {
  try {
    return await FencePublisher.connect(url, prefix, logger);
  } catch (error) {
    logger.warn({ err: error }, 'Redis unreachable: running instances see revocations through their store poll instead');
    return undefined;
  }
}

/** Reads a password from standard input (first line, without the newline). */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.split(/\r?\n/)[0] ?? '';
}
