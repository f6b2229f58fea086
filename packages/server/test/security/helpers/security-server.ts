import type { StandardTokenPair } from '@duotoken/protocol';
import { decodeJwt } from 'jose';
import { afterEach } from 'vitest';
import { call, type Answer } from '@duotoken/test-kit/standard-client';
import { startTestServer, type TestServer, type TestServerOptions } from '../../helpers/test-server.js';

/**
 * `startTestServer` with the captcha policy `off` unless asked (the battery
 * attacks the login itself; captcha tests set their policy).
 */
export function startSecurityServer(env: Record<string, string> = {}, overrides: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({ DUOTOKEN_CAPTCHA: 'off', ...env }, overrides);
}

/**
 * For a `describe` whose tests each start their own servers: returns a
 * `startSecurityServer` whose servers are closed after each test, each one
 * first prepared by `setup` (accounts…).
 */
export function serversPerTest(setup?: (server: TestServer) => Promise<void>) {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  return async (env: Record<string, string> = {}, overrides: TestServerOptions = {}): Promise<TestServer> => {
    const s = await startSecurityServer(env, overrides);
    servers.push(s);
    await setup?.(s);
    return s;
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
