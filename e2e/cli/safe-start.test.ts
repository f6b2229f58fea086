import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, runCli, startServe } from './cli-process.js';

const ENV = { DUOTOKEN_PORT: '0', DUOTOKEN_HOST: '127.0.0.1', DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_LOG_LEVEL: 'info' };
const serverVersion = (await import('../../packages/server/package.json', { with: { type: 'json' } })).default.version;

/** Runs the server as user `nobody` when this test runs as root (root may write anywhere). */
const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

describe('#17 safe start-up of `duotoken serve`', () => {
  const root = mkdtempSync(join(tmpdir(), 'duotoken-safe-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('#17 DUOTOKEN_ACESS_TTL=10s (a typo) refuses to start, naming DUOTOKEN_ACCESS_TTL', async () => {
    const failure = await startServe(folder('typo'), { ...ENV, DUOTOKEN_ACESS_TTL: '10s' }).catch((e: Error) => e.message);
    expect(failure).toMatch(/server exited with 78/);
    expect(failure).toMatch(/^DUOTOKEN_ACESS_TTL: unknown setting; did you mean DUOTOKEN_ACCESS_TTL\?$/m);
  });

  it('#17 the first-start admin password goes to stderr; stdout carries only JSON log lines; files 0600 in a 0700 folder', async () => {
    const cwd = folder('first');
    const server = await startServe(cwd, ENV);
    try {
      const password = /one-time admin password: (\S+)/.exec(server.stderr())?.[1];
      expect(password).toBeDefined();
      const stdoutLines = server.stdout().split('\n').filter(Boolean);
      expect(stdoutLines.length).toBeGreaterThan(0);
      for (const line of stdoutLines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      expect(server.stdout()).not.toContain(password);
      expect(statSync(join(cwd, 'data')).mode & 0o777).toBe(0o700);
      for (const file of ['duotoken.db', 'secret.key', 'duotoken.db.lock'])
        expect(statSync(join(cwd, 'data', file)).mode & 0o777, file).toBe(0o600);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('#17 a second server on the same SQLite data directory refuses to start while the first runs, and starts after it stopped', async () => {
    const cwd = folder('twice');
    const first = await startServe(cwd, ENV);
    let firstStopped = false;
    try {
      const second = await startServe(cwd, ENV).catch((e: Error) => e.message);
      expect(second).toMatch(/server exited with 1/);
      expect(second).toContain(`another duotoken server is running on ${join('data', 'duotoken.db')}`);
      // The first is unharmed.
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      expect(await first.stop()).toBe(0);
      firstStopped = true;
      const third = await startServe(cwd, ENV);
      expect((await fetch(`${third.url}/healthz`)).status).toBe(200);
      expect(await third.stop()).toBe(0);
    } finally {
      if (!firstStopped) await first.stop();
    }
  });

  it('#17 a data directory the server may not write, or cannot create, stops start-up naming the path', async () => {
    const cwd = folder('readonly');
    const dataDir = join(cwd, 'data');
    mkdirSync(dataDir);
    chmodSync(root, 0o755);
    chmodSync(cwd, 0o755);
    chmodSync(dataDir, 0o555);
    if (asNobody.length > 0) {
      // The checkout itself must be readable by nobody (a clone under a 0700 mktemp folder is not).
      const reach = spawnSync(asNobody[0]!, [
        ...asNobody.slice(1),
        process.execPath,
        '-e',
        `require('fs').accessSync(${JSON.stringify(BIN)})`,
      ]);
      expect(reach.status, `user nobody cannot run node or read ${BIN}; give the folders above it o+rx`).toBe(0);
    }
    const readOnly = await startServe(cwd, ENV, { runAs: asNobody }).catch((e: Error) => e.message);
    expect(readOnly).toMatch(/server exited with 78/);
    expect(readOnly).toContain(`data not writable by this process (EACCES)`);

    const file = join(cwd, 'a-file');
    writeFileSync(file, '');
    const missing = await startServe(cwd, { ...ENV, DUOTOKEN_DATA_DIR: join(file, 'data') }).catch((e: Error) => e.message);
    expect(missing).toMatch(/server exited with 78/);
    expect(missing).toContain(`${join(file, 'data')} cannot be created (ENOTDIR)`);
  });
});

describe('#17 the duotoken command line', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-cli-exit-'));
  const env = { DUOTOKEN_LOG_LEVEL: 'silent', DUOTOKEN_ADMIN_PASSWORD: 'a-long-admin-password' };
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('#17 duotoken --version prints the server package version', async () => {
    const { code, stdout } = await runCli(['--version'], { cwd, env });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(serverVersion);
  });

  it('#17 commands that match nothing exit non-zero', async () => {
    for (const args of [
      [],
      ['bogus'],
      ['user', 'bogus'],
      ['user', 'show', 'ghost'],
      ['sessions', 'revoke', 'admin', '--session', 'no-such-session'],
    ]) {
      const { code, stderr } = await runCli(args, { cwd, env });
      expect(code, args.join(' ')).not.toBe(0);
      expect(stderr, args.join(' ')).not.toBe('');
    }
  });
});
