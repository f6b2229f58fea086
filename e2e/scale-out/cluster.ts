import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { baseEnv, BIN } from '../cli/cli-process.js';

/** The built CLI entry; the e2e runs the real `duotoken serve` from `dist`. */
const DIST_MARKER = fileURLToPath(new URL('../../packages/server/dist/sessions/fence-bus.js', import.meta.url));

/** Throws a clear message when `npm run build` has not produced this feature's dist. */
export function assertBuilt(): void {
  if (!existsSync(DIST_MARKER))
    throw new Error(`e2e/scale-out needs the built server: run \`npm run build\` first (missing ${DIST_MARKER})`);
}

/** One `duotoken serve` process of the cluster. */
export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (JSON log lines). */
  output(): string;
  /** SIGTERM, then waits (at most 15 s, then SIGKILL) for the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `duotoken serve` on a free port and waits (at most 30 s) until it listens. */
export function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: { ...baseEnv(), ...env, DUOTOKEN_PORT: '0', DUOTOKEN_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance ${name} did not start within 30 s:\n${out}`));
    }, 30_000);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      resolve({ name, url: match[1]!, child, output: () => out, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited with ${code} before listening:\n${out}`));
    });
  });
}

/** A JSON request to an instance; the standard envelope parsed. */
export async function request<T = unknown>(
  instance: Instance,
  method: string,
  path: string,
  options: { json?: unknown; token?: string } = {},
): Promise<{ status: number; code: string; data: T }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${instance.url}${path}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : {}) as { code?: string; data?: T };
  return { status: res.status, code: body.code ?? '', data: body.data as T };
}

/** Polls `probe` every 20 ms until it returns true or `ms` have passed; true when it did. */
export async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The `sid` claim of an access token (read, not verified: the test minted it through the server). */
export function sessionIdOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
}
