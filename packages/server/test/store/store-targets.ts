import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { parseConfig } from '../../src/config/parse-config.js';
import { createLogger } from '../../src/http/create-logger.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openPostgres, parsePostgresUrl, type PostgresOptions } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../src/store/store.js';

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

/** A unique schema name for one test run: runs sharing a database never collide. */
export function uniqueSchema(tag = 'dt'): string {
  return `${tag}_${randomBytes(6).toString('hex')}`;
}

/** `url` with `?schema=` set (other parameters kept). */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** A plain `pg` client of `url`, with the user filled in as duotoken does (libpq's rule). */
export async function connectPg(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: parsePostgresUrl(url).connectionString });
  await client.connect();
  return client;
}

/** Drops a schema and everything in it, over a connection of its own. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = await connectPg(url);
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
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
