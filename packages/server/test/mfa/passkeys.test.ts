import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@duotoken/test-kit/standard-client';
import type { TestServer } from '../helpers/test-server.js';
import { bearer, loginOk, SETUP, startSecurityServer } from '../security/helpers/security-server.js';
import { loginNeedsMfa, verifyMfa } from './mfa-helpers.js';
import { SoftAuthenticator } from '@duotoken/test-kit/soft-authenticator';

const HERE = { origin: 'http://localhost:5173', rpId: 'localhost' };

/**
 * WebAuthn passkeys over HTTP (SPEC §9, W3C WebAuthn Level 3 §7): a second
 * factor and a passwordless login; origin, RP ID, challenge, user
 * verification and the signature counter are checked.
 */
describe('passkeys', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startSecurityServer({
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_WEBAUTHN_RP_ID: 'localhost',
      DUOTOKEN_WEBAUTHN_ORIGINS: HERE.origin,
    });
    for (const account of ['pia', 'pat', 'pol', 'pip'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  });
  afterAll(() => server.close());

  async function enroll(account: string) {
    const key = new SoftAuthenticator();
    const headers = bearer((await loginOk(server, account, `${account}-password`)).access_token);
    const options = await call<{ challenge: string; rp: { id: string } }>(server, 'POST', '/auth/webauthn/register/options', { headers });
    expect(options.status).toBe(200);
    expect(options.body.data.rp.id).toBe('localhost');
    const added = await call(server, 'POST', '/auth/webauthn/register', {
      headers,
      json: { credential: key.register(options.body.data, HERE), name: 'laptop' },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    return { key, headers };
  }

  async function secondStep(account: string, key: SoftAuthenticator, where = HERE, userVerified = true) {
    const { mfa_ticket, methods } = await loginNeedsMfa(server, account, `${account}-password`);
    expect(methods).toEqual(['webauthn']);
    const options = await call<{ challenge: string }>(server, 'POST', '/auth/mfa/webauthn/options', { json: { mfa_ticket } });
    return verifyMfa(server, { mfa_ticket, method: 'webauthn', credential: key.assert(options.body.data, where, userVerified) });
  }

  async function passwordless(key: SoftAuthenticator, where = HERE, userVerified = true) {
    const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
    const options = await call<{ challenge: string; userVerification: string }>(server, 'GET', `/auth/passkey/options?t=${t}`);
    expect(options.body.data.userVerification).toBe('required');
    const credential = key.assert(options.body.data, where, userVerified);
    return {
      t,
      credential,
      answer: await call<{ access_token: string }>(server, 'POST', '/auth/passkey/login', { json: { t, credential } }),
    };
  }

  it('a registered passkey is the second factor of a password login (amr pwd hwk user mfa)', async () => {
    const { key } = await enroll('pia');
    const done = await secondStep('pia', key);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(decodeJwt(done.body.data.access_token).amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
  });

  it('a passwordless login with a discoverable passkey gives a pair (amr hwk user mfa); its t works once', async () => {
    const { key } = await enroll('pat');
    const first = await passwordless(key);
    expect(first.answer.status, JSON.stringify(first.answer.body)).toBe(200);
    expect(decodeJwt(first.answer.body.data.access_token)).toMatchObject({ amr: ['hwk', 'user', 'mfa'] });
    const again = await call(server, 'POST', '/auth/passkey/login', { json: { t: first.t, credential: first.credential } });
    expect(again.body.code).toBe('10010');
  });

  it('an assertion for another origin or another RP ID is refused (10061), and passwordless needs user verification', async () => {
    const { key } = await enroll('pol');
    expect((await passwordless(key, { origin: 'https://evil.example', rpId: 'localhost' })).answer.body.code).toBe('10061');
    expect((await passwordless(key, { origin: HERE.origin, rpId: 'evil.example' })).answer.body.code).toBe('10061');
    expect((await passwordless(key, HERE, false)).answer.body.code).toBe('10061');
    expect((await secondStep('pol', key, { origin: 'https://evil.example', rpId: 'localhost' })).body.code).toBe('10061');
    expect((await passwordless(key)).answer.status).toBe(200);
  });

  it('a signature counter that goes back (a cloned authenticator) is refused and audited', async () => {
    const { key } = await enroll('pip');
    const ok = await passwordless(key);
    expect(ok.answer.status).toBe(200);
    key.counter = 0;
    expect((await passwordless(key)).answer.body.code).toBe('10061');
    const events = await server.runtime.services.store.queryAuditEvents({ type: 'mfa.passkey_clone_warning', limit: 5 });
    expect(events).toHaveLength(1);
  });
});
