import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe } from './cli-process.js';

/** A data folder written at the first schema version (see scripts/make-upgrade-fixture.mjs). */
const FIXTURE = fileURLToPath(new URL('./fixtures/schema-0001/', import.meta.url));
const fixture = JSON.parse(readFileSync(join(FIXTURE, 'fixture.json'), 'utf8')) as {
  schema: string;
  account: string;
  password: string;
  sessionId: string;
  refreshToken: string;
};
const ENV = { DUOTOKEN_PORT: '0', DUOTOKEN_HOST: '127.0.0.1', DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_LOG_LEVEL: 'info' };

/** The migrations recorded in a database file. */
function appliedMigrations(path: string): string[] {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

/** Every migration this release knows, in order: what `migrate --dry-run` lists as pending on an empty database. */
async function migrationNames(): Promise<string[]> {
  const empty = mkdtempSync(join(tmpdir(), 'duotoken-empty-'));
  try {
    const { code, stdout, stderr } = await runCli(['--json', 'migrate', '--dry-run'], { cwd: empty, env: {} });
    expect(code, stderr).toBe(0);
    return (JSON.parse(stdout) as { pending: string[] }).pending;
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

describe('#17 upgrading a database of the first schema version', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-upgrade-'));
  const database = join(cwd, 'data', 'duotoken.db');
  cpSync(FIXTURE, join(cwd, 'data'), { recursive: true });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  let all: string[] = [];
  beforeAll(async () => {
    all = await migrationNames();
  });

  it('#17 migrate --dry-run lists every later migration and changes nothing', async () => {
    expect(appliedMigrations(database)).toEqual([fixture.schema]);
    const { code, stdout, stderr } = await runCli(['--json', 'migrate', '--dry-run'], { cwd, env: {} });
    expect(code, stderr).toBe(0);
    const later = all.filter((name) => name > fixture.schema);
    expect(later.length).toBeGreaterThan(0);
    expect((JSON.parse(stdout) as { pending: string[] }).pending).toEqual(later);
    expect(appliedMigrations(database)).toEqual([fixture.schema]);
  });

  it("#17 serve migrates forward at start; the old release's session refreshes and its admin logs in", async () => {
    const server = await startServe(cwd, ENV);
    try {
      const refreshed = await fetch(`${server.url}/auth/refresh-token`, {
        method: 'POST',
        headers: { 'refresh-token': fixture.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      const pair = ((await refreshed.json()) as { data: { access_token: string } }).data;
      const me = await fetch(`${server.url}/auth/me`, { headers: { authorization: `Bearer ${pair.access_token}` } });
      expect(((await me.json()) as { data: { session: { id: string } } }).data.session.id).toBe(fixture.sessionId);
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account: fixture.account, password: fixture.password }),
      });
      expect(login.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(appliedMigrations(database)).toEqual(all);
    const { stdout } = await runCli(['--json', 'migrate', '--dry-run'], { cwd, env: {} });
    expect((JSON.parse(stdout) as { pending: string[] }).pending).toEqual([]);
  });
});
