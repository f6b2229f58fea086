import { randomBytes } from 'node:crypto';
import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryEphemeralStore } from '../../src/cache/memory-ephemeral-store.js';
import { createServices } from '../../src/services.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { openPostgres } from '../../src/store/open-postgres.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import type { OpenedDatabase } from '../../src/store/opened-database.js';
import { createStore } from '../../src/store/store.js';
import { FakeClock } from '@duotoken/test-kit/fake-clock';
import { captureLogger, PG_URL, testConfig, uniqueSchema, warnNotRun, withSchema } from './store-targets.js';

const client = { ip: '127.0.0.1', userAgent: 'test' };

/** Migrates up to and including `name`, as an older release would have left the database. */
async function migrateTo(opened: OpenedDatabase, name: string): Promise<void> {
  const migrator = new Migrator({
    db: opened.db,
    provider: migrationProvider(opened.traits),
    ...(opened.schema ? { migrationTableSchema: opened.schema } : {}),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

/** A database upgraded from 0001 keeps its sessions: refresh tokens issued before the upgrade still rotate. */
function upgradeKeepsSessions(open: () => OpenedDatabase, dispose: (opened: OpenedDatabase) => Promise<void>) {
  it('0002 (refresh tokens found by jti): a token issued under 0001 refreshes after the upgrade', async () => {
    const opened = open();
    try {
      await migrateTo(opened, '0001_initial');
      const clock = new FakeClock();
      const now = clock.now();
      const db = opened.db;
      const user = await sql<{ id: number }>`insert into users (account, name, password_hash, status, is_admin, created_at, updated_at)
        values ('old-user', 'Old', 'h', 'active', 0, ${now}, ${now}) returning id`.execute(db);
      const userId = user.rows[0]!.id;
      await sql`insert into sessions (id, user_id, company_id, version, dialect, created_at, last_used_at, expires_at, fenced_at)
        values ('old-session-0000001', ${userId}, null, 1, 'standard', ${now}, ${now}, ${now + 86_400_000}, ${now})`.execute(db);
      const jti = 'old-jti-000000000000001';
      await sql`insert into refresh_tokens (jti, session_id, token_hash, issued_at, expires_at, consumed_at, successor_jti)
        values (${jti}, 'old-session-0000001', ${'f'.repeat(64)}, ${now}, ${now + 3_600_000}, null, null)`.execute(db);

      // 0002 and every later migration.
      expect((await migrateToLatest(opened))[0]).toBe('0002_refresh_tokens_by_jti');
      const store = createStore(opened);
      const services = await createServices(testConfig(), {
        store,
        ephemeral: new MemoryEphemeralStore(clock),
        clock,
        logger: captureLogger(),
        serverSecret: randomBytes(32),
      });
      const pair = await services.refresh.refresh(services.issuer.tokenOf(jti), { client });
      expect(pair.sessionId).toBe('old-session-0000001');
      expect((await store.findRefreshToken(jti))?.successor_jti).toBe(pair.refreshToken.split('.')[0]);
      const columns = await db.introspection.getTables();
      const refreshTokens = columns.find((t) => t.name === 'refresh_tokens');
      expect(refreshTokens?.columns.map((c) => c.name)).not.toContain('token_hash');
    } finally {
      await dispose(opened);
    }
  });
}

/** A lock counted before 0003 (no `seq` yet) still holds after 0007 (no `seq` any more), and counting carries on from it. */
function upgradeKeepsLocks(open: () => OpenedDatabase, dispose: (opened: OpenedDatabase) => Promise<void>) {
  it('0003 and 0007 (login attempts): a lock counted before the upgrades still holds, and the count carries on', async () => {
    const opened = open();
    try {
      await migrateTo(opened, '0002_refresh_tokens_by_jti');
      const now = new FakeClock().now();
      await sql`insert into login_failures (key, count, last_failure_at, locked_until)
        values ('acct:old', 10, ${now}, ${now + 60_000})`.execute(opened.db);
      expect(await migrateToLatest(opened)).toContain('0003_login_failures_seq');
      const store = createStore(opened);
      const schedule = {
        threshold: 10,
        stepsMs: [60_000, 120_000],
        hardLimit: 0,
        hardUntil: Number.MAX_SAFE_INTEGER,
        inflightStaleMs: 60_000,
      };
      expect(await store.reserveLoginAttempt('acct:old', now + 1_000, schedule)).toBe(false);
      expect(await store.reserveLoginAttempt('acct:old', now + 60_000, schedule)).toBe(true);
      expect(await store.recordLoginFailure('acct:old', now + 60_000, schedule)).toEqual({ count: 11, lockedUntil: now + 180_000 });
    } finally {
      await dispose(opened);
    }
  });
}

/** 0005 names the user each audit event acted upon, for the events written before it too. */
function upgradeFillsAuditSubjects(open: () => OpenedDatabase, dispose: (opened: OpenedDatabase) => Promise<void>) {
  it('0005 (admin console): audit events written before it get their subject_id', async () => {
    const opened = open();
    try {
      await migrateTo(opened, '0002_refresh_tokens_by_jti');
      const events: Array<[string, number | null, string]> = [
        ['admin.action', 1, '{"action":"user.disable","user_id":7}'],
        ['session.revoked', 1, '{"sessions":["s"],"reason":"revoked_by_admin","target_user":8}'],
        ['login.failure', 9, '{"dialect":"standard"}'],
        ['admin.action', 1, '{"action":"company.create","company_id":2}'],
        ['keys.rotated', null, '{"kid":"k"}'],
        ['login.failure', null, 'not json'],
      ];
      for (const [type, user, details] of events)
        await sql`insert into audit_events (at, type, user_id, session_id, ip, details) values (1, ${type}, ${user}, null, null, ${details})`.execute(
          opened.db,
        );
      await migrateToLatest(opened);
      const { rows } = await sql<{ subject_id: number | null }>`select subject_id from audit_events order by id`.execute(opened.db);
      expect(rows.map((r) => r.subject_id)).toEqual([7, 8, 9, null, null, null]);
    } finally {
      await dispose(opened);
    }
  });
}

describe('migrations: sqlite', () => {
  const open = () => openSqlite(':memory:');
  const dispose = (opened: OpenedDatabase) => opened.db.destroy();
  upgradeKeepsLocks(open, dispose);
  upgradeKeepsSessions(open, dispose);
  upgradeFillsAuditSubjects(open, dispose);

  it('refresh tokens live in their primary key b-tree (WITHOUT ROWID)', async () => {
    const opened = openSqlite(':memory:');
    try {
      await migrateToLatest(opened);
      const { rows } = await sql<{ sql: string }>`select sql from sqlite_master where name = 'refresh_tokens'`.execute(opened.db);
      expect(rows[0]?.sql.toLowerCase()).toContain('without rowid');
    } finally {
      await opened.db.destroy();
    }
  });
});

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'migrations on PostgreSQL');
describe.skipIf(!PG_URL)('migrations: postgres (DUOTOKEN_TEST_PG_URL)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) {
      const opened = openPostgres(withSchema(PG_URL!, schema));
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened.db);
      await opened.db.destroy();
    }
  });
  const open = () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    return openPostgres(withSchema(PG_URL!, schema));
  };
  const dispose = (opened: OpenedDatabase) => opened.db.destroy();
  upgradeKeepsLocks(open, dispose);
  upgradeKeepsSessions(open, dispose);
  upgradeFillsAuditSubjects(open, dispose);
});
