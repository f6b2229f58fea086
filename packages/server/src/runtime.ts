import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { runFirstStart, type FirstStartResult } from './bootstrap/first-start.js';
import { buildApp } from './build-app.js';
import type { EphemeralStore } from './cache/ephemeral-store.js';
import { MemoryEphemeralStore } from './cache/memory-ephemeral-store.js';
import { systemClock, type Clock } from './clock/clock.js';
import type { Config } from './config/settings.js';
import { loadServerSecret } from './crypto/server-secret.js';
import { createLogger } from './http/create-logger.js';
import { createServices, type Services } from './services.js';
import { migrateToLatest } from './store/migrate.js';
import { openSqlite } from './store/open-sqlite.js';
import type { OpenedDatabase } from './store/opened-database.js';
import { createStore, type Store } from './store/store.js';

/** Opens the configured database (embedded SQLite unless a URL says otherwise). */
export function openDatabase(config: Config): OpenedDatabase {
  const url = config.databaseUrl;
  if (!url) return openSqlite(join(config.dataDir, 'duotoken.db'));
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length));
  throw new Error('DUOTOKEN_DATABASE_URL: PostgreSQL support is not in this build yet');
}

/** Everything a running duotoken holds; `close()` releases it. */
export interface Runtime {
  config: Config;
  services: Services;
  app: FastifyInstance;
  firstStart: FirstStartResult | undefined;
  close(): Promise<void>;
}

/** Overrides for tests and embedding: a fake clock, a log stream, a store. */
export interface RuntimeOverrides {
  clock?: Clock;
  logger?: Logger;
  store?: Store;
  ephemeral?: EphemeralStore;
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
    const opened = openDatabase(config);
    await migrateToLatest(opened);
    store = createStore(opened);
  }
  const ephemeral = overrides.ephemeral ?? new MemoryEphemeralStore(clock);
  const serverSecret = loadServerSecret(config.secret, config.dataDir);
  const services = await createServices(config, { store, ephemeral, clock, logger, serverSecret });
  // The app is built before the bootstrap so that a bad route or plugin fails
  // before a one-time admin password is generated and could be lost.
  const app = await buildApp(services);
  const firstStart = await runFirstStart(store, services.hasher, clock, { account: config.adminAccount, password: config.adminPassword });
  return {
    config,
    services,
    app,
    firstStart,
    async close() {
      await app.close();
      await ephemeral.close();
      await store.close();
    },
  };
}
