import type { StandardTokenPair } from '@duotoken/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, loginStandard } from '@duotoken/test-kit/standard-client';
import { ADMIN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { dropSchema, PG_URL, uniqueSchema, warnNotRun, withSchema } from './store-targets.js';
import { TcpProxy } from './tcp-proxy.js';
import { within } from '../../../../e2e/scale-out/cluster.js';

if (!PG_URL) warnNotRun('DUOTOKEN_TEST_PG_URL', 'PostgreSQL outage');

/** PostgreSQL "goes down" behind a proxy (the shared server itself is never touched). */
describe.skipIf(!PG_URL)('PostgreSQL outage', () => {
  const schema = uniqueSchema('dtpg');
  let proxy: TcpProxy;
  let server: TestServer;
  let pair: StandardTokenPair;

  beforeAll(async () => {
    const target = new URL(PG_URL!);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    server = await startTestServer({ DUOTOKEN_DATABASE_URL: withSchema(target.toString(), schema), DUOTOKEN_RATE_LIMITS: 'off' });
    pair = await loginStandard(server, ADMIN.account, ADMIN.password);
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await dropSchema(PG_URL!, schema);
  });

  it('while it is down, database-backed endpoints answer 503 (10051) and /readyz says so; access checks go on for the allowed lag, then fail closed', async () => {
    proxy.cut();
    const refresh = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect(refresh.status).toBe(503);
    expect(refresh.body).toMatchObject({ code: '10051', data: null });
    const ready = await server.fetch('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', checks: { store: 'store_unavailable' } });
    // Access tokens are checked against the in-memory fence, not the database; but once the fence has not
    // read the revocations of other processes for DUOTOKEN_REVOCATION_MAX_LAG, it vouches for no token (#12.13).
    const verify = () => call(server, 'GET', '/auth/verify', { headers: { authorization: `Bearer ${pair.access_token}` } });
    expect(await within(2_000, async () => (await verify()).body.code === '10051'), 'forward-auth did not fail closed').toBe(true);
  });

  it('#13.4 while it is down, the outage is logged once with its cause, not once per failing request (no stack traces)', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await call(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
      expect(res.status).toBe(503);
    }
    const outage = server.logs.filter((line) => /store unavailable/.test(line));
    expect(outage).toHaveLength(1);
    expect(JSON.parse(outage[0]!)).toMatchObject({ level: 50, cause: { message: expect.any(String) } });
    // No request's log line carries the error (a stack trace per failing request was 3.2 MB in 6.5 s).
    expect(server.logs.filter((line) => line.includes('"reqId"') && line.includes('"err"'))).toEqual([]);
  });

  it('when it is back, the instance recovers by itself: the same refresh token works', async () => {
    proxy.restore();
    const refresh = await call<StandardTokenPair>(server, 'POST', '/auth/refresh-token', { json: { refresh_token: pair.refresh_token } });
    expect(refresh.status).toBe(200);
    expect(refresh.body.data.refresh_token).not.toBe(pair.refresh_token);
    // The fence opens again at its next read of the store.
    expect(await within(2_000, async () => (await server.fetch('/readyz')).status === 200)).toBe(true);
  });

  it('#13.4 the end of the outage is logged once, with how long it lasted and how many calls failed', async () => {
    const back = server.logs.filter((line) => /store available again/.test(line));
    expect(back).toHaveLength(1);
    expect(JSON.parse(back[0]!)).toMatchObject({ downMs: expect.any(Number), failures: expect.any(Number) });
  });
});
