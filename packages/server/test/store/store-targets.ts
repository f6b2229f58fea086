import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { parseConfig } from '../../src/config/parse-config.js';
import { createLogger } from '../../src/http/create-logger.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openPostgres, type PostgresOptions } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../src/store/store.js';
import { uniqueSchema, withSchema } from '@duotoken/test-kit/pg-schema';

export { connectPg, dropSchema, uniqueSchema, withSchema } from '@duotoken/test-kit/pg-schema';

/** PostgreSQL of the test run (CI sets it); unset → the PostgreSQL half of the suites says it did not run. */
export const PG_URL = process.env.DUOTOKEN_TEST_PG_URL || undefined;
/** Redis of the test run (CI sets it). */
export const REDIS_URL = process.env.DUOTOKEN_TEST_REDIS_URL || undefined;

/** Says loudly, once per file, that a database half of a suite was not run. */
export function warnNotRun(variable: string, what: string): void {
  console.warn(`\n!! ${what} NOT RUN: set ${variable} (CI sets it) to run it.\n`);
}

/** A fresh, migrated store and how to throw it away. */
export interface StoreTarget {
  name: 'sqlite' | 'postgres';
  store: Store;
  dispose(): Promise<void>;
}

/** A fresh in-memory SQLite store, migrated. */
export async function openSqliteTarget(): Promise<StoreTarget> {
  const opened = openSqlite(':memory:');
  await migrateToLatest(opened);
  const store = createStore(opened);
  return { name: 'sqlite', store, dispose: () => store.close() };
}

/** A fresh schema in the PostgreSQL of `url`, migrated; disposing drops it. */
export async function openPostgresTarget(url: string, options: PostgresOptions = {}): Promise<StoreTarget> {
  const schema = uniqueSchema();
  const opened = openPostgres(withSchema(url, schema), options);
  await migrateToLatest(opened);
  const store = createStore(opened);
  return {
    name: 'postgres',
    store,
    async dispose() {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      await store.close();
    },
  };
}

/** A live session row of `userId` (what a login writes) created at `at`, with `extra` columns changed. */
export function liveSessionRow(sid: string, userId: number, at: number, extra: Partial<Parameters<Store['createSession']>[0]> = {}) {
  return {
    id: sid,
    user_id: userId,
    company_id: null,
    version: 1,
    dialect: 'standard',
    device_type: null,
    ip: '127.0.0.1',
    user_agent: 'test',
    created_at: at,
    last_used_at: at,
    expires_at: at + 86_400_000,
    revoked_at: null,
    revoke_reason: null,
    fenced_at: at,
    ...extra,
  };
}

/** A configuration for service-level tests (cheap argon2, defaults otherwise). */
export function testConfig(env: Record<string, string> = {}) {
  return parseConfig({
    DUOTOKEN_DATA_DIR: '/nonexistent-duotoken-test',
    DUOTOKEN_SECRET: randomBytes(32).toString('base64url'),
    DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
    DUOTOKEN_ARGON2_ITERATIONS: '1',
    DUOTOKEN_RATE_LIMITS: 'off',
    ...env,
  });
}

/** A logger writing into an array (assert on it, or ignore it). */
export function captureLogger(lines: string[] = []): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return createLogger({ logLevel: 'info' }, stream);
}
