import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { runFirstStart, type FirstStartResult } from './bootstrap/first-start.js';
import { buildApp } from './build-app.js';
import type { CaptchaProvider } from './auth/captcha/captcha-provider.js';
import type { EphemeralStore } from './cache/ephemeral-store.js';
import { MemoryEphemeralStore } from './cache/memory-ephemeral-store.js';
import { RedisEphemeralStore } from './cache/redis-ephemeral-store.js';
import { systemClock, type Clock } from './clock/clock.js';
import type { Config } from './config/settings.js';
import { loadServerSecret } from './config/load-server-secret.js';
import { createLogger } from './http/create-logger.js';
import { createServices, type Services } from './services.js';
import { FenceBus } from './sessions/fence-bus.js';
import { FencePoll } from './sessions/fence-poll.js';
import { migrateToLatest } from './store/migrate.js';
import { openPostgres } from './store/open-postgres.js';
import { openSqlite } from './store/open-sqlite.js';
import type { OpenedDatabase } from './store/opened-database.js';
import { createStore, type Store } from './store/store.js';
import { logStoreHealth } from './store/store-health.js';

/** The file of the embedded database, or undefined when the store is PostgreSQL. */
export function sqlitePathOf(config: Config): string | undefined {
  const url = config.databaseUrl;
  if (url && !url.startsWith('sqlite:')) return undefined;
  return url ? url.slice('sqlite:'.length) : join(config.dataDir, 'duotoken.db');
}

/**
 * Opens the configured database (embedded SQLite unless a URL says
 * otherwise). `serving`: a long-running server, which checkpoints SQLite's
 * WAL on a thread of its own.
 */
export function openDatabase(config: Config, serving?: { logger: Logger }): OpenedDatabase {
  const path = sqlitePathOf(config);
  if (path === undefined) return openPostgres(config.databaseUrl!);
  return openSqlite(path, {
    backgroundCheckpoints: serving !== undefined,
    exclusiveServer: serving !== undefined,
    onCheckpointError: (message) => serving?.logger.warn({ message }, 'sqlite checkpoints failing'),
    onCheckpointRecovered: () => serving?.logger.info('sqlite checkpoints work again'),
  });
}

/** Everything a running duotoken holds; `close()` releases it. */
export interface Runtime {
  config: Config;
  services: Services;
  app: FastifyInstance;
  firstStart: FirstStartResult | undefined;
  /** With `DUOTOKEN_REDIS_URL`: the revocation feed shared with the other instances. */
  fenceBus: FenceBus | undefined;
  /** Reads the revocations other processes wrote to the database, with or without Redis. */
  fencePoll: FencePoll;
  close(): Promise<void>;
}

/** Overrides for tests and embedding: a fake clock, a log stream, a store, a captcha. */
export interface RuntimeOverrides {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
  /** Wraps the store opened from the configuration (e.g. to make it fail on demand, or to count calls). */
  wrapStore?: (store: Store) => Store;
  ephemeral?: EphemeralStore;
  /** Another captcha than the default `DistortedCaptcha`. */
  captcha?: CaptchaProvider;
}

/**
 * Opens the store (migrating it), loads the server secret, wires the services,
 * runs the first-start bootstrap and builds the HTTP app. Does not listen.
 */
export async function createRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config);
  let store = overrides.store;
  if (!store) {
    const opened = openDatabase(config, { logger });
    await migrateToLatest(opened);
    store = overrides.wrapStore ? overrides.wrapStore(createStore(opened)) : createStore(opened);
  }
  const unlogHealth = logStoreHealth(store.health, logger, store.opened.description);
  const ephemeral =
    overrides.ephemeral ??
    (config.redisUrl ? await RedisEphemeralStore.open(config.redisUrl, config.redisPrefix, logger) : new MemoryEphemeralStore(clock));
  const serverSecret = loadServerSecret(config.secret, config.dataDir);
  const services = await createServices(config, { store, ephemeral, clock, logger, serverSecret, captcha: overrides.captcha });
  const maxLagMs = config.revocationMaxLag * 1000;
  const fenceBus = config.redisUrl
    ? await FenceBus.start(
        { fence: services.fence, store, keyRing: services.keyRing, logger },
        { url: config.redisUrl, prefix: config.redisPrefix, maxLagMs },
      )
    : undefined;
  // With or without Redis: the database is the source of truth, and the CLI or a lost message reach it alone.
  const fencePoll = new FencePoll({ fence: services.fence, store, clock, logger }, { maxLagMs, retentionMs: services.fence.retentionMs });
  fencePoll.start();
  // Without the Redis bus (which reloads keys itself), a key rotated by the CLI
  // reaches this process through a periodic reload.
  const keyReload = fenceBus
    ? undefined
    : setInterval(
        () => services.keyRing.reload().catch((err: unknown) => logger.warn({ err }, 'signing keys reload failed')),
        60_000,
      ).unref();
  // The app is built before the bootstrap so that a bad route or plugin fails
  // before a one-time admin password is generated and could be lost.
  const app = await buildApp(services, { trustProxy: config.trustProxy });
  const firstStart = await runFirstStart(store, services.hasher, clock, { account: config.adminAccount, password: config.adminPassword });
  services.retention.start();
  return {
    config,
    services,
    app,
    firstStart,
    fenceBus,
    fencePoll,
    async close() {
      clearInterval(keyReload);
      await services.retention.stop();
      await app.close();
      await fenceBus?.close();
      await fencePoll.close();
      await ephemeral.close();
      await services.signingThread?.close();
      await store.close();
      unlogHealth();
    },
  };
}
