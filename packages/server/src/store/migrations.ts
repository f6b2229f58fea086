import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { SQLITE_TRAITS, type DatabaseTraits } from './database-traits.js';

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
function migrations(traits: DatabaseTraits): Record<string, Migration> {
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
    /**
     * Login attempts are reserved before the password is checked; `seq`
     * numbers the reservations of a key so that a success forgives the
     * attempts reserved before it and not those that raced in after it.
     */
    '0003_login_failures_seq': {
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('login_failures')
          .addColumn('seq', 'integer', (c: any) => c.notNull().defaultTo(0))
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('login_failures').dropColumn('seq').execute();
      },
    },
    /**
     * Retention (#13.2): the indexes its batched deletes walk (refresh tokens
     * and sessions by expiry, ended sessions by revocation time: a partial
     * index, live sessions are not in it; audit events already have one by
     * time), and the one-row table `store_probe` that readiness writes to
     * learn whether the database can write again after a failure (#13.1).
     */
    '0004_retention': {
      async up(db: Kysely<any>) {
        await db.schema.createIndex('refresh_tokens_expires_idx').on('refresh_tokens').column('expires_at').execute();
        await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
        await db.schema
          .createIndex('sessions_revoked_idx')
          .on('sessions')
          .column('revoked_at')
          .where('revoked_at', 'is not', null)
          .execute();
        await db.schema
          .createTable('store_probe')
          .addColumn('id', 'integer', (c: any) => c.primaryKey())
          .addColumn('probed_at', 'bigint', (c: any) => c.notNull())
          .addColumn('payload', 'text', (c: any) => c.notNull())
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('store_probe').ifExists().execute();
        for (const index of ['sessions_revoked_idx', 'sessions_expires_idx', 'refresh_tokens_expires_idx'])
          await db.schema.dropIndex(index).ifExists().execute();
      },
    },
    /**
     * The admin console (#16): audit events gain `subject_id` (the user acted
     * upon; `user_id` is the one who acted), filled for the events already
     * there; indexes for the admin filters: audit by actor, subject and
     * type over time, members of a company, sessions of a company.
     */
    '0005_admin_console': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('audit_events').addColumn('subject_id', 'integer').execute();
        await backfillAuditSubjects(db);
        await db.schema.createIndex('audit_events_subject_idx').on('audit_events').column('subject_id').execute();
        await db.schema.createIndex('audit_events_user_idx').on('audit_events').column('user_id').execute();
        await db.schema.createIndex('audit_events_type_at_idx').on('audit_events').columns(['type', 'at']).execute();
        await db.schema.createIndex('memberships_company_idx').on('memberships').column('company_id').execute();
        await db.schema.createIndex('sessions_company_idx').on('sessions').column('company_id').execute();
      },
      async down(db: Kysely<any>) {
        for (const index of [
          'sessions_company_idx',
          'memberships_company_idx',
          'audit_events_type_at_idx',
          'audit_events_user_idx',
          'audit_events_subject_idx',
        ])
          await db.schema.dropIndex(index).ifExists().execute();
        await db.schema.alterTable('audit_events').dropColumn('subject_id').execute();
      },
    },
    /**
     * Multi-factor authentication (#15): TOTP secrets (sealed), recovery codes
     * (keyed hashes), remembered devices (keyed hashes of their tokens),
     * WebAuthn credentials; sessions gain `auth_time` and `amr`, carried into
     * every access token of the session (null on older sessions: created_at, pwd).
     */
    '0006_mfa': {
      async up(db: Kysely<any>) {
        const userId = (c: any) => c.notNull().references('users.id').onDelete('cascade');
        await db.schema
          .createTable('mfa_totp')
          .addColumn('user_id', 'integer', (c: any) => userId(c).primaryKey())
          .addColumn('secret_sealed', 'text', (c: any) => c.notNull())
          .addColumn('enabled_at', 'bigint')
          .addColumn('last_step', 'bigint', (c: any) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await id(db.schema.createTable('mfa_recovery_codes'))
          .addColumn('user_id', 'integer', userId)
          .addColumn('code_hash', 'varchar(64)', (c: any) => c.notNull())
          .addColumn('used_at', 'bigint')
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await db.schema.createIndex('mfa_recovery_codes_user_idx').on('mfa_recovery_codes').columns(['user_id', 'code_hash']).execute();
        await db.schema
          .createTable('mfa_devices')
          .addColumn('id', 'varchar(64)', (c: any) => c.primaryKey())
          .addColumn('user_id', 'integer', userId)
          .addColumn('token_hash', 'varchar(64)', (c: any) => c.notNull())
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('expires_at', 'bigint', (c: any) => c.notNull())
          .addColumn('last_used_at', 'bigint', (c: any) => c.notNull())
          .execute();
        await db.schema.createIndex('mfa_devices_user_idx').on('mfa_devices').column('user_id').execute();
        await db.schema
          .createTable('webauthn_credentials')
          .addColumn('id', 'varchar(1024)', (c: any) => c.primaryKey())
          .addColumn('user_id', 'integer', userId)
          .addColumn('public_key', 'text', (c: any) => c.notNull())
          .addColumn('counter', 'bigint', (c: any) => c.notNull())
          .addColumn('transports', 'text', (c: any) => c.notNull())
          .addColumn('name', 'varchar(128)', (c: any) => c.notNull())
          .addColumn('backed_up', 'integer', (c: any) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c: any) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .execute();
        await db.schema.createIndex('webauthn_credentials_user_idx').on('webauthn_credentials').column('user_id').execute();
        await db.schema.alterTable('sessions').addColumn('auth_time', 'bigint').execute();
        await db.schema.alterTable('sessions').addColumn('amr', 'varchar(64)').execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('sessions').dropColumn('amr').execute();
        await db.schema.alterTable('sessions').dropColumn('auth_time').execute();
        for (const table of ['webauthn_credentials', 'mfa_devices', 'mfa_recovery_codes', 'mfa_totp'])
          await db.schema.dropTable(table).ifExists().execute();
      },
    },
    /**
     * Login attempts (#12): `seq` ordered reservations so that a success
     * forgave those before it, which miscounted right passwords finishing out
     * of order. Now failures and attempts in flight are two numbers; a row
     * upgraded keeps its count and lock and starts with nothing in flight.
     */
    '0007_login_failures_inflight': {
      async up(db: Kysely<any>) {
        await db.schema
          .alterTable('login_failures')
          .addColumn('inflight', 'integer', (c: any) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .alterTable('login_failures')
          .addColumn('inflight_at', 'bigint', (c: any) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('login_failures').dropColumn('seq').execute();
      },
      async down(db: Kysely<any>) {
        await db.schema
          .alterTable('login_failures')
          .addColumn('seq', 'integer', (c: any) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('login_failures').dropColumn('inflight_at').execute();
        await db.schema.alterTable('login_failures').dropColumn('inflight').execute();
      },
    },
  };
}

/**
 * Fills `subject_id` of the audit events written before 0005, in batches by
 * id. The rule is copied here on purpose, frozen as it was when these rows
 * were written (`audit/audit-subject.ts` may change for later events):
 * `details.target_user`, else `details.user_id`, else the event's user except
 * for admin and key events.
 */
async function backfillAuditSubjects(db: Kysely<any>): Promise<void> {
  const id = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null);
  for (let after = 0; ;) {
    const rows: Array<{ id: number; type: string; user_id: number | null; details: string }> = await db
      .selectFrom('audit_events')
      .select(['id', 'type', 'user_id', 'details'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (!rows.length) return;
    const bySubject = new Map<number, number[]>();
    for (const row of rows) {
      let details: Record<string, unknown> = {};
      try {
        details = JSON.parse(row.details) as Record<string, unknown>;
      } catch {
        // A row that is not JSON names no subject.
      }
      const subject =
        details.target_user !== undefined
          ? id(details.target_user)
          : details.user_id !== undefined
            ? id(details.user_id)
            : /^(admin|keys)\./.test(row.type)
              ? null
              : id(row.user_id);
      if (subject !== null) bySubject.set(subject, [...(bySubject.get(subject) ?? []), Number(row.id)]);
    }
    for (const [subject, ids] of bySubject)
      await db.updateTable('audit_events').set({ subject_id: subject }).where('id', 'in', ids).execute();
    after = Number(rows.at(-1)!.id);
  }
}

/** Kysely migration provider serving the in-code migrations for a dialect. */
export function migrationProvider(traits: DatabaseTraits): MigrationProvider {
  return { getMigrations: async () => migrations(traits) };
}

/** Names of every migration this release knows, in the order they run. */
export function migrationNames(): string[] {
  return Object.keys(migrations(SQLITE_TRAITS)).sort();
}
