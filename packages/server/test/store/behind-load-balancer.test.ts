import type { StandardTokenPair } from '@duotoken/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/parse-config.js';
import { call, captchaAnswer } from '@duotoken/test-kit/standard-client';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';

/** Logs in with an `X-Forwarded-For` header and returns the address the server recorded for the session. */
async function recordedAddress(server: TestServer, forwardedFor: string): Promise<string | null> {
  const headers = { 'x-forwarded-for': forwardedFor };
  const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t', { headers })).body.data.t;
  await (await server.fetch(`/auth/captcha?t=${t}`, { headers })).text();
  const captcha = await captchaAnswer(server, t);
  const login = await call<StandardTokenPair>(server, 'POST', '/auth/login', { headers, json: { ...ADMIN, t, captcha } });
  expect(login.status).toBe(200);
  const sessions = await call<Array<{ ip: string | null; current: boolean }>>(server, 'GET', '/auth/sessions', {
    headers: { authorization: `Bearer ${login.body.data.access_token}` },
  });
  return sessions.body.data.find((s) => s.current)!.ip;
}

describe('behind a load balancer (DUOTOKEN_TRUST_PROXY)', () => {
  let server: TestServer | undefined;
  afterEach(() => server?.close());

  it('by default X-Forwarded-For is ignored: a client cannot choose its address', async () => {
    server = await startTestServer();
    expect(await recordedAddress(server, '203.0.113.7')).toBe('127.0.0.1');
  });

  it('with the proxy trusted, the client address is the forwarded one', async () => {
    server = await startTestServer({ DUOTOKEN_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' });
    expect(await recordedAddress(server, '203.0.113.7')).toBe('203.0.113.7');
  });

  it('a malformed value stops start-up naming the variable', () => {
    expect(() => parseConfig({ DUOTOKEN_TRUST_PROXY: 'sometimes' })).toThrow(/DUOTOKEN_TRUST_PROXY/);
    expect(parseConfig({ DUOTOKEN_TRUST_PROXY: 'on' }).trustProxy).toBe(true);
  });
});
