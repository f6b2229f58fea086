import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, refresh, startSecurityServer } from './helpers/security-server.js';

/**
 * No token, password or captcha answer reaches a log line, not even at
 * trace level, including tokens sent in the URL as seed 000 allows (OWASP
 * ASVS 5.0 V16.2.5 / V14.2.1 sensitive data in logs and URLs; CWE-532,
 * CWE-598; RFC 6750 §5.3).
 */
describe('secrets never reach the logs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_LOG_LEVEL: 'trace', DUOTOKEN_RATE_LIMITS: 'off' });
  });
  afterAll(() => server.close());

  it('tokens in URLs, headers, forms and bodies, passwords, and audit lines leave no secret in any log line', async () => {
    const pair = await loginOk(server, ADMIN.account, ADMIN.password);
    const secrets = [
      ADMIN.password,
      pair.access_token,
      pair.access_token.split('.')[2]!,
      pair.refresh_token,
      pair.refresh_token.split('.')[1]!,
    ];
    const forged = `${pair.access_token.slice(0, -4)}AAAA`;
    secrets.push(forged);

    for (const path of [
      `/auth/me?access-token=${pair.access_token}`,
      `/auth/me?access_token=${pair.access_token}&x=1`,
      `/auth/verify?access_token=${encodeURIComponent(pair.access_token)}`,
      `/auth/me?access-token=${forged}`,
      `/no/such/route?access_token=${pair.access_token}`,
      `/auth/refresh-token?refresh_token=${pair.refresh_token}`,
    ])
      await call(server, 'GET', path);
    await call(server, 'GET', '/auth/verify', {
      headers: { 'x-original-uri': `/app?access-token=${pair.access_token}`, 'access-token': forged },
    });
    await call(server, 'POST', '/auth/verify', { form: { access_token: pair.access_token } });
    await call(server, 'GET', '/auth/me', { headers: bearer(pair.access_token) });
    await login(server, ADMIN.account, 'a-wrong-password-123');
    secrets.push('a-wrong-password-123');
    const next = await refresh(server, pair.refresh_token);
    secrets.push(next.body.data.refresh_token, next.body.data.access_token);
    await call(server, 'POST', '/auth/refresh-token', { headers: { 'refresh-token': next.body.data.refresh_token } });
    await call(server, 'POST', '/auth/password', {
      headers: bearer(next.body.data.access_token),
      json: { old_password: ADMIN.password, new_password: 'brand-new-admin-password' },
    });
    secrets.push('brand-new-admin-password');

    expect(server.logs.length).toBeGreaterThan(20);
    expect(server.logs.some((l) => l.includes('"audit"'))).toBe(true);
    for (const line of server.logs)
      for (const secret of secrets) expect(line.includes(secret), `log line carries a secret: ${line.slice(0, 200)}`).toBe(false);
    // The URLs are still logged, with the token values replaced.
    expect(server.logs.some((l) => l.includes('access-token=[REDACTED]'))).toBe(true);
  });

  it('the audit trail in the database holds no secret either', async () => {
    const rows = await server.runtime.services.store.queryAuditEvents({ limit: 500 });
    const text = JSON.stringify(rows);
    for (const secret of [ADMIN.password, 'a-wrong-password-123', 'brand-new-admin-password']) expect(text.includes(secret)).toBe(false);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
