import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { bearer, login, loginOk, refresh, SETUP, startSecurityServer } from '../security/helpers/security-server.js';
import { codeNow, enrollTotp, loginNeedsMfa, verifyMfa } from './mfa-helpers.js';

/**
 * Step-up (SPEC §9: recent authentication for sensitive changes, OWASP ASVS
 * V6.8 re-authentication), `amr`/`auth_time` claims (RFC 8176, OIDC Core §2)
 * and remembered devices that keep working until they expire (better-auth #2728).
 */
describe('step-up, authentication claims and remembered devices', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({ DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_PASSWORD_MIN_LENGTH: '8' });
    for (const account of ['sam', 'sue', 'rita', 'rolf', 'claire'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  const changePassword = (token: string, from: string, to: string) =>
    call(server, 'POST', '/auth/password', { headers: bearer(token), json: { old_password: from, new_password: to } });

  it('a password change 6 minutes after login answers 10063; after /auth/reauth it succeeds in the same session', async () => {
    const pair = await loginOk(server, 'sam', 'sam-password');
    server.clock.advance(6 * 60);
    const refused = await changePassword(pair.access_token, 'sam-password', 'sam-password-2');
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: '10063', data: { methods: ['password'] } });
    // A refresh keeps the session's auth_time: it is no way around step-up.
    const refreshed = await refresh(server, pair.refresh_token);
    expect((await changePassword(refreshed.body.data.access_token, 'sam-password', 'sam-password-2')).body.code).toBe('10063');
    const wrong = await call(server, 'POST', '/auth/reauth', {
      headers: bearer(refreshed.body.data.access_token),
      json: { password: 'nope-nope' },
    });
    expect(wrong.body.code).toBe('10020');
    const renewed = await call<{ access_token: string }>(server, 'POST', '/auth/reauth', {
      headers: bearer(refreshed.body.data.access_token),
      json: { password: 'sam-password' },
    });
    expect(renewed.status).toBe(200);
    const claims = decodeJwt(renewed.body.data.access_token);
    expect(claims.sid).toBe(decodeJwt(pair.access_token).sid);
    expect(claims.auth_time).toBe(Math.floor(server.clock.now() / 1000));
    expect((await changePassword(renewed.body.data.access_token, 'sam-password', 'sam-password-2')).status).toBe(200);
  });

  it('factor changes need step-up too, and 10063 names the second factors reauth accepts', async () => {
    const { secret, accessToken } = await enrollTotp(server, 'sue', 'sue-password');
    server.clock.advance(6 * 60);
    const refused = await call(server, 'DELETE', '/auth/mfa/totp', { headers: bearer(accessToken) });
    expect(refused.body).toMatchObject({ code: '10063', data: { methods: ['password', 'totp', 'recovery_code'] } });
    expect((await call(server, 'POST', '/auth/mfa/recovery-codes', { headers: bearer(accessToken) })).body.code).toBe('10063');
    const renewed = await call<{ access_token: string }>(server, 'POST', '/auth/reauth', {
      headers: bearer(accessToken),
      json: { method: 'totp', code: codeNow(server, secret) },
    });
    expect(renewed.status).toBe(200);
    expect(decodeJwt(renewed.body.data.access_token).amr).toEqual(['otp']);
    expect((await call(server, 'DELETE', '/auth/mfa/totp', { headers: bearer(renewed.body.data.access_token) })).status).toBe(200);
  });

  it('access tokens carry amr and auth_time (RFC 8176): pwd for a password login, pwd+otp+mfa after TOTP, kept by refresh', async () => {
    const plain = decodeJwt((await loginOk(server, 'claire', 'claire-password')).access_token);
    expect(plain.amr).toEqual(['pwd']);
    expect(plain.auth_time).toBe(Math.floor(server.clock.now() / 1000));
    const { secret } = await enrollTotp(server, 'rolf', 'rolf-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'rolf', 'rolf-password');
    const loggedInAt = Math.floor(server.clock.now() / 1000);
    const done = await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret) });
    expect(decodeJwt(done.body.data.access_token)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], auth_time: loggedInAt });
    server.clock.advance(120);
    const refreshed = await refresh(server, done.body.data.refresh_token);
    expect(decodeJwt(refreshed.body.data.access_token)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], auth_time: loggedInAt });
  });

  it('a remembered device skips the second step on three logins in a row, and not after a password change', async () => {
    const { secret } = await enrollTotp(server, 'rita', 'rita-password');
    const { mfa_ticket } = await loginNeedsMfa(server, 'rita', 'rita-password');
    const done = await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret), remember_device: true });
    const device_token = done.body.data.device_token!;
    expect(device_token).toMatch(/\./);
    let last = '';
    for (let i = 0; i < 3; i++) {
      server.clock.advance(24 * 3600);
      const res = await login(server, 'rita', 'rita-password', { device_token });
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.data.access_token).amr).toEqual(['pwd', 'mfa']);
      last = res.body.data.access_token;
    }
    // It is Rita's device: Rolf's login with it still needs Rolf's second factor.
    await loginNeedsMfa(server, 'rolf', 'rolf-password', { device_token });
    const res = await changePassword(last, 'rita-password', 'rita-password-2');
    expect(res.status).toBe(200);
    await loginNeedsMfa(server, 'rita', 'rita-password-2', { device_token });
  });

  it('a remembered device stops at DUOTOKEN_MFA_REMEMBER (30 d) and when its user forgets her devices', async () => {
    const { secret } = await enrollTotp(server, 'sam', 'sam-password-2');
    const remember = async () => {
      server.clock.advance(30);
      const { mfa_ticket } = await loginNeedsMfa(server, 'sam', 'sam-password-2');
      const r = await verifyMfa(server, { mfa_ticket, method: 'totp', code: codeNow(server, secret), remember_device: true });
      return { device_token: r.body.data.device_token!, access: r.body.data.access_token };
    };
    const first = await remember();
    server.clock.advance(30 * 86400 - 60);
    expect((await login(server, 'sam', 'sam-password-2', { device_token: first.device_token })).status).toBe(200);
    server.clock.advance(61);
    await loginNeedsMfa(server, 'sam', 'sam-password-2', { device_token: first.device_token });

    const second = await remember();
    expect((await login(server, 'sam', 'sam-password-2', { device_token: second.device_token })).status).toBe(200);
    const forgot = await call(server, 'DELETE', '/auth/mfa/devices', { headers: bearer(second.access) });
    expect(forgot.body.data).toEqual({ forgotten: 2 });
    await loginNeedsMfa(server, 'sam', 'sam-password-2', { device_token: second.device_token });
  });
});
