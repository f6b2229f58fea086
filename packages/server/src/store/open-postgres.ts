import { userInfo } from 'node:os';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { POSTGRES_TRAITS } from './database-traits.js';
import type { OpenedDatabase } from './opened-database.js';
import { preparedStatementName } from './prepared-query.js';
import type { Database } from './schema.js';

/** OID of `int8`/`bigint`: the unix-ms time columns and `count(*)`. */
const INT8_OID = 20;
/** Schema names we accept unquoted in `search_path` (and in `CREATE SCHEMA`). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Tuning of the connection pool; the defaults suit one instance of a small cluster. */
export interface PostgresOptions {
  /** Connections per instance (default 10; mind `max_connections` × instances). */
  poolSize?: number;
  /** Waiting longer than this for a connection fails the request with STORE_UNAVAILABLE (default 5 s). */
  connectTimeoutMs?: number;
  /** How the connections show in `pg_stat_activity` (default `duotoken`). */
  applicationName?: string;
}

/** What `openPostgres` takes from a `postgres://` URL. */
export interface PostgresTarget {
  /** The URL as `pg` reads it (the `schema` parameter removed). */
  connectionString: string;
  /** Schema holding duotoken's tables: `?schema=` of the URL, else `public`. */
  schema: string;
  /** Extra startup `options` given in the URL (`?options=-c …`), kept. */
  extraOptions: string | undefined;
  /** The URL without its password, for logs. */
  description: string;
}

/**
 * Reads a `postgres://user:pass@host:port/db?schema=name` URL. `schema` is
 * duotoken's own parameter: every connection's `search_path` is set to it,
 * so several deployments (or test runs) can share one database.
 */
export function parsePostgresUrl(url: string): PostgresTarget {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error('DUOTOKEN_DATABASE_URL: must start with postgres://');
  const schema = u.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema))
    throw new Error('DUOTOKEN_DATABASE_URL: schema must be lower-case letters, digits and _ (at most 63), starting with a letter or _');
  const extraOptions = u.searchParams.get('options') ?? undefined;
  u.searchParams.delete('schema');
  u.searchParams.delete('options');
  // As libpq (psql) does: no user in the URL or PGUSER means the operating-system user, even where $USER is unset.
  if (!u.username && !process.env.PGUSER) u.username = userInfo().username;
  const connectionString = u.toString();
  if (u.password) u.password = '';
  u.search = schema === 'public' ? '' : `?schema=${schema}`;
  return { connectionString, schema, extraOptions, description: u.toString() };
}

/**
 * `int8` comes back from `pg` as a string by default. duotoken's int8 values
 * are unix-ms times and counts, far below 2^53, so they are read as numbers.
 * The parser is given to this pool only (never `pg.types.setTypeParser`,
 * which would change every other pg user in the process).
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * SQLSTATEs after which a connection stops naming statements: "cached plan
 * must not change result type" (a named statement's table changed since it was
 * prepared) and "prepared statement … does not exist" (a transaction-mode
 * pooler such as PgBouncer moved the session to another server connection).
 */
const NAMING_FAILED = new Set(['0A000', '26000']);

/**
 * Runs the store's fixed statements (`PreparedQuery`) as named prepared
 * statements on `client`: PostgreSQL parses and plans each once per
 * connection, and each run sends only its parameters (the hot paths' cost is
 * then the round trip). Only outside a transaction (the hot paths are single
 * statements), so that what can go wrong does no harm: another instance
 * migrating a table under a statement that returns its rows whole, or a
 * transaction-mode pooler that does not keep prepared statements
 * (`NAMING_FAILED`). That run is repeated unnamed, and the connection stops
 * naming statements.
 */
function prepareByName(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => Promise<pg.QueryResult>;
  let inTransaction = false;
  let naming = true;
  client.query = ((config: unknown, values?: unknown) => {
    if (typeof config !== 'string') return query(config, values);
    if (config === 'begin' || config.startsWith('start transaction')) inTransaction = true;
    else if (config === 'commit' || config === 'rollback') inTransaction = false;
    const name = naming && !inTransaction ? preparedStatementName(config) : undefined;
    if (!name) return query(config, values);
    return query({ name, text: config, values }).catch((error: unknown) => {
      if (!NAMING_FAILED.has(String((error as { code?: unknown }).code))) throw error;
      naming = false;
      return query(config, values);
    });
  }) as typeof client.query;
}

/**
 * Opens a pooled PostgreSQL database. Every connection gets:
 * - `search_path` = the schema of the URL (default `public`);
 * - `default_transaction_isolation = read committed`, whatever the server's
 *   default: the refresh rotation's conditional UPDATE relies on READ
 *   COMMITTED's re-check of a row a concurrent winner has just changed (see
 *   docs/scale-out.md); under REPEATABLE READ the losers would fail instead.
 * - a statement timeout, so a stuck lock cannot hold a request forever.
 *
 * Nothing connects until the first query; a database that is down makes
 * queries fail with STORE_UNAVAILABLE (mapped by the store), and the pool
 * reconnects on its own when it is back.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): OpenedDatabase {
  const target = parsePostgresUrl(url);
  const startup = [`-c search_path=${target.schema}`, '-c default_transaction_isolation=read\\ committed'];
  if (target.extraOptions) startup.unshift(target.extraOptions);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    // Idle connections do not hold the process open: a start-up that fails after
    // migrating exits at once instead of after the idle timeout.
    allowExitOnIdle: true,
    statement_timeout: 15_000,
    query_timeout: 20_000,
    application_name: options.applicationName ?? 'duotoken',
    options: startup.join(' '),
    types: typeParsers,
  });
  // A connection dropped by the server (restart, failover, network) emits
  // 'error' on its client — through the pool while idle, on the client itself
  // while checked out — and an unheard 'error' event would crash the process.
  // The query in flight fails on its own (→ 503), and the pool discards the
  // broken client and opens a fresh one for the next query.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    prepareByName(client);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, traits: POSTGRES_TRAITS, description: target.description, schema: target.schema };
}
