import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, me, SETUP, startSecurityServer } from '../security/helpers/security-server.js';
import { codeNow, enrollTotp, loginNeedsMfa, verifyMfa } from './mfa-helpers.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** Administration of second factors (#15): list without secrets, reset (audited, ends the sessions), step-up, metrics. */
describe('MFA administration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_METRICS_TOKEN: METRICS_TOKEN });
    for (const account of ['una', 'vic'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  it('an admin lists a user’s factors without any secret, and a reset removes them, forgets the devices and ends the user’s sessions', async () => {
    const { secret, recoveryCodes } = await enrollTotp(server, 'una', 'una-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'una', 'una-password');
    const done = await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret), remember_device: true });
    const device_token = done.body.data.device_token!;
    const admin = bearer((await loginOk(server, ADMIN.account, ADMIN.password)).access_token);

    const listed = await call(server, 'GET', '/admin/users/una/mfa', { headers: admin });
    expect(listed.body.data).toEqual({ totp: true, passkeys: 0, recovery_codes_left: 10, remembered_devices: 1 });
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(secret);
    for (const code of recoveryCodes) expect(text).not.toContain(code);

    const reset = await call(server, 'DELETE', '/admin/users/una/mfa', { headers: admin });
    expect(reset.status).toBe(200);
    expect((await me(server, done.body.data.access_token)).status).toBe(401);
    expect((await call(server, 'GET', '/admin/users/una/mfa', { headers: admin })).body.data).toEqual({
      totp: false,
      passkeys: 0,
      recovery_codes_left: 0,
      remembered_devices: 0,
    });
    // The password alone logs in again (policy optional), device token or not.
    expect((await login(server, 'una', 'una-password', { device_token })).status).toBe(200);
    const events = await server.runtime.services.store.queryAuditEvents({ type: 'admin.action', limit: 20 });
    expect(events.some((e) => JSON.stringify(e.details).includes('user.mfa_reset'))).toBe(true);
  });

  it('an admin mutation needs step-up: 6 minutes after the admin’s login it answers 10063 until /auth/reauth', async () => {
    const pair = await loginOk(server, ADMIN.account, ADMIN.password);
    server.clock.advance(6 * 60);
    // Reads do not need it.
    expect((await call(server, 'GET', '/admin/users/vic/mfa', { headers: bearer(pair.access_token) })).status).toBe(200);
    const refused = await call(server, 'DELETE', '/admin/users/vic/mfa', { headers: bearer(pair.access_token) });
    expect(refused.body.code).toBe('10063');
    const renewed = await call<{ access_token: string }>(server, 'POST', '/auth/reauth', {
      headers: bearer(pair.access_token),
      json: { password: ADMIN.password },
    });
    expect((await call(server, 'DELETE', '/admin/users/vic/mfa', { headers: bearer(renewed.body.data.access_token) })).status).toBe(200);
  });

  it('metrics count second steps by outcome and method (duotoken_mfa_total)', async () => {
    const { secret } = await enrollTotp(server, 'vic', 'vic-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'vic', 'vic-password');
    await verifyMfa(server, { mfa_ticket, method: 'totp', code: '000000' });
    await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret) });
    const res = await server.fetch('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await res.text();
    expect(text).toMatch(/duotoken_mfa_total\{outcome="required",method="none"\} [1-9]/);
    expect(text).toMatch(/duotoken_mfa_total\{outcome="failure",method="totp"\} [1-9]/);
    expect(text).toMatch(/duotoken_mfa_total\{outcome="success",method="totp"\} [1-9]/);
    expect(text).toMatch(/duotoken_logins_total\{outcome="mfa_required"\} [1-9]/);
  });
});
