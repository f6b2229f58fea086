import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verifier } from '@duotoken/verify';
import { call, captchaAnswer, totpCodeAt, type TestServer } from '@duotoken/test-kit';
import { createMember, eventually, login, startDuotoken, verifierOf, type Member } from './duotoken.js';
import type { TinyApp, TinyAppFactory } from './tiny-app.js';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function request(base: string, path: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** The conformance suite every framework adapter passes, against a real duotoken server. */
export function describeAdapter(name: string, makeApp: TinyAppFactory): void {
  describe(`${name} adapter`, () => {
    let server: TestServer;
    let verifier: Verifier;
    let app: TinyApp;
    let linApp: TinyApp;
    let member: Member;
    let viewer: Member;

    beforeAll(async () => {
      server = await startDuotoken();
      verifier = verifierOf(server);
      app = await makeApp(verifier, 'standard');
      linApp = await makeApp(verifier, 'lin-cms');
      member = await createMember(server, ['admin'], 2);
      viewer = await createMember(server, ['viewer']);
    });
    afterAll(async () => {
      await app?.close();
      await linApp?.close();
      verifier?.close();
      await server?.close();
    });

    it('lets a valid token through from a header, the URL or a form, and exposes the caller', async () => {
      const pair = await login(server, member);
      const expected = { userId: member.userId, companyId: member.companyIds[0], roles: ['admin'] };
      for (const init of [bearer(pair.access_token), { headers: { 'access-token': pair.access_token } }]) {
        const res = await request(app.url, '/me', init);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject(expected);
      }
      const byUrl = await request(app.url, `/me?access-token=${pair.access_token}`);
      expect(byUrl.body).toMatchObject(expected);
      const byForm = await request(app.url, '/me', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: pair.access_token }).toString(),
      });
      expect(byForm.status).toBe(200);
      expect(byForm.body).toMatchObject(expected);
    });

    it('answers a request without a token with 401, code 10025 and a Bearer challenge', async () => {
      const res = await request(app.url, '/me');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: '10025', data: null });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('answers a tampered token and a refresh token with 10028', async () => {
      const pair = await login(server, member);
      const [h, p, s] = pair.access_token.split('.');
      const tampered = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
      for (const token of [tampered, pair.refresh_token]) {
        const res = await request(app.url, '/me', bearer(token));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('10028');
        expect(res.headers.get('www-authenticate')).toContain('invalid_token');
      }
    });

    it('refuses a caller without the role or the company with 403 and 10030', async () => {
      const memberPair = await login(server, member);
      expect((await request(app.url, '/admin', bearer(memberPair.access_token))).status).toBe(200);
      expect((await request(app.url, '/company', bearer(memberPair.access_token))).status).toBe(200);
      const viewerPair = await login(server, viewer);
      const forbidden = await request(app.url, '/admin', bearer(viewerPair.access_token));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('10030');
      const lonerPair = await login(server, await createMember(server, [], 0));
      const noCompany = await request(app.url, '/company', bearer(lonerPair.access_token));
      expect(noCompany.status).toBe(403);
    });

    it('answers in the lin-cms shape with lin-cms codes when asked to', async () => {
      const missing = await request(linApp.url, '/me?x=1');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ code: 10000, request: 'GET /me' });
      expect(typeof missing.body.message).toBe('string');
      const viewerPair = await login(server, viewer);
      const forbidden = await request(linApp.url, '/admin', bearer(viewerPair.access_token));
      expect(forbidden).toMatchObject({ status: 403, body: { code: 10001 } });
      const damaged = await request(linApp.url, '/me', bearer(`${viewerPair.access_token}x`));
      expect(damaged).toMatchObject({ status: 401, body: { code: 10041 } });
    });

    it('accepts tokens of the old and the new key after a rotation', async () => {
      const before = await login(server, member);
      expect((await request(app.url, '/me', bearer(before.access_token))).status).toBe(200);
      await server.runtime.services.keyRing.rotate();
      const after = await login(server, member);
      expect(decodeProtectedHeader(after.access_token).kid).not.toBe(decodeProtectedHeader(before.access_token).kid);
      expect((await request(app.url, '/me', bearer(after.access_token))).status).toBe(200);
      expect((await request(app.url, '/me', bearer(before.access_token))).status).toBe(200);
    });

    it('refuses the token of a session revoked on the server within a second (pushed, not polled)', async () => {
      const pair = await login(server, member);
      expect((await request(app.url, '/me', bearer(pair.access_token))).status).toBe(200);
      const logout = await call(server, 'POST', '/auth/logout', { headers: { authorization: `Bearer ${pair.access_token}` } });
      expect(logout.status).toBe(200);
      await eventually(async () => {
        const res = await request(app.url, '/me', bearer(pair.access_token));
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('10028');
      }, 1_000);
      const lin = await request(linApp.url, '/me', bearer(pair.access_token));
      expect(lin.body.code).toBe(10050);
    });

    it('refuses a token superseded by a company switch, and admits its successor', async () => {
      const pair = await login(server, member);
      const switched = await call<{ access_token: string }>(server, 'POST', '/auth/change-company', {
        headers: { authorization: `Bearer ${pair.access_token}` },
        json: { company_id: member.companyIds[1] },
      });
      expect(switched.status).toBe(200);
      await eventually(async () => {
        expect((await request(app.url, '/me', bearer(pair.access_token))).body.code).toBe('10028');
      }, 1_000);
      const next = await request(app.url, '/me', bearer(switched.body.data.access_token));
      expect(next.body).toMatchObject({ companyId: member.companyIds[1] });
    });

    it('exposes amr and auth_time (RFC 8176); requireMfa refuses a password-only login with 10063 and admits one finished with TOTP; requireRecentAuth refuses it past its max age', async () => {
      const mfaUser = await createMember(server, ['admin']);
      const pair = await login(server, mfaUser);
      const loggedInAt = Math.floor(server.clock.now() / 1000);
      const plain = await request(app.url, '/me', bearer(pair.access_token));
      expect(plain.body).toMatchObject({ amr: ['pwd'], authTime: loggedInAt });
      const refused = await request(app.url, '/mfa', bearer(pair.access_token));
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ code: '10063' });
      expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_user_authentication"/);
      expect((await request(linApp.url, '/mfa', bearer(pair.access_token))).body).toMatchObject({ code: 10001 });

      const headers = { authorization: `Bearer ${pair.access_token}` };
      const secret = (await call<{ secret: string }>(server, 'POST', '/auth/mfa/totp/setup', { headers })).body.data.secret;
      await call(server, 'POST', '/auth/mfa/totp/enable', { headers, json: { code: totpCodeAt(secret, server.clock.now()) } });
      server.clock.advance(30);
      const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
      await (await server.fetch(`/auth/captcha?t=${t}`)).text();
      const first = await call<{ mfa_ticket: string }>(server, 'POST', '/auth/login', {
        json: { account: mfaUser.account, password: mfaUser.password, t, captcha: await captchaAnswer(server, t) },
      });
      expect(first.body.code).toBe('10060');
      const done = await call<{ access_token: string }>(server, 'POST', '/auth/mfa/verify', {
        json: { mfa_ticket: first.body.data.mfa_ticket, method: 'totp', code: totpCodeAt(secret, server.clock.now()) },
      });
      const strong = bearer(done.body.data.access_token);
      const admitted = await request(app.url, '/mfa', strong);
      expect(admitted.status).toBe(200);
      expect(admitted.body).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: Math.floor(server.clock.now() / 1000) });
      expect((await request(app.url, '/recent', strong)).status).toBe(200);
      server.clock.advance(301);
      const old = await request(app.url, '/recent', strong);
      expect(old.status).toBe(401);
      expect(old.body).toMatchObject({ code: '10063' });
    });

    it('answers an expired token with 10027 (10051 in lin-cms)', async () => {
      const pair = await login(server, member);
      server.clock.advance(server.runtime.config.accessTtl + 1);
      const res = await request(app.url, '/me', bearer(pair.access_token));
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('10027');
      const lin = await request(linApp.url, '/me', bearer(pair.access_token));
      expect(lin.body.code).toBe(10051);
    });
  });
}
