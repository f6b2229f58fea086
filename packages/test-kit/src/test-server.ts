import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CaptchaProvider, EphemeralStore, Runtime, Store } from '@duotoken/server';
import type * as Server from '@duotoken/server';
import { FakeClock } from './fake-clock.js';

export const ADMIN = { account: 'admin', password: 'correct horse battery staple' };

/** A real duotoken listening on 127.0.0.1 with a fresh SQLite file, a fake clock and captured logs. */
export interface TestServer {
  url: string;
  clock: FakeClock;
  runtime: Runtime;
  /** Every log line written so far (raw JSON text). */
  logs: string[];
  dataDir: string;
  /** fetch against the server; `path` is joined to `url`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** What a test may inject besides settings. */
export interface TestServerOptions {
  /** Reuse a data folder (restarts); it is then not removed on close. */
  dataDir?: string;
  clock?: FakeClock;
  /** A shared EphemeralStore (several servers on one state). */
  ephemeral?: EphemeralStore;
  /** Wraps the real, migrated store (e.g. to make it fail on demand). */
  wrapStore?: (store: Store) => Store;
  /** Another captcha than the default. */
  captcha?: CaptchaProvider;
}

/** The server functions a test server is made of: the package's exports, or (in the server's own tests) its sources. */
export type ServerModule = Pick<typeof Server, 'parseConfig' | 'createRuntime' | 'createLogger'>;

/**
 * `startTestServer` over `server`. Defaults favour speed (cheap argon2) and
 * keep every check on; pass `DUOTOKEN_*` settings to change them.
 */
export function testServerStarter(server: ServerModule) {
  return async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'duotoken-test-'));
    const config = server.parseConfig({
      DUOTOKEN_DATA_DIR: dataDir,
      DUOTOKEN_PORT: '0',
      DUOTOKEN_HOST: '127.0.0.1',
      DUOTOKEN_ADMIN_PASSWORD: ADMIN.password,
      DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
      DUOTOKEN_ARGON2_ITERATIONS: '1',
      DUOTOKEN_LOG_LEVEL: 'info',
      ...env,
    });
    const logs: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const clock = options.clock ?? new FakeClock();
    const runtime = await server.createRuntime(config, {
      clock,
      logger: server.createLogger(config, stream),
      wrapStore: options.wrapStore,
      ephemeral: options.ephemeral,
      captcha: options.captcha,
    });
    // Port 0 (any) unless the test chose one (DUOTOKEN_PORT), e.g. to name its origin in settings before start-up.
    const address = await runtime.app.listen({ port: config.port, host: '127.0.0.1' });
    return {
      url: address,
      clock,
      runtime,
      logs,
      dataDir,
      fetch: (path, init) => fetch(`${address}${path}`, init),
      async close() {
        await runtime.close();
        if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  };
}

/** A random secret of 32 bytes as base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
