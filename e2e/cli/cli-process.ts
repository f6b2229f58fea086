import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI entry (`npm run build` must have run: `npm ci` does it through `prepare`). */
export const BIN = fileURLToPath(new URL('../../packages/server/bin/duotoken.js', import.meta.url));

/** The parent's environment without any DUOTOKEN_* setting: a child gets exactly the settings the test gives. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('DUOTOKEN_')) env[k] = v;
  return env;
}

/** Runs one CLI command to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; stdin?: string }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...baseEnv(), ...options.env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** A `duotoken serve` child process and the URL it listens on. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr as they arrived, interleaved. */
  output: () => string;
  /** stdout alone (the JSON log stream). */
  stdout: () => string;
  /** stderr alone. */
  stderr: () => string;
  stop(): Promise<number | null>;
}

/**
 * Starts `duotoken serve` and waits (bounded) until it logs its listening address; rejects with its output if it exits.
 * `runAs`: a command prefix such as setpriv's, to run the server as another user; `nodeArgs` go to node
 * before the script (e.g. `['--import', fixture]` to preload a module).
 */
export function startServe(
  cwd: string,
  env: Record<string, string>,
  options: { runAs?: string[]; nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = [...(options.runAs ?? []), process.execPath, ...(options.nodeArgs ?? []), BIN, 'serve'];
    const child = spawn(command!, args, { cwd, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 20 s:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1]!,
        output: () => out,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onData(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onData(d);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}
