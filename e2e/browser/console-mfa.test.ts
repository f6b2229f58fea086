import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, freePort, startTestServer, totpCodeAt, type TestServer } from '@duotoken/test-kit';
import {
  BROWSER_PATH,
  ensureConsoleBuilt,
  launchBrowser,
  seriousA11yViolations,
  warnIfSkipped,
  type TestBrowser,
} from './browser-harness.js';
import { byId, confirm, settled, successMessage } from './console-driver.js';
import { startPageServer } from './page-server.js';

warnIfSkipped('e2e/browser/console-mfa.test.ts');

const actor = { userId: null, ip: null };

/**
 * Starts a duotoken on a port chosen first, so its WebAuthn origin can be
 * named in its settings. WebAuthn needs a secure context and a domain RP ID:
 * Chromium treats `http://localhost` as secure, and `localhost` is the RP ID
 * (an IP address cannot be one).
 */
async function startOn(origins: (port: number) => string, env: Record<string, string> = {}) {
  const port = await freePort();
  const server = await startTestServer({
    DUOTOKEN_PORT: String(port),
    DUOTOKEN_CAPTCHA: 'off',
    DUOTOKEN_RATE_LIMITS: 'off',
    DUOTOKEN_ACCESS_TTL: '15m',
    DUOTOKEN_WEBAUTHN_RP_ID: 'localhost',
    DUOTOKEN_WEBAUTHN_ORIGINS: origins(port),
    ...env,
  });
  return { server, base: `http://localhost:${port}` };
}

/** A page that gives up on a missing element after 10 s (the test then says which). */
async function plainPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

/** A page with a CTAP2 platform authenticator that holds discoverable credentials and verifies the user (DevTools WebAuthn domain). */
async function pageWithAuthenticator(context: BrowserContext): Promise<Page> {
  const page = await plainPage(context);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  authenticators.set(page, { cdp, authenticatorId });
  return page;
}

/** The DevTools session and virtual authenticator of each page made by `pageWithAuthenticator`. */
const authenticators = new WeakMap<Page, { cdp: CDPSession; authenticatorId: string }>();

/** The credentials held by the virtual authenticator of `page` (id, RP ID, private key, user handle, counter). */
async function listCredentials(page: Page) {
  const { cdp, authenticatorId } = authenticators.get(page)!;
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

/** The password form; answers once the console shows the second step or a signed-in page. */
async function enterPassword(page: Page, base: string, account: string, password: string): Promise<void> {
  await page.goto(`${base}/console/#/login?redirect=%2Faccount`);
  await page.locator(byId('login-form')).waitFor();
  await page.fill(byId('login-account'), account);
  await page.fill(byId('login-password'), password);
  await page.click(byId('login-submit'));
}

async function signOut(page: Page): Promise<void> {
  await page.click(byId('sign-out'));
  await page.locator(byId('login-form')).waitFor();
}

async function expectNoSeriousA11yViolations(page: Page, where: string): Promise<void> {
  expect(await seriousA11yViolations(page), where).toEqual([]);
}

describe.skipIf(!BROWSER_PATH)('second factors in the console, real Chromium with a virtual authenticator', () => {
  let a: { server: TestServer; base: string };
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    a = await startOn((port) => `http://localhost:${port}`);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await a?.server.close();
  });

  const PASSWORD = 'a long enough password 1';
  const makeUser = (account: string) => a.server.runtime.services.admin.createUser({ account, password: PASSWORD, name: account }, actor);

  /** A new user, signed in with the password in a browser profile of their own (with a virtual authenticator when asked). */
  async function newUserSignedIn(account: string, authenticator: boolean) {
    await makeUser(account);
    const context = await browser.newContext();
    const page = authenticator ? await pageWithAuthenticator(context) : await plainPage(context);
    await enterPassword(page, a.base, account, PASSWORD);
    await settled(page, '/account');
    return { context, page };
  }

  it('TOTP: enrolled on the security card from the key shown, then asked at sign-in; a wrong code is refused, the right one signs in', async () => {
    const { context, page } = await newUserSignedIn('tina', false);

    await page.click(byId('totp-start'));
    const secret = (await page.locator(byId('totp-secret')).innerText()).trim();
    expect(await page.locator(byId('totp-qr')).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await page.fill(byId('totp-code'), totpCodeAt(secret, a.server.clock.now()));
    await page.click(byId('totp-enable'));
    await page.locator(byId('recovery-codes')).waitFor();
    expect(await page.locator(byId('recovery-code')).count()).toBe(10);
    expect(await page.textContent(byId('totp-status'))).toBe('On');
    await expectNoSeriousA11yViolations(page, 'security card with recovery codes');
    const recovery = (await page.locator(byId('recovery-code')).first().innerText()).trim();

    await signOut(page);
    a.server.clock.advance(30); // the confirming code's step is spent
    await enterPassword(page, a.base, 'tina', PASSWORD);
    await page.locator(byId('mfa-step')).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('duotoken-console'))).toBeNull();
    await expectNoSeriousA11yViolations(page, 'second step');

    await page.fill(byId('mfa-code'), '000000');
    await page.click(byId('mfa-submit'));
    await page.locator(byId('mfa-error')).waitFor();
    await page.fill(byId('mfa-code'), totpCodeAt(secret, a.server.clock.now()));
    await page.click(byId('mfa-submit'));
    await settled(page, '/account');
    expect(await page.textContent(byId('me-account'))).toBe('tina');

    // A recovery code works once, through the same form.
    await signOut(page);
    await enterPassword(page, a.base, 'tina', PASSWORD);
    await page.click(byId('mfa-switch'));
    await page.fill(byId('mfa-code'), recovery);
    await page.click(byId('mfa-submit'));
    await settled(page, '/account');
    await context.close();
  });

  it('passkey: added on the security card, then signs in without a password, and as the second factor after one', async () => {
    const { context, page } = await newUserSignedIn('paul', true);

    await page.fill(byId('passkey-name'), 'virtual key');
    await page.click(byId('passkey-add'));
    await successMessage(page);
    await page.locator(byId('passkey-row')).waitFor();
    expect(await page.locator(byId('passkey-row')).innerText()).toContain('virtual key');
    await expectNoSeriousA11yViolations(page, 'security card with a passkey');

    await signOut(page);
    await page.click(byId('login-passkey'));
    await settled(page, '/account');
    expect(await page.textContent(byId('me-account'))).toBe('paul');

    await signOut(page);
    await enterPassword(page, a.base, 'paul', PASSWORD);
    await page.locator(byId('mfa-step')).waitFor();
    expect(await page.locator(byId('mfa-code')).count()).toBe(0); // passkey only: no code field
    await page.click(byId('mfa-passkey'));
    await settled(page, '/account');
    expect(await page.textContent(byId('me-account'))).toBe('paul');

    // Removed: the next sign-in needs the password alone.
    await page.click(byId('passkey-remove'));
    await confirm(page);
    await page.locator(byId('passkey-row')).waitFor({ state: 'detached' });
    await signOut(page);
    await enterPassword(page, a.base, 'paul', PASSWORD);
    await settled(page, '/account');
    await context.close();
  });

  /**
   * A passwordless login whose ceremony runs in `page` (whatever its origin), with
   * options and answer going to `server` (A unless named) from here: what a page
   * elsewhere could relay; `rpId` overrides the RP ID the page asks to sign for.
   * Answers the server's status and code.
   */
  async function passwordlessFrom(page: Page, server = a.server, rpId?: string): Promise<{ status: number; code: string }> {
    const t = ((await (await server.fetch('/auth/get_t')).json()) as { data: { t: string } }).data.t;
    const options = ((await (await server.fetch(`/auth/passkey/options?t=${t}`)).json()) as { data: object }).data;
    const credential = await page.evaluate(
      async (json) => {
        const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json as PublicKeyCredentialRequestOptionsJSON);
        return ((await navigator.credentials.get({ publicKey })) as PublicKeyCredential).toJSON();
      },
      rpId ? { ...options, rpId } : options,
    );
    const answer = await server.fetch('/auth/passkey/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ t, credential }),
    });
    return { status: answer.status, code: ((await answer.json()) as { code: string }).code };
  }

  it('a passkey presented on another origin (same RP ID) is refused with 10061; on the console’s origin it signs in', async () => {
    const { context, page } = await newUserSignedIn('olga', true);
    await page.click(byId('passkey-add'));
    await page.locator(byId('passkey-row')).waitFor();

    // Another web app on localhost (another port: another origin, the RP ID `localhost` still fits it).
    const stranger = await startPageServer();
    try {
      await page.goto(`${stranger.origin.replace('127.0.0.1', 'localhost')}/`);
      expect(await passwordlessFrom(page)).toEqual({ status: 401, code: '10061' });
    } finally {
      await stranger.close();
    }
    // The control: the same authenticator and relay from the console's origin is accepted.
    await page.goto(`${a.base}/console/#/login`);
    expect(await passwordlessFrom(page)).toEqual({ status: 200, code: '00000' });
    await context.close();
  });

  it('a passkey signed for another RP ID is refused with 10061 from an origin the server accepts, where signing for the server’s RP ID signs in', async () => {
    // A server whose RP ID is `app.localhost`, its console on http://login.app.localhost:<port> (Chromium
    // resolves *.localhost to itself, as secure contexts). A page there may ask for either RP ID:
    // `app.localhost` (a suffix of its name) or `login.app.localhost` (its name), so only the RP ID differs.
    const b = await startOn((port) => `http://login.app.localhost:${port}`, { DUOTOKEN_WEBAUTHN_RP_ID: 'app.localhost' });
    const base = b.base.replace('//localhost', '//login.app.localhost');
    try {
      await b.server.runtime.services.admin.createUser({ account: 'petra', password: PASSWORD, name: 'petra' }, actor);
      const context = await browser.newContext();
      const page = await pageWithAuthenticator(context);
      await enterPassword(page, base, 'petra', PASSWORD);
      await settled(page, '/account');
      await page.click(byId('passkey-add'));
      await page.locator(byId('passkey-row')).waitFor();

      // The control first: the page signing for the server's RP ID is accepted.
      await page.goto(`${base}/console/#/login`);
      expect(await passwordlessFrom(page, b.server)).toEqual({ status: 200, code: '00000' });
      // Then the same key pair and credential id, held for the other RP ID: what signs for a look-alike RP ID.
      const [registered] = await listCredentials(page);
      expect(registered?.rpId).toBe('app.localhost');
      const { cdp, authenticatorId } = authenticators.get(page)!;
      await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: registered!.credentialId });
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...registered!, rpId: 'login.app.localhost' } });
      expect(await passwordlessFrom(page, b.server, 'login.app.localhost')).toEqual({ status: 401, code: '10061' });
      await context.close();
    } finally {
      await b.server.close();
    }
  });

  it('admin: sees a user’s factors and resets them; an old sign-in is asked for the password first (step-up) and the reset then goes through', async () => {
    const user = await makeUser('rita');
    const setup = await a.server.runtime.services.mfa.factors.setupTotp({ userId: user.id, sessionId: null, ip: null });
    await a.server.runtime.services.mfa.factors.enableTotp(
      { userId: user.id, sessionId: null, ip: null },
      totpCodeAt(setup.secret, a.server.clock.now()),
    );
    const context = await browser.newContext();
    const page = await plainPage(context);
    await enterPassword(page, a.base, ADMIN.account, ADMIN.password);
    await page.waitForURL((url) => url.hash.startsWith('#/account'));
    await page.goto(`${a.base}/console/#/users/${user.id}`);
    await settled(page, `/users/${user.id}`);
    expect(await page.textContent(byId('user-mfa-totp'))).toBe('Yes');
    await expectNoSeriousA11yViolations(page, 'user page with factors');

    a.server.clock.advance(6 * 60); // past DUOTOKEN_STEP_UP_MAX_AGE (5 min)
    await page.click(byId('reset-mfa'));
    await confirm(page);
    await page.locator(byId('step-up-password')).waitFor();
    await expectNoSeriousA11yViolations(page, 'step-up dialog');
    await page.fill(byId('step-up-password'), ADMIN.password);
    await page.click(byId('step-up-submit'));
    await successMessage(page);
    await page.locator(byId('reset-mfa')).waitFor({ state: 'detached' });
    expect(await page.textContent(byId('user-mfa-totp'))).toBe('No');
    expect((await a.server.runtime.services.mfa.factors.status(user.id)).totp).toBe(false);
    await context.close();
  });

  it('shows no page error or console error', () => {
    expect(browser.errors).toEqual([]);
  });
});

describe.skipIf(!BROWSER_PATH)('enrollment at sign-in under DUOTOKEN_MFA=required, real Chromium', () => {
  let a: { server: TestServer; base: string };
  let browser: TestBrowser;
  beforeAll(async () => {
    ensureConsoleBuilt();
    a = await startOn((port) => `http://localhost:${port}`, { DUOTOKEN_MFA: 'required' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await a?.server.close();
  });

  it('a user without a factor sets up TOTP from the sign-in page with the ticket, keeps the recovery codes and finishes with the next code', async () => {
    await a.server.runtime.services.admin.createUser({ account: 'nina', password: 'a long enough password 1' }, actor);
    const context = await browser.newContext();
    const page = await plainPage(context);
    await enterPassword(page, a.base, 'nina', 'a long enough password 1');
    await page.locator(byId('totp-enroll')).waitFor();
    const secret = (await page.locator(byId('totp-secret')).innerText()).trim();
    await expectNoSeriousA11yViolations(page, 'enrollment at sign-in');
    await page.fill(byId('totp-code'), totpCodeAt(secret, a.server.clock.now()));
    await page.click(byId('totp-enable'));
    await page.locator(byId('recovery-codes')).waitFor();
    expect(await page.locator(byId('recovery-code')).count()).toBe(10);
    // Still not signed in: the ticket is not a session.
    expect(await page.evaluate(() => localStorage.getItem('duotoken-console'))).toBeNull();

    a.server.clock.advance(30);
    await page.fill(byId('mfa-code'), totpCodeAt(secret, a.server.clock.now()));
    await page.click(byId('mfa-submit'));
    await settled(page, '/account');
    expect(await page.textContent(byId('me-account'))).toBe('nina');
    expect(await page.textContent(byId('totp-status'))).toBe('On');
    expect(browser.errors).toEqual([]);
    await context.close();
  });
});
