import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/mfa/totp.js';
import { send, type RawAnswer } from '@duotoken/test-kit/send';
import { ADMIN, type TestServer } from '../helpers/test-server.js';
import { SETUP, startSecurityServer } from '../security/helpers/security-server.js';

/**
 * No path into an account skips the second factor (docs/mfa.md, better-auth
 * #8627): each dialect's login either asks for it (standard, mmm: 10060 /
 * 10064 and a ticket) or refuses (lin-cms: its clients cannot do a second
 * step), under each `DUOTOKEN_MFA` policy.
 */
type Dialect = 'standard' | 'mmm' | 'lin-cms';
const DIALECTS: Dialect[] = ['standard', 'mmm', 'lin-cms'];
type Body = { code: string | number; msg?: string; message?: string; data?: Record<string, unknown> | null };

async function loginIn(server: TestServer, dialect: Dialect, account: string, password: string): Promise<RawAnswer<Body>> {
  if (dialect === 'lin-cms')
    return send<Body>(server, 'POST', '/cms/user/login', { json: { username: account, password }, headers: { 'accept-language': 'en' } });
  if (dialect === 'mmm') return send<Body>(server, 'POST', '/auth/login', { json: { account, password } });
  // With mmm mounted too, a standard login is the one that sends `t`.
  const t = (await send<{ data: { t: string } }>(server, 'GET', '/auth/get_t')).body.data.t;
  return send<Body>(server, 'POST', '/auth/login', { json: { account, password, t } });
}

/** The answer of a login whose second factor is due, as the dialect's clients see it. */
function expectRefusedWithoutToken(res: RawAnswer<Body>) {
  expect(res.status).toBe(400);
  expect(res.body.code).toBe(10031);
  expect(res.body.message).toMatch(/second factor/);
  expect(JSON.stringify(res.body)).not.toMatch(/access_token|ticket/);
}

function verify(server: TestServer, body: Record<string, unknown>) {
  return send<{ code: string; data: Record<string, unknown> }>(server, 'POST', '/auth/mfa/verify', { json: body });
}

/** Enrolls TOTP with an enrollment ticket (10064) and finishes the login with it. */
async function enrollAndFinish(server: TestServer, ticket: string) {
  const headers = { 'mfa-ticket': ticket };
  const setup = await send<{ data: { secret: string } }>(server, 'POST', '/auth/mfa/totp/setup', { headers });
  expect(setup.status).toBe(200);
  const secret = setup.body.data.secret;
  const enabled = await send(server, 'POST', '/auth/mfa/totp/enable', { headers, json: { code: totpCodeAt(secret, server.clock.now()) } });
  expect(enabled.status).toBe(200);
  server.clock.advance(30);
  const done = await verify(server, { mfa_ticket: ticket, method: 'totp', code: totpCodeAt(secret, server.clock.now()) });
  expect(done.status).toBe(200);
  return { secret, pair: done.body.data };
}

async function start(policy: string) {
  const server = await startSecurityServer({
    DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm',
    DUOTOKEN_MFA: policy,
    DUOTOKEN_RATE_LIMITS: 'off',
  });
  for (const account of ['ann', 'ned', 'ida', 'ole'])
    await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, SETUP);
  return server;
}

describe('DUOTOKEN_MFA=optional: a user with a factor, in each dialect', () => {
  let server: TestServer;
  let secret: string;
  beforeAll(async () => {
    server = await start('optional');
    // Enrolled through the standard routes with a fresh access token.
    const pair = (await loginIn(server, 'standard', 'ann', 'ann-password')).body.data as { access_token: string };
    const headers = { authorization: `Bearer ${pair.access_token}` };
    secret = (await send<{ data: { secret: string } }>(server, 'POST', '/auth/mfa/totp/setup', { headers })).body.data.secret;
    await send(server, 'POST', '/auth/mfa/totp/enable', { headers, json: { code: totpCodeAt(secret, server.clock.now()) } });
  });
  afterAll(() => server.close());

  for (const dialect of ['standard', 'mmm'] as const)
    it(`${dialect}: the login asks for the second factor (10060) and the ticket gives the ${dialect} pair`, async () => {
      server.clock.advance(30);
      const res = await loginIn(server, dialect, 'ann', 'ann-password');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: '10060', data: { methods: ['totp', 'recovery_code'], expires_in: 300 } });
      const done = await verify(server, {
        mfa_ticket: res.body.data!.mfa_ticket,
        method: 'totp',
        code: totpCodeAt(secret, server.clock.now()),
      });
      expect(done.status).toBe(200);
      if (dialect === 'mmm')
        expect(Object.keys(done.body.data).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires', 'refresh_token']);
      else expect(done.body.data.token_type).toBe('Bearer');
      const claims = decodeJwt(String(done.body.data.access_token));
      expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
      // The session is the login's dialect: mmm's refresh route takes an mmm session's token.
      const session = await server.runtime.services.store.findSession(String(claims.sid));
      expect(session?.dialect).toBe(dialect);
    });

  it('lin-cms: the login is refused with a message saying why (lin-cms-vue cannot do a second step); no ticket, no token', async () => {
    expectRefusedWithoutToken(await loginIn(server, 'lin-cms', 'ann', 'ann-password'));
    // A user without a factor logs in to lin-cms as before.
    expect((await loginIn(server, 'lin-cms', 'ned', 'ned-password')).status).toBe(200);
  });
});

describe('DUOTOKEN_MFA=required: a user without a factor must enroll, in each dialect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start('required');
  });
  afterAll(() => server.close());

  for (const [dialect, account] of [
    ['standard', 'ned'],
    ['mmm', 'ida'],
  ] as const)
    it(`${dialect}: 10064 with an enrollment ticket that enrolls TOTP and then finishes the login`, async () => {
      const res = await loginIn(server, dialect, account, `${account}-password`);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: '10064', data: { expires_in: 300 } });
      const ticket = String(res.body.data!.enroll_ticket);
      // The enrollment ticket is no access token: it opens nothing but enrollment.
      expect((await send(server, 'GET', '/auth/me', { headers: { authorization: `Bearer ${ticket}` } })).status).toBe(401);
      expect((await send(server, 'POST', '/auth/mfa/recovery-codes', { headers: { 'mfa-ticket': ticket } })).status).toBe(401);
      const { pair } = await enrollAndFinish(server, ticket);
      expect(decodeJwt(String(pair.access_token)).amr).toEqual(['pwd', 'otp', 'mfa']);
      // From now on the login asks for the code.
      expect((await loginIn(server, dialect, account, `${account}-password`)).body.code).toBe('10060');
    });

  it('a login ticket (10060) cannot be used as an enrollment ticket', async () => {
    server.clock.advance(30);
    const res = await loginIn(server, 'standard', 'ned', 'ned-password');
    expect(res.body.code).toBe('10060');
    const setup = await send(server, 'POST', '/auth/mfa/totp/setup', { headers: { 'mfa-ticket': String(res.body.data!.mfa_ticket) } });
    expect(setup.status).toBe(400);
    expect((setup.body as Body).code).toBe('10062');
  });

  it('lin-cms: refused, with the message to enroll elsewhere first', async () => {
    const res = await loginIn(server, 'lin-cms', 'ole', 'ole-password');
    expectRefusedWithoutToken(res);
    expect(res.body.message).toMatch(/^Enroll a second factor/);
  });
});

describe('DUOTOKEN_MFA=required-for-admins: admins must enroll, others log in as before, in each dialect', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await start('required-for-admins');
  });
  afterAll(() => server.close());

  for (const dialect of DIALECTS)
    it(`${dialect}: the admin is stopped (${dialect === 'lin-cms' ? 'refused' : '10064'}), a plain user is not`, async () => {
      const res = await loginIn(server, dialect, ADMIN.account, ADMIN.password);
      if (dialect === 'lin-cms') expectRefusedWithoutToken(res);
      else expect(res.body).toMatchObject({ code: '10064', data: { expires_in: 300 } });
      expect((await loginIn(server, dialect, 'ned', 'ned-password')).status).toBe(200);
    });
});
