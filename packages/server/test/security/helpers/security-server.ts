import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeJwt } from 'jose';
import type { EphemeralStore } from '../../../src/cache/ephemeral-store.js';
import { parseConfig } from '../../../src/config/parse-config.js';
import { createLogger } from '../../../src/http/create-logger.js';
import { createRuntime } from '../../../src/runtime.js';
import { migrateToLatest } from '../../../src/store/migrate.js';
import { openSqlite } from '../../../src/store/open-sqlite.js';
import { createStore, type Store } from '../../../src/store/store.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { call, type Answer } from '../../helpers/standard-client.js';
import { ADMIN, type TestServer } from '../../helpers/test-server.js';

/** What `startTestServer` cannot inject: a shared EphemeralStore, a wrapped Store. */
export interface SecurityOverrides {
  ephemeral?: EphemeralStore;
  /** Wraps the real, migrated store (e.g. to make it fail on demand). */
  wrapStore?: (store: Store) => Store;
  clock?: FakeClock;
}

/**
 * Like `startTestServer` (fresh SQLite, fake clock, captured logs, cheap
 * argon2, captcha off unless asked), with injectable store and ephemeral store.
 */
export async function startSecurityServer(env: Record<string, string> = {}, overrides: SecurityOverrides = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'duotoken-sec-'));
  const config = parseConfig({
    DUOTOKEN_DATA_DIR: dataDir,
    DUOTOKEN_PORT: '0',
    DUOTOKEN_HOST: '127.0.0.1',
    DUOTOKEN_ADMIN_PASSWORD: ADMIN.password,
    DUOTOKEN_ARGON2_MEMORY_KIB: '1024',
    DUOTOKEN_ARGON2_ITERATIONS: '1',
    DUOTOKEN_CAPTCHA: 'off',
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
  const opened = openSqlite(join(dataDir, 'duotoken.db'));
  await migrateToLatest(opened);
  const real = createStore(opened);
  const store = overrides.wrapStore ? overrides.wrapStore(real) : real;
  const clock = overrides.clock ?? new FakeClock();
  const runtime = await createRuntime(config, { clock, logger: createLogger(config, stream), store, ephemeral: overrides.ephemeral });
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
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POST /auth/login without a challenge (captcha policy `off`). */
export function login(server: TestServer, account: string, password: string, extra: Record<string, unknown> = {}) {
  return call<StandardTokenPair>(server, 'POST', '/auth/login', { json: { account, password, ...extra } });
}

/** Logs in and fails the test unless it worked. */
export async function loginOk(server: TestServer, account: string, password: string, extra: Record<string, unknown> = {}) {
  const res = await login(server, account, password, extra);
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** GET /auth/me with a token. */
export function me(server: TestServer, token: string): Promise<Answer> {
  return call(server, 'GET', '/auth/me', { headers: bearer(token) });
}

/** POST /auth/refresh-token with a refresh token in the body. */
export function refresh(server: TestServer, token: string) {
  return call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', { json: { refresh_token: token } });
}

/** The session id of an access token. */
export const sidOf = (accessToken: string) => String(decodeJwt(accessToken).sid);

/** The system actor of direct service calls in test setup. */
export const SETUP = { userId: null, ip: null };
