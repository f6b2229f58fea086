import { isAuthClientError, isMfaError, isStepUpRequired, type AuthClient, type MfaChallenge } from '@duotoken/client';
import { totpCodeAt } from '@duotoken/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '@duotoken/test-kit/soft-authenticator';
import { CLIENT_TEST_ENV, makeClient, startTestServer, tokensOf, type TestServer } from './helpers/client-harness.js';

const ORIGIN = 'http://localhost:5173';
const HERE = { origin: ORIGIN, rpId: 'localhost' };
const ACTOR = { userId: null, ip: null };

/** WebAuthn ceremonies played by a software authenticator presenting `where` (the browser's part). */
function softCeremonies(key: SoftAuthenticator, where = HERE) {
  return {
    startRegistration: async ({ optionsJSON }: { optionsJSON: never }) => key.register(optionsJSON as { challenge: string }, where),
    startAuthentication: async ({ optionsJSON }: { optionsJSON: never }) => key.assert(optionsJSON as { challenge: string }, where),
  };
}

async function secondStep(client: AuthClient, account: string): Promise<MfaChallenge> {
  const result = await client.login({ account, password: `${account}-password` });
  if (!result.mfaRequired || result.step !== 'verify') throw new Error(`expected a second step, got ${JSON.stringify(result)}`);
  return result;
}

describe('the SDK’s second step (SPEC §9)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      ...CLIENT_TEST_ENV,
      DUOTOKEN_WEBAUTHN_RP_ID: 'localhost',
      DUOTOKEN_WEBAUTHN_ORIGINS: ORIGIN,
      DUOTOKEN_ACCESS_TTL: '15m',
    });
    for (const account of ['tia', 'rex', 'sue', 'pia', 'pol'])
      await server.runtime.services.admin.createUser({ account, password: `${account}-password` }, ACTOR);
  });
  afterAll(() => server.close());

  /** Signs `account` in (no factor yet), sets TOTP up and confirms it; answers the secret and recovery codes. */
  async function enrollTotp(client: AuthClient, account: string) {
    await tokensOf(client.login({ account, password: `${account}-password` }));
    const setup = await client.setupTotp();
    expect(setup.qrSvg).toMatch(/^<svg|<\?xml/);
    expect(setup.otpauthUrl).toContain(setup.secret);
    const recoveryCodes = await client.enableTotp(totpCodeAt(setup.secret, server.clock.now()));
    expect(recoveryCodes).toHaveLength(10);
    expect((await client.mfaStatus()).totp).toBe(true);
    await client.logout();
    server.clock.advance(30); // the confirming code's step is spent
    return { secret: setup.secret, recoveryCodes };
  }

  it('login() reports the second step instead of tokens; a wrong code is typed, the right one stores the pair', async () => {
    const { client } = makeClient(server);
    const { secret } = await enrollTotp(client, 'tia');

    const step = await secondStep(client, 'tia');
    expect(step.methods).toContain('totp');
    expect(step.methods).toContain('recovery_code');
    expect(step.expiresIn).toBeGreaterThan(0);
    expect(await client.getTokens()).toBeNull();

    const wrong = await client.verifyMfa({ ticket: step.ticket, code: '000000' }).catch((e: unknown) => e);
    expect(isMfaError(wrong) && wrong.code).toBe('10061');
    expect(await client.getTokens()).toBeNull();

    const tokens = await client.verifyMfa({ ticket: step.ticket, code: totpCodeAt(secret, server.clock.now()) });
    expect((await client.getTokens())?.refreshToken).toBe(tokens.refreshToken);
    expect((await client.me()).user.account).toBe('tia');

    // The ticket is spent: a replay is 10062.
    server.clock.advance(30);
    const replay = await client.verifyMfa({ ticket: step.ticket, code: totpCodeAt(secret, server.clock.now()) }).catch((e: unknown) => e);
    expect(isMfaError(replay) && replay.code).toBe('10062');
  });

  it('a recovery code with rememberDevice: the next logins skip the second step until the devices are forgotten', async () => {
    const { client, wire } = makeClient(server);
    const { recoveryCodes } = await enrollTotp(client, 'rex');

    const step = await secondStep(client, 'rex');
    await client.verifyMfa({ ticket: step.ticket, recoveryCode: recoveryCodes[0]!.toUpperCase(), rememberDevice: true });
    expect(await client.rememberedDevice()).toMatch(/^.+\..+$/);
    await client.logout();

    const again = await client.login({ account: 'rex', password: 'rex-password' });
    expect(again.mfaRequired).toBe(false);
    expect((JSON.parse(lastLoginBody(wire)) as { device_token?: string }).device_token).toBe(await client.rememberedDevice());

    // Another client (no remembered device) still gets the second step.
    expect((await makeClient(server).client.login({ account: 'rex', password: 'rex-password' })).mfaRequired).toBe(true);

    expect(await client.forgetDevices()).toBe(1);
    expect(await client.rememberedDevice()).toBeNull();
    await client.logout();
    expect((await client.login({ account: 'rex', password: 'rex-password' })).mfaRequired).toBe(true);
  });

  it('step-up: a stale session gets a typed 10063 with its methods; reauth() renews it in the same session', async () => {
    const { client } = makeClient(server);
    const { secret } = await enrollTotp(client, 'sue');
    const step = await secondStep(client, 'sue');
    const first = await client.verifyMfa({ ticket: step.ticket, code: totpCodeAt(secret, server.clock.now()) });
    const sessionId = (await client.me()).session.id;
    server.clock.advance(6 * 60);

    const stale = await client.regenerateRecoveryCodes().catch((e: unknown) => e);
    expect(isStepUpRequired(stale)).toBe(true);
    expect(isStepUpRequired(stale) && stale.data.methods).toEqual(expect.arrayContaining(['password', 'totp']));

    const refused = await client.reauth({ password: 'not-it' }).catch((e: unknown) => e);
    expect(isAuthClientError(refused) && refused.code).toBe('10020');

    const renewed = await client.reauth({ password: 'sue-password' });
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    expect((await client.getTokens())?.refreshToken).toBe(renewed.refreshToken);
    expect((await client.me()).session.id).toBe(sessionId);
    expect(await client.regenerateRecoveryCodes()).toHaveLength(10);
  });

  it('passkeys: register, passwordless login and the second step; another origin is refused', async () => {
    const key = new SoftAuthenticator();
    const { client } = makeClient(server, { webauthn: softCeremonies(key) });
    await tokensOf(client.login({ account: 'pia', password: 'pia-password' }));
    const { id } = await client.registerPasskey('laptop');
    expect(id).toBe(key.id);
    expect((await client.mfaStatus()).passkeys).toBe(1);
    expect(await client.passkeys()).toEqual([expect.objectContaining({ id: key.id, name: 'laptop', lastUsedAt: null })]);
    await client.logout();

    await client.loginWithPasskey();
    expect((await client.me()).user.account).toBe('pia');
    await client.logout();

    const step = await secondStep(client, 'pia');
    expect(step.methods).toEqual(['webauthn']);
    await client.verifyMfaWithPasskey({ ticket: step.ticket });
    expect((await client.me()).user.account).toBe('pia');

    const elsewhere = makeClient(server, { webauthn: softCeremonies(key, { origin: 'http://localhost:6666', rpId: 'localhost' }) });
    const foreign = await elsewhere.client.loginWithPasskey().catch((e: unknown) => e);
    expect(isMfaError(foreign) && foreign.code).toBe('10061');
    expect(await elsewhere.client.getTokens()).toBeNull();
    const otherRp = makeClient(server, { webauthn: softCeremonies(key, { origin: ORIGIN, rpId: 'evil.example' }) });
    const foreignStep = await secondStep(otherRp.client, 'pia');
    const refused = await otherRp.client.verifyMfaWithPasskey({ ticket: foreignStep.ticket }).catch((e: unknown) => e);
    expect(isMfaError(refused) && refused.code).toBe('10061');
    expect(await otherRp.client.getTokens()).toBeNull();

    await client.removePasskey(key.id);
    expect(await client.passkeys()).toEqual([]);
    expect((await client.login({ account: 'pia', password: 'pia-password' })).mfaRequired).toBe(false);
  });
});

describe('the SDK under DUOTOKEN_MFA=required: enrollment with the ticket of 10064', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ...CLIENT_TEST_ENV, DUOTOKEN_MFA: 'required' });
    await server.runtime.services.admin.createUser({ account: 'ned', password: 'ned-password' }, ACTOR);
  });
  afterAll(() => server.close());

  it('login() reports the enrollment; TOTP set up with the ticket, then verifyMfa with the next code', async () => {
    const { client } = makeClient(server);
    const result = await client.login({ account: 'ned', password: 'ned-password' });
    if (!result.mfaRequired || result.step !== 'enroll') throw new Error(`expected an enrollment, got ${JSON.stringify(result)}`);
    expect(await client.getTokens()).toBeNull();

    // The ticket is no access token.
    await expect(client.setupTotp()).rejects.toMatchObject({ code: '10025', status: 401 });
    const setup = await client.setupTotp({ ticket: result.ticket });
    expect(await client.enableTotp(totpCodeAt(setup.secret, server.clock.now()), { ticket: result.ticket })).toHaveLength(10);
    server.clock.advance(30);
    await client.verifyMfa({ ticket: result.ticket, code: totpCodeAt(setup.secret, server.clock.now()) });
    expect((await client.me()).user.account).toBe('ned');
  });
});

/** The JSON body of the last login request a client sent (read back from its wire log). */
function lastLoginBody(wire: ReturnType<typeof makeClient>['wire']): string {
  const login = wire.requests.filter((r) => new URL(r.url).pathname === '/auth/login').at(-1);
  return login?.body ?? '{}';
}
