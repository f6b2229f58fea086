#!/usr/bin/env node
// Writes e2e/cli/fixtures/schema-0001/: a data folder as the first schema
// version (0001_initial) left it, made with the current code's migrations
// stopped at 0001 and rows written as that release wrote them (refresh tokens
// looked up by their SHA-256). e2e/cli/upgrade.test.ts upgrades a copy.
// Run after `npm run build`; the fixture is committed, so this runs only when
// the fixture itself must change.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hash } from '@node-rs/argon2';
import { Migrator } from 'kysely';
import { deriveServerKeys } from '../packages/server/dist/crypto/server-secret.js';
import { RefreshTokenCodec } from '../packages/server/dist/tokens/refresh-token-codec.js';
import { migrationProvider } from '../packages/server/dist/store/migrations.js';
import { openSqlite } from '../packages/server/dist/store/open-sqlite.js';

const dir = fileURLToPath(new URL('../e2e/cli/fixtures/schema-0001/', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const secret = randomBytes(32);
writeFileSync(`${dir}secret.key`, `${secret.toString('base64url')}\n`, { mode: 0o600 });
const opened = openSqlite(`${dir}duotoken.db`);
const { error } = await new Migrator({ db: opened.db, provider: migrationProvider(opened.traits) }).migrateTo('0001_initial');
if (error) throw error;

const password = 'fixture-admin-password';
const createdAtMs = Date.UTC(2026, 0, 1);
// Far in the future, so that the fixture never ages into expired sessions.
const expiresAtMs = Date.UTC(2100, 0, 1);
const db = opened.db;
const passwordHash = await hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
await db
  .insertInto('users')
  .values({
    account: 'admin',
    name: 'Administrator',
    password_hash: passwordHash,
    status: 'active',
    is_admin: 1,
    created_at: createdAtMs,
    updated_at: createdAtMs,
  })
  .execute();
await db.insertInto('companies').values({ name: 'Default', status: 'active', created_at: createdAtMs }).execute();
await db
  .insertInto('memberships')
  .values({ user_id: 1, company_id: 1, roles: '["admin"]', is_default: 1, created_at: createdAtMs })
  .execute();
const sessionId = 'fixture-session-0001-aaaaaaaa';
await db
  .insertInto('sessions')
  .values({
    id: sessionId,
    user_id: 1,
    company_id: 1,
    version: 1,
    dialect: 'standard',
    device_type: null,
    ip: '127.0.0.1',
    user_agent: 'fixture',
    created_at: createdAtMs,
    last_used_at: createdAtMs,
    expires_at: expiresAtMs,
    revoked_at: null,
    revoke_reason: null,
    fenced_at: createdAtMs,
  })
  .execute();
const jti = 'fixture-jti-0001-bbbbbbbbbbbb';
const refreshToken = new RefreshTokenCodec(deriveServerKeys(secret).refreshKey).mint(jti);
await db
  .insertInto('refresh_tokens')
  .values({
    jti,
    session_id: sessionId,
    token_hash: createHash('sha256').update(refreshToken).digest('hex'),
    issued_at: createdAtMs,
    expires_at: expiresAtMs,
    consumed_at: null,
    successor_jti: null,
  })
  .execute();
await db.destroy();

// One self-contained file (no -wal beside it), as a backup or an old install would hand it over.
const { default: Sqlite } = await import('better-sqlite3');
const file = new Sqlite(`${dir}duotoken.db`);
file.pragma('journal_mode = DELETE');
file.close();
writeFileSync(
  `${dir}fixture.json`,
  `${JSON.stringify({ schema: '0001_initial', account: 'admin', password, sessionId, refreshToken }, null, 2)}\n`,
);
console.log(`wrote ${dir}`);
