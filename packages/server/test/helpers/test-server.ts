import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/parse-config.js';
import { createLogger } from '../../src/http/create-logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import type { CaptchaProvider } from '../../src/auth/captcha/captcha-provider.js';
import type { EphemeralStore } from '../../src/cache/ephemeral-store.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../src/store/store.js';
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

/**
 * Starts a test server. Defaults favour speed (cheap argon2) and keep every
 * check on; pass `DUOTOKEN_*` settings to change them.
 */
export async function startTestServer(env: Record<string, string> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'duotoken-test-'));
  const config = parseConfig({
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
  let store: Store | undefined;
  if (options.wrapStore) {
    const opened = openSqlite(join(dataDir, 'duotoken.db'));
    await migrateToLatest(opened);
    store = options.wrapStore(createStore(opened));
  }
  const runtime = await createRuntime(config, {
    clock,
    logger: createLogger(config, stream),
    store,
    ephemeral: options.ephemeral,
    captcha: options.captcha,
  });
  const address = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
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
}

/** A random secret of 32 bytes as base64url. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}
