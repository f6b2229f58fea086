import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServerProcess } from '../cli/cli-process.js';

const STEPPER = fileURLToPath(new URL('./fixtures/stepped-date-now.mjs', import.meta.url));
const PASSWORD = 'stepped clock admin password';

type Answer = { status: number; body: { code: string; data: { access_token: string; refresh_token: string } } };

/**
 * A real `duotoken serve` process whose wall clock is stepped backwards by a
 * preloaded module (`node --import`), as NTP or a resumed VM would step it:
 * the grace window must not stretch (issue #13, item 3).
 */
describe('duotoken serve with its wall clock stepped back', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-clock-'));
  const offsetFile = join(cwd, 'clock-offset-ms');
  let server: ServerProcess;

  beforeAll(async () => {
    writeFileSync(offsetFile, '0');
    server = await startServe(
      cwd,
      {
        DUOTOKEN_PORT: '0',
        DUOTOKEN_HOST: '127.0.0.1',
        DUOTOKEN_CAPTCHA: 'off',
        DUOTOKEN_ADMIN_PASSWORD: PASSWORD,
        DUOTOKEN_REFRESH_GRACE: '10s',
        STEPPED_CLOCK_FILE: offsetFile,
      },
      { nodeArgs: ['--import', STEPPER] },
    );
  });
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    rmSync(cwd, { recursive: true, force: true });
  });

  const post = async (path: string, json: Record<string, string>): Promise<Answer> => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const login = () => post('/auth/login', { account: 'admin', password: PASSWORD });
  const refresh = (token: string) => post('/auth/refresh-token', { refresh_token: token });

  /** Steps the process's wall clock to real time + `offsetMs` and waits (bounded) until it has. */
  async function stepClock(offsetMs: number): Promise<void> {
    writeFileSync(offsetFile, String(offsetMs));
    server.child.kill('SIGUSR2');
    for (let i = 0; i < 200 && !server.output().includes(`stepped-clock: offset ${offsetMs} ms`); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(server.output()).toContain(`stepped-clock: offset ${offsetMs} ms`);
  }

  it('#13.3 a replay 11 s after the clock stepped back 60 s is reuse, although the rotation "happened 49 s in the future"', async () => {
    const pair = (await login()).body.data;
    const rotated = await refresh(pair.refresh_token);
    expect(rotated.status).toBe(200);
    // Unstepped, a retry inside the window is a grace hit: the same successor.
    expect((await refresh(pair.refresh_token)).body.data.refresh_token).toBe(rotated.body.data.refresh_token);

    // 60 s back, then 11 s of (simulated) waiting: the process reads 49 s before the rotation.
    await stepClock(-60_000 + 11_000);
    const stepped = (await login()).body.data;
    expect(Number(decodeJwt(stepped.access_token).iat)).toBeLessThan(Date.now() / 1000 - 40);

    const replay = await refresh(pair.refresh_token);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('10024');
    // The session is gone: the legitimate successor is refused too.
    expect((await refresh(rotated.body.data.refresh_token)).body.code).toBe('10024');
  });
});
