import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe } from './cli-process.js';

const ENV = { DUOTOKEN_PORT: '0', DUOTOKEN_HOST: '127.0.0.1', DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_LOG_LEVEL: 'info' };

describe('duotoken serve (the process behind npm start)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-serve-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('first start creates ./data, prints the one-time admin password once; a restart reuses keys and data', async () => {
    const first = await startServe(cwd, ENV);
    const printed = /one-time admin password: (\S+)/.exec(first.output());
    expect(printed).not.toBeNull();
    const password = printed![1]!;
    // The password is printed to the terminal, never into a JSON log line.
    expect(
      first
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes(password)),
    ).toEqual([]);
    expect(existsSync(join(cwd, 'data', 'duotoken.db'))).toBe(true);
    expect(statSync(join(cwd, 'data', 'secret.key')).mode & 0o777).toBe(0o600);

    const login = await fetch(`${first.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'admin', password }),
    });
    expect(login.status).toBe(200);
    const pair = ((await login.json()) as { data: { access_token: string; refresh_token: string } }).data;
    expect(await first.stop()).toBe(0);

    const second = await startServe(cwd, ENV);
    try {
      expect(second.output()).not.toContain('one-time admin password');
      const me = await fetch(`${second.url}/auth/me`, { headers: { authorization: `Bearer ${pair.access_token}` } });
      expect(me.status).toBe(200);
      const refreshed = await fetch(`${second.url}/auth/refresh-token`, {
        method: 'POST',
        headers: { 'refresh-token': pair.refresh_token },
      });
      expect(refreshed.status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('a bad setting stops start-up with one line naming it', async () => {
    const failure = await startServe(cwd, { ...ENV, DUOTOKEN_ACCESS_TTL: 'soon', DUOTOKEN_CAPTCHA: 'maybe' }).catch(
      (e: Error) => e.message,
    );
    expect(failure).toMatch(/server exited with 78/);
    expect(failure).toMatch(/^DUOTOKEN_ACCESS_TTL \(config key "access_ttl"\): must be seconds/m);
    expect(failure).toMatch(/^DUOTOKEN_CAPTCHA \(config key "captcha"\): must be one of/m);
  });
});
