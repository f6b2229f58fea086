import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { SQLITE_TRAITS, type DialectTraits } from './dialect-traits.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations work on the untyped schema by design */

/** `refresh_tokens` as 0001 made it (looked up by the token's SHA-256); 0002 replaced it. */
async function createRefreshTokensV1(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('jti', 'varchar(64)', (c: any) => c.primaryKey())
    .addColumn('session_id', 'varchar(64)', (c: any) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('token_hash', 'varchar(64)', (c: any) => c.notNull().unique())
    .addColumn('issued_at', 'bigint', (c: any) => c.notNull())
    .addColumn('expires_at', 'bigint', (c: any) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .addColumn('successor_jti', 'varchar(64)')
    .execute();
  await db.schema.createIndex('refresh_tokens_session_idx').on('refresh_tokens').column('session_id').execute();
}

/** All migrations, in order. Each is `{ up, down }`; names sort by their numeric prefix. */
function migrations(traits: DialectTraits): Record<string, Migration> {
  const id = (table: any) =>
    table.addColumn('id', traits.autoIdType, (c: any) => {
      const key = c.primaryKey();
      return traits.autoIncrementKeyword ? key.autoIncrement() : key;
    });
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await id(db.schema.createTable('users'))
          .addColumn('account', 'varchar(128)', (c: any) => c.notNull().unique())
          .addColumn('name', 'varchar(256)', (c: any) => c.notNull())
          .addColumn('password_hash', 'varchar(512)', (c: any) => c.notNull())
          .addColumn('status', 'varchar(16)', (c: any) => c.notNull())
          .addColumn('is_admin', 'integer', (c: any) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('updated_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await id(db.schema.createTable('companies'))
          .addColumn('name', 'varchar(256)', (c: any) => c.notNull())
          .addColumn('status', 'varchar(16)', (c: any) => c.notNull())
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await db.schema
          .createTable('memberships')
          .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('company_id', 'integer', (c: any) => c.notNull().references('companies.id').onDelete('cascade'))
          .addColumn('roles', 'text', (c: any) => c.notNull())
          .addColumn('is_default', 'integer', (c: any) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'company_id'])
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'varchar(64)', (c: any) => c.primaryKey())
          .addColumn('user_id', 'integer', (c: any) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('company_id', 'integer')
          .addColumn('version', 'integer', (c: any) => c.notNull())
          .addColumn('dialect', 'varchar(16)', (c: any) => c.notNull())
          .addColumn('device_type', 'varchar(64)')
          .addColumn('ip', 'varchar(64)')
          .addColumn('user_agent', 'varchar(512)')
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('last_used_at', 'bigint', (c: any) => c.notNull())
          .addColumn('expires_at', 'bigint', (c: any) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addColumn('revoke_reason', 'varchar(64)')
          .addColumn('fenced_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
        await db.schema.createIndex('sessions_fenced_idx').on('sessions').column('fenced_at').execute();
        await createRefreshTokensV1(db);
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'varchar(128)', (c: any) => c.primaryKey())
          .addColumn('alg', 'varchar(16)', (c: any) => c.notNull())
          .addColumn('public_jwk', 'text', (c: any) => c.notNull())
          .addColumn('private_sealed', 'text', (c: any) => c.notNull())
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('retired_at', 'bigint')
          .execute();
        await id(db.schema.createTable('audit_events'))
          .addColumn('at', 'bigint', (c: any) => c.notNull())
          .addColumn('type', 'varchar(64)', (c: any) => c.notNull())
          .addColumn('user_id', 'integer')
          .addColumn('session_id', 'varchar(64)')
          .addColumn('ip', 'varchar(64)')
          .addColumn('details', 'text', (c: any) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
        await db.schema
          .createTable('login_failures')
          .addColumn('key', 'varchar(128)', (c: any) => c.primaryKey())
          .addColumn('count', 'integer', (c: any) => c.notNull())
          .addColumn('last_failure_at', 'bigint', (c: any) => c.notNull())
          .addColumn('locked_until', 'bigint', (c: any) => c.notNull())
          .execute();
      },
      async down(db: Kysely<any>) {
        for (const table of [
          'login_failures',
          'audit_events',
          'signing_keys',
          'refresh_tokens',
          'sessions',
          'memberships',
          'companies',
          'users',
        ])
          await db.schema.dropTable(table).ifExists().execute();
      },
    },
    /**
     * Refresh tokens are found by `jti` once their HMAC checks out, so the
     * unique `token_hash` index was one b-tree too many on every rotation; on
     * SQLite the table now lives in its primary key's b-tree. Rebuilt rather
     * than altered: SQLite cannot drop an indexed column. Tokens issued
     * before keep working (their `jti` carries over).
     */
    '0002_refresh_tokens_by_jti': {
      async up(db: Kysely<any>) {
        let table = db.schema
          .createTable('refresh_tokens_next')
          .addColumn('jti', 'varchar(64)', (c: any) => c.primaryKey())
          .addColumn('session_id', 'varchar(64)', (c: any) => c.notNull().references('sessions.id').onDelete('cascade'))
          .addColumn('issued_at', 'bigint', (c: any) => c.notNull())
          .addColumn('expires_at', 'bigint', (c: any) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .addColumn('successor_jti', 'varchar(64)');
        if (traits.supportsWithoutRowid) table = table.modifyEnd(sql`without rowid`);
        await table.execute();
        await sql`insert into refresh_tokens_next (jti, session_id, issued_at, expires_at, consumed_at, successor_jti)
          select jti, session_id, issued_at, expires_at, consumed_at, successor_jti from refresh_tokens`.execute(db);
        await db.schema.dropTable('refresh_tokens').execute();
        await db.schema.alterTable('refresh_tokens_next').renameTo('refresh_tokens').execute();
        await db.schema.createIndex('refresh_tokens_session_idx').on('refresh_tokens').column('session_id').execute();
      },
      async down(db: Kysely<any>) {
        // Tokens cannot be re-hashed without their strings: going back ends every session.
        await db.schema.dropTable('refresh_tokens').execute();
        await createRefreshTokensV1(db);
      },
    },
  };
}

/** Kysely migration provider serving the in-code migrations for a dialect. */
export function migrationProvider(traits: DialectTraits): MigrationProvider {
  return { getMigrations: async () => migrations(traits) };
}

/** Names of every migration this release knows, in the order they run. */
export function migrationNames(): string[] {
  return Object.keys(migrations(SQLITE_TRAITS)).sort();
}
