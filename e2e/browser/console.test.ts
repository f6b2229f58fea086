import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captchaAnswer, ADMIN, startTestServer, type TestServer } from '@duotoken/test-kit';
import {
  BROWSER_PATH,
  ensureConsoleBuilt,
  horizontalOverflow,
  launchBrowser,
  SIZES,
  warnIfSkipped,
  type TestBrowser,
} from './browser-harness.js';
import { byId, confirm, pick, signIn, successMessage } from './console-driver.js';

warnIfSkipped('e2e/browser/console.test.ts');

/** Requests the server logged on a path so far. */
function seen(server: TestServer, path: string): number {
  return server.logs.filter((line) => {
    if (!line.includes('incoming request')) return false;
    const url = (JSON.parse(line) as { req?: { url?: string } }).req?.url ?? '';
    return url.split('?')[0] === path;
  }).length;
}

/** Which tab sent which /auth request and what came back, in order (printed when a count is off). */
function authTraffic(tabs: Record<string, Page>): string[] {
  const lines: string[] = [];
  const start = Date.now();
  for (const [name, tab] of Object.entries(tabs)) {
    const path = (url: string) => new URL(url).pathname;
    tab.on(
      'request',
      (r) => void (path(r.url()).startsWith('/auth/') && lines.push(`${Date.now() - start} ms ${name} ${r.method()} ${path(r.url())}`)),
    );
    tab.on(
      'response',
      (r) => void (path(r.url()).startsWith('/auth/') && lines.push(`${Date.now() - start} ms ${name} ${r.status()} ${path(r.url())}`)),
    );
  }
  return lines;
}

/** Replaced access tokens the SDK noted in IndexedDB (fingerprints), as a page of the origin sees them. */
function rotationNotes(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('duotoken-rotations');
        // No database yet: nothing was noted (and the probe must not create an empty one).
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const count = open.result.transaction('replaced').objectStore('replaced').count();
          count.onerror = () => reject(count.error);
          count.onsuccess = () => {
            open.result.close();
            resolve(count.result);
          };
        };
      }),
  );
}

const actor = { userId: null, ip: null };

describe.skipIf(!BROWSER_PATH)('web console self-service in real Chromium', () => {
  let server: TestServer;
  let browser: TestBrowser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_ACCESS_TTL: '15m' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A user of their own (the tests change passwords and end sessions). */
  async function makeUser(account: string, password = 'a long enough password 1') {
    const user = await server.runtime.services.admin.createUser({ account, password, name: account }, actor);
    return { ...user, password };
  }

  it('signs in, shows who I am, switches company, lists my sessions by readable device name, switches language and signs out', async () => {
    const acme = await server.runtime.services.admin.createCompany('Acme', actor);
    await server.runtime.services.admin.setMembership(ADMIN.account, acme.id, ['auditor'], actor);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.locator(byId('login-form')).waitFor();
    // Captcha policy off: the form asks for none.
    expect(await page.locator(byId('login-captcha')).count()).toBe(0);
    await signIn(page, server.url, ADMIN.account, ADMIN.password);

    expect(await page.textContent(byId('me-account'))).toBe(ADMIN.account);
    expect(await page.textContent(byId('me-company'))).toBe('Default');
    await pick(page, 'company-select', 'Acme');
    await page.locator(`${byId('me-company')}:has-text("Acme")`).waitFor();
    expect(await page.textContent(byId('me-roles'))).toBe('auditor');
    expect(seen(server, '/auth/change-company')).toBe(1);
    expect(await page.textContent(byId('countdown'))).toMatch(/1[45]:\d\d/); // about 15 minutes on the server's clock

    await page.click(byId('nav-my-sessions'));
    const rows = page.locator(byId('session-row'));
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator(byId('this-device')).count()).toBe(1);
    // A readable name, not a User-Agent cut mid-word; the raw one stays on hover.
    const device = rows.first().locator(byId('device-name'));
    expect(await device.innerText()).toMatch(/^Chrome(?: Headless)? \d+ on Linux/);
    expect(await device.getAttribute('title')).toMatch(/^Mozilla\/5\.0/);

    await page.click(byId('lang-switch'));
    await page.locator(`${byId('page-title')}:has-text("我的会话")`).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.click(byId('lang-switch'));
    await page.locator(`${byId('page-title')}:has-text("My sessions")`).waitFor();

    await page.click(byId('sign-out'));
    await page.locator(byId('login-form')).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('duotoken-console'))).toBeNull();
    expect(await server.runtime.services.sessions.list(1, null)).toEqual([]);
    await context.close();
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('shows the captcha bound to t, draws a new one on click, and signs in with it', async () => {
    const strict = await startTestServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    try {
      const page = await browser.context.newPage();
      const drawn = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/captcha' && r.status() === 200);
      const firstDraw = drawn();
      await page.goto(`${strict.url}/console/`);
      const image = page.locator(byId('captcha-image'));
      await image.waitFor();
      const first = new URL((await image.getAttribute('src'))!);
      const t = first.searchParams.get('t')!;
      expect(t).toBeTruthy();
      await firstDraw;

      const redraw = drawn();
      await image.click();
      await redraw;
      const second = new URL((await image.getAttribute('src'))!);
      expect(second.searchParams.get('t')).toBe(t);
      expect(second.href).not.toBe(first.href);

      await page.fill(byId('login-account'), ADMIN.account);
      await page.fill(byId('login-password'), ADMIN.password);
      await page.fill(byId('login-captcha'), await captchaAnswer(strict, t)); // the code of the latest drawing
      await page.click(byId('login-submit'));
      await page.locator(byId('page-title')).waitFor();
      await page.click(byId('sign-out'));
      await page.locator(byId('login-form')).waitFor();
      await page.close();
    } finally {
      await strict.close();
    }
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('two tabs with an expired access token make exactly one refresh, and signing out in one signs out both', async () => {
    const context = await browser.newContext();
    const tab1 = await context.newPage();
    await signIn(tab1, server.url, ADMIN.account, ADMIN.password, '/account/sessions');
    const tab2 = await context.newPage();
    await tab2.goto(`${server.url}/console/#/account/sessions`);
    await tab2.locator(byId('session-row')).first().waitFor(); // same session, from localStorage
    const traffic = authTraffic({ tab1, tab2 });
    const refreshesBefore = seen(server, '/auth/refresh-token');
    expect(refreshesBefore).toBe(0); // a fresh tab judged expiry on the server's clock, not its own

    // Hold every refresh answer a moment, so both tabs surely meet their 401s while the one refresh is in flight:
    // only the cross-tab lock (Web Locks) then keeps the second tab from refreshing too.
    await context.route('**/auth/refresh-token', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    server.clock.advance(901);
    const done = (page: Page) =>
      page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/sessions' && r.status() === 200, { timeout: 20_000 });
    const finished = Promise.all([done(tab1), done(tab2)]);
    await Promise.all([tab1.click(byId('reload')), tab2.click(byId('reload'))]);
    await finished;
    await context.unroute('**/auth/refresh-token');

    expect(seen(server, '/auth/refresh-token') - refreshesBefore, traffic.join('\n')).toBe(1);
    // The refresh noted the token it replaced where the other tab reads it coherently under the lock (its localStorage may lag).
    expect(await rotationNotes(tab2)).toBe(1);
    expect(await tab1.locator(byId('table-error')).count()).toBe(0);
    expect(await tab2.locator(byId('table-error')).count()).toBe(0);
    // Both tabs hold the one rotated pair.
    const [stored1, stored2] = await Promise.all([tab1, tab2].map((p) => p.evaluate(() => localStorage.getItem('duotoken-console'))));
    expect(stored1).toBe(stored2);

    await tab1.click(byId('sign-out'));
    await tab1.locator(byId('login-form')).waitFor();
    await tab2.locator(byId('login-form')).waitFor({ timeout: 10_000 });
    await context.close();
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('changes my password: my other sessions end, this one stays, and the new password signs in', async () => {
    const bob = await makeUser('bob-console');
    const laptop = await browser.newContext();
    const phone = await browser.newContext({ viewport: SIZES.phone });
    const here = await laptop.newPage();
    const there = await phone.newPage();
    await signIn(here, server.url, bob.account, bob.password);
    await signIn(there, server.url, bob.account, bob.password, '/account/sessions');

    // A wrong current password is refused, and nothing changes.
    await here.fill(byId('password-old'), 'not my password at all');
    await here.fill(byId('password-new'), 'a brand new passphrase 2');
    await here.fill(byId('password-repeat'), 'a brand new passphrase 2');
    await here.click(byId('password-submit'));
    await here.locator('.el-message--error').waitFor();
    expect(await there.evaluate(() => localStorage.getItem('duotoken-console'))).not.toBeNull();

    await here.fill(byId('password-old'), bob.password);
    await here.click(byId('password-submit'));
    expect(await successMessage(here)).toBeTruthy();

    // The other device: its next call is refused and it returns to sign-in, saying why.
    await there.click(byId('reload'));
    await there.locator(byId('login-notice')).waitFor({ timeout: 10_000 });
    // This device stays signed in.
    await here.click(byId('nav-my-sessions'));
    await here.locator(byId('session-row')).first().waitFor();
    expect(await here.locator(byId('session-row')).count()).toBe(1);

    await signIn(there, server.url, bob.account, 'a brand new passphrase 2');
    await Promise.all([laptop.close(), phone.close()]);
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('signs out everywhere after a confirmation: every device of mine returns to sign-in', async () => {
    const carol = await makeUser('carol-console');
    const one = await browser.newContext();
    const two = await browser.newContext();
    const a = await one.newPage();
    const b = await two.newPage();
    await signIn(a, server.url, carol.account, carol.password);
    await signIn(b, server.url, carol.account, carol.password, '/account/sessions');

    // Cancelling the confirmation changes nothing.
    await a.click(byId('sign-out-everywhere'));
    await a.locator('.el-message-box').getByRole('button', { name: 'Cancel' }).click();
    expect((await server.runtime.services.sessions.list(carol.id, null)).length).toBe(2);

    await a.click(byId('sign-out-everywhere'));
    await confirm(a);
    await a.locator(byId('login-form')).waitFor();
    expect(await server.runtime.services.sessions.list(carol.id, null)).toEqual([]);
    await b.click(byId('reload'));
    await b.locator(byId('login-notice')).waitFor({ timeout: 10_000 });
    await Promise.all([one.close(), two.close()]);
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('fits a 390 px phone: the sign-in form with its captcha and the self-service pages never overflow', async () => {
    const strict = await startTestServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    const phone = await browser.newContext({ viewport: SIZES.phone });
    try {
      const page = await phone.newPage();
      await page.goto(`${strict.url}/console/`);
      await page.locator(byId('captcha-image')).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      for (const id of ['login-account', 'login-password', 'login-captcha', 'captcha-image', 'login-submit']) {
        const box = (await page.locator(byId(id)).boundingBox())!;
        expect(box.x, id).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, id).toBeLessThanOrEqual(SIZES.phone.width);
      }
      await signIn(page, server.url, ADMIN.account, ADMIN.password);
      for (const path of ['/account', '/account/sessions']) {
        await page.goto(`${server.url}/console/#${path}`);
        await page.locator(byId('page-title')).waitFor();
        expect(await horizontalOverflow(page), path).toBe(0);
      }
    } finally {
      await phone.close();
      await strict.close();
    }
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
