import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { call, loginStandard } from '@duotoken/test-kit/standard-client';

describe('seed 000 flow end to end', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DUOTOKEN_ACCESS_TTL: '15m', DUOTOKEN_REFRESH_TTL: '1h' });
  });
  afterAll(() => server.close());

  it('login → protected call → access expires → 10027 → refresh → retry → refresh expires → 10024 → login', async () => {
    const pair = await loginStandard(server, ADMIN.account, ADMIN.password);
    expect(pair.token_type).toBe('Bearer');
    expect(pair.expires_in).toBe(900);

    const me = await call<{ user: { account: string } }>(server, 'GET', '/auth/me', {
      headers: { authorization: `Bearer ${pair.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(me.body.data.user.account).toBe('admin');

    server.clock.advance(901);
    const expired = await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('10027');

    const refreshed = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data.refresh_token).not.toBe(pair.refresh_token);

    const retry = await call(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${refreshed.body.data.access_token}` } });
    expect(retry.status).toBe(200);

    server.clock.advance(3601);
    const dead = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: refreshed.body.data.refresh_token } });
    expect(dead.status).toBe(401);
    expect(dead.body.code).toBe('10024');

    const again = await loginStandard(server, ADMIN.account, ADMIN.password);
    expect(again.access_token).toBeTruthy();
  });
});
