import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServerProcess } from './cli-process.js';

const ADMIN_PASSWORD = 'a-long-admin-password';
const ENV = {
  DUOTOKEN_PORT: '0',
  DUOTOKEN_HOST: '127.0.0.1',
  DUOTOKEN_CAPTCHA: 'off',
  DUOTOKEN_RATE_LIMITS: 'off',
  DUOTOKEN_ADMIN_PASSWORD: ADMIN_PASSWORD,
  DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
  DUOTOKEN_ARGON2_ITERATIONS: '1',
  DUOTOKEN_LOG_LEVEL: 'info', // startServe waits for the "listening" line
};
const SESSIONS = 8;
interface Pair {
  access_token: string;
  refresh_token: string;
}

async function login(url: string): Promise<Pair> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: 'admin', password: ADMIN_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Pair }).data;
}

async function refresh(url: string, refreshToken: string): Promise<{ status: number; pair?: Pair }> {
  const res = await fetch(`${url}/auth/refresh-token`, { method: 'POST', headers: { 'refresh-token': refreshToken } });
  const body = (await res.json()) as { data: Pair | null };
  return res.status === 200 ? { status: 200, pair: body.data! } : { status: res.status };
}

describe('#17 duotoken backup / restore (SQLite online backup API)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-backup-'));
  const backupFile = join(cwd, 'backup.db');
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('#17 a backup taken under refresh load restores with every rotation acknowledged before it began; every session continues', async () => {
    server = await startServe(cwd, ENV);
    const url = server.url;
    // chains[i]: the refresh tokens session i was given, oldest first, each acknowledged (HTTP 200) by the server.
    const chains: string[][] = [];
    for (let i = 0; i < SESSIONS; i++) chains.push([(await login(url)).refresh_token]);

    let stop = false;
    const failures: number[] = [];
    const rotations = chains.map(async (chain) => {
      while (!stop) {
        const { status, pair } = await refresh(url, chain.at(-1)!);
        if (status !== 200) {
          failures.push(status);
          stop = true;
        } else chain.push(pair!.refresh_token);
      }
    });
    const rotatedBefore = async (count: number) => {
      while (!stop && chains.some((c) => c.length < count)) await new Promise((r) => setTimeout(r, 10));
    };
    // A reader holding an old snapshot (a long report, an open sqlite3 shell) keeps checkpoints from
    // moving the newest pages into the database file: only the WAL has them, as on a busy server.
    const reader = new SqliteDatabase(join(cwd, 'data', 'duotoken.db'), { readonly: true });
    reader.exec('begin');
    reader.prepare('select count(*) from sessions').get();
    await rotatedBefore(20);
    // Every rotation acknowledged before the backup starts must be in it.
    const ackedAtStart = chains.map((c) => c.length - 1);
    const backup = await runCli(['backup', backupFile], { cwd, env: ENV });
    const ackedAtEnd = chains.map((c) => c.length - 1);
    reader.exec('commit');
    reader.close();
    await rotatedBefore(Math.max(...ackedAtEnd) + 5);
    stop = true;
    await Promise.all(rotations);
    expect(failures).toEqual([]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    // The load really overlapped the backup.
    expect(ackedAtEnd.some((n, i) => n > ackedAtStart[i]!)).toBe(true);

    // One consistent snapshot: a whole file, and every consumed token's successor is in it too.
    const copy = new SqliteDatabase(backupFile, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const orphans = copy
        .prepare(
          `select count(*) as n from refresh_tokens t where t.successor_jti is not null
             and not exists (select 1 from refresh_tokens s where s.jti = t.successor_jti)`,
        )
        .get() as { n: number };
      expect(orphans.n).toBe(0);
    } finally {
      copy.close();
    }

    expect(await server.stop()).toBe(0);
    server = undefined;
    const restore = await runCli(['restore', backupFile], { cwd, env: ENV });
    expect(restore.code, restore.stderr).toBe(0);
    server = await startServe(cwd, ENV);

    for (const [i, chain] of chains.entries()) {
      // Newest first: tokens issued after the snapshot are unknown to it (refused, harmlessly); the
      // first one it knows is its newest, unconsumed, so it rotates. An older one would be a reuse.
      let continuedAt = -1;
      let next: Pair | undefined;
      for (let k = chain.length - 1; k >= 0 && continuedAt < 0; k--) {
        const { status, pair } = await refresh(server.url, chain[k]!);
        if (status === 200) [continuedAt, next] = [k, pair];
        else expect(status).toBe(401);
      }
      expect(continuedAt, `session ${i}`).toBeGreaterThanOrEqual(ackedAtStart[i]!);
      expect(continuedAt, `session ${i}`).toBeLessThanOrEqual(ackedAtEnd[i]!);
      // The session goes on: its new tokens work.
      const me = await fetch(`${server.url}/auth/me`, { headers: { authorization: `Bearer ${next!.access_token}` } });
      expect(me.status).toBe(200);
      expect((await refresh(server.url, next!.refresh_token)).status).toBe(200);
    }
  }, 120_000);

  it('#17 restore is refused while a server runs on the database, and backup never overwrites a file', async () => {
    expect(server).toBeDefined();
    const restore = await runCli(['restore', backupFile], { cwd, env: ENV });
    expect(restore.code).not.toBe(0);
    expect(restore.stderr).toContain('another duotoken server is running on');
    const again = await runCli(['backup', backupFile], { cwd, env: ENV });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('exists already');
  });

  it('#17 restore is refused when the server secret here cannot open the backup', async () => {
    const other = mkdtempSync(join(cwd, 'other-'));
    const restore = await runCli(['restore', backupFile], {
      cwd: other,
      env: { ...ENV, DUOTOKEN_SECRET: Buffer.alloc(32, 7).toString('base64url') },
    });
    expect(restore.code).not.toBe(0);
    expect(restore.stderr).toContain('is not the one of the backup');
  });

  it('#17 backup of a PostgreSQL store points to pg_dump', async () => {
    const result = await runCli(['backup', join(cwd, 'pg.db')], {
      cwd,
      env: { ...ENV, DUOTOKEN_DATABASE_URL: 'postgres://127.0.0.1:1/none' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('pg_dump');
  });
});
