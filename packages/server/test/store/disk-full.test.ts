import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, refresh, startSecurityServer } from '../security/helpers/security-server.js';
import { warnNotRun } from './store-targets.js';

/** Mounts a tmpfs of `size` on a fresh folder; throws where mounting is not allowed (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(size: string): { dir: string; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'duotoken-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canMountTmpfs(): boolean {
  try {
    mountTmpfs('64k').unmount();
    return true;
  } catch {
    return false;
  }
}

/** Writes zeros into `path` until the file system says ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const logsMatching = (server: TestServer, pattern: RegExp) => server.logs.filter((line) => pattern.test(line));

const MOUNTABLE = canMountTmpfs();
if (!MOUNTABLE) warnNotRun('root (mount -t tmpfs)', 'the full-disk test');

/**
 * #13.1: the SQLite file on a real file system that fills up (a 4 MiB tmpfs).
 * Before the fix, SQLite rolled back by itself on SQLITE_FULL, Kysely's own
 * ROLLBACK then failed ("cannot rollback - no transaction is active"), that
 * error replaced the real one and every write answered 500; `/readyz` only
 * read, so it kept saying ready.
 */
describe.skipIf(!MOUNTABLE)('disk full (SQLite on a small tmpfs)', () => {
  let disk: { dir: string; unmount(): void };
  let server: TestServer;
  let pair: StandardTokenPair;
  const filler = () => join(disk.dir, 'filler');

  beforeAll(async () => {
    disk = mountTmpfs('4m');
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off' }, { dataDir: disk.dir });
    pair = await loginOk(server, ADMIN.account, ADMIN.password);
  });
  afterAll(async () => {
    await server?.close();
    disk?.unmount();
  });

  it('#13.1 writes answer 503/10051 (never 500) with SQLITE_FULL logged once per outage, reads go on, /readyz says unavailable', async () => {
    fillDisk(filler());
    // The WAL may still have room inside its current size: rotate until a write needs a new block.
    const statuses = new Map<number, number>();
    let failed: Awaited<ReturnType<typeof refresh>> | undefined;
    for (let i = 0; i < 2_000 && !failed; i++) {
      const res = await refresh(server, pair.refresh_token);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 200) pair = res.body.data;
      else failed = res;
    }
    expect(failed?.status).toBe(503);
    expect(failed?.body).toMatchObject({ code: '10051', data: null });
    expect([...statuses.keys()].filter((status) => status !== 200 && status !== 503)).toEqual([]);

    // Readiness says so at once: its probe (a write larger than any request's) finds no room either.
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { store: 'store_unavailable' } });

    // Reads and token-only checks still work.
    expect((await me(server, pair.access_token)).status).toBe(200);
    expect((await server.fetch('/auth/verify', { headers: bearer(pair.access_token) })).status).toBe(200);

    // Further writes fail the same way. A checkpoint that rewinds the WAL can give a write room inside the
    // WAL file again (the file system stays full), so a write may also succeed — never anything else.
    const again = await refresh(server, pair.refresh_token);
    if (again.status === 200) pair = again.body.data;
    else expect(again).toMatchObject({ status: 503, body: { code: '10051', data: null } });
    const relogin = await login(server, ADMIN.account, ADMIN.password);
    if (relogin.status !== 200) expect(relogin).toMatchObject({ status: 503, body: { code: '10051', data: null } });

    // The real cause, logged per outage: not Kysely's failed ROLLBACK, not a line per request.
    expect(logsMatching(server, /cannot rollback/)).toEqual([]);
    expect(logsMatching(server, /internal error/)).toEqual([]);
    const down = logsMatching(server, /store unavailable/);
    const up = logsMatching(server, /store available again/);
    expect(down.length).toBeGreaterThanOrEqual(1);
    expect(down.length).toBeLessThanOrEqual(up.length + 1);
    for (const line of down) expect(JSON.parse(line)).toMatchObject({ cause: { code: 'SQLITE_FULL' } });
  });

  it('#13.1 once the disk has room again, /readyz is ready and the same refresh token rotates: no session lost', async () => {
    rmSync(filler());
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(200);
    const res = await refresh(server, pair.refresh_token);
    expect(res.status).toBe(200);
    expect((await refresh(server, res.body.data.refresh_token)).status).toBe(200);
    expect(logsMatching(server, /store available again/)).toHaveLength(1);
  });
});
