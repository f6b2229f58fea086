import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, type ServerProcess } from './cli-process.js';

const PASSWORD = 'correct horse battery staple';
const ENV = {
  DUOTOKEN_PORT: '0',
  DUOTOKEN_HOST: '127.0.0.1',
  DUOTOKEN_CAPTCHA: 'off',
  DUOTOKEN_RATE_LIMITS: 'off',
  DUOTOKEN_LOG_LEVEL: 'info',
  DUOTOKEN_ADMIN_PASSWORD: PASSWORD,
  DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
  DUOTOKEN_ARGON2_ITERATIONS: '1',
};

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits what a server wrote on one connection into HTTP/1.1 responses (Content-Length bodies only). */
function parseResponses(raw: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') });
    rest = rest.subarray(end + 4 + length);
  }
}

/** A raw connection that keeps everything the server writes. */
async function rawConnection(url: string): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => Buffer.concat(chunks), closed };
}

async function login(url: string): Promise<{ access_token: string; refresh_token: string }> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account: 'admin', password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { access_token: string; refresh_token: string } }).data;
}

describe('duotoken serve: SIGTERM under load (#13.4)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'duotoken-drain-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('#13.4 requests during the drain get 503 with the 10051 envelope, a rotation in flight completes and survives the restart, exit 0', async () => {
    const server: ServerProcess = await startServe(cwd, ENV);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    const pair = await login(server.url);

    // Two refreshes whose bodies are still arriving when SIGTERM comes: the drain must wait for them.
    const holdRefresh = async (refreshToken: string) => {
      const connection = await rawConnection(server.url);
      const body = JSON.stringify({ refresh_token: refreshToken });
      connection.socket.write(
        `POST /auth/refresh-token HTTP/1.1\r\nhost: duotoken\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      return { ...connection, rest: body.slice(10) };
    };
    const held = await holdRefresh(pair.refresh_token);
    const quiet = await holdRefresh((await login(server.url)).refresh_token);

    // Load: keep-alive connections checking the access token as fast as they can.
    let stop = false;
    const answers: Array<{ status: number; body: string }> = [];
    const loops = Array.from({ length: 8 }, async () => {
      while (!stop) {
        try {
          const res = await fetch(`${server.url}/auth/verify`, { headers: { authorization: `Bearer ${pair.access_token}` } });
          answers.push({ status: res.status, body: await res.text() });
        } catch {
          return; // the listener is closed: the load balancer would move on
        }
      }
    });
    await sleep(300);

    server.child.kill('SIGTERM');
    for (let i = 0; i < 200 && !server.output().includes('shutting down'); i++) await sleep(10);
    expect(server.output()).toContain('shutting down');
    // The rest of one held refresh with a request pipelined behind it (it arrives during the drain)…
    held.socket.write(`${held.rest}GET /auth/verify HTTP/1.1\r\nhost: duotoken\r\nauthorization: Bearer ${pair.access_token}\r\n\r\n`);
    // …and of the other, alone: its keep-alive connection, idle once answered, must not hold the
    // drain open until the 10 s timeout (exit 1).
    quiet.socket.write(quiet.rest);

    expect(await exited).toBe(0);
    stop = true;
    await Promise.all(loops);
    await Promise.all([held.closed, quiet.closed]);
    expect(parseResponses(quiet.received()).map((r) => r.status)).toEqual([200]);

    const [rotated, drained] = parseResponses(held.received());
    expect(rotated?.status).toBe(200);
    expect(drained?.status).toBe(503);
    expect(JSON.parse(drained!.body)).toEqual({ code: '10051', msg: expect.any(String), data: null });
    expect(drained?.headers.connection).toBe('close');

    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      if (answer.status === 200) continue;
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ code: '10051', data: null });
    }

    // The rotation acknowledged during the drain was committed: its successor works after a restart.
    const successor = (JSON.parse(rotated!.body) as { data: { refresh_token: string } }).data.refresh_token;
    const restarted = await startServe(cwd, ENV);
    try {
      const res = await fetch(`${restarted.url}/auth/refresh-token`, { method: 'POST', headers: { 'refresh-token': successor } });
      expect(res.status).toBe(200);
    } finally {
      expect(await restarted.stop()).toBe(0);
    }
  });
});
