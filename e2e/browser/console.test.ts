import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captchaAnswer } from '../../packages/server/test/helpers/standard-client.js';
import { ADMIN, startTestServer, type TestServer } from '../../packages/server/test/helpers/test-server.js';
import { ARTIFACTS, BROWSER_PATH, ensureConsoleBuilt, launchBrowser, warnIfSkipped } from './browser-harness.js';

warnIfSkipped('e2e/browser/console.test.ts');

const byId = (id: string) => `[data-testid="${id}"]`;

/** Requests the server logged on a path so far. */
function seen(server: TestServer, path: string): number {
  return server.logs.filter((line) => {
    if (!line.includes('incoming request')) return false;
    const url = (JSON.parse(line) as { req?: { url?: string } }).req?.url ?? '';
    return url.split('?')[0] === path;
  }).length;
}

async function signIn(page: Page, server: TestServer) {
  await page.goto(`${server.url}/console/`);
  await page.locator(byId('login-form')).waitFor();
  // Captcha policy off: the form asks for none.
  expect(await page.locator(byId('login-captcha')).count()).toBe(0);
  await page.fill(byId('login-account'), ADMIN.account);
  await page.fill(byId('login-password'), ADMIN.password);
  await page.click(byId('login-submit'));
  await page.locator(`${byId('me-account')}:has-text("${ADMIN.account}")`).waitFor();
}

describe.skipIf(!BROWSER_PATH)('web console in real Chromium', () => {
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_RATE_LIMITS: 'off', DUOTOKEN_ACCESS_TTL: '15m' });
    browser = await launchBrowser();
    browser.context.on('weberror', (e) => pageErrors.push(e.error().message));
    browser.context.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(m.text());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, shows who I am, switches company, lists sessions, switches language and signs out', async () => {
    const actor = { userId: null, ip: null };
    const acme = await server.runtime.services.admin.createCompany('Acme', actor);
    await server.runtime.services.admin.setMembership(ADMIN.account, acme.id, ['auditor'], actor);
    const page = await browser.context.newPage();
    await signIn(page, server);

    expect(await page.textContent(byId('me-company'))).toBe('Default');
    await page.selectOption(byId('company-select'), String(acme.id));
    await page.locator(`${byId('me-company')}:has-text("Acme")`).waitFor();
    expect(seen(server, '/auth/change-company')).toBe(1);

    const rows = page.locator(byId('session-row'));
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-current')).toBe('true');
    expect(await page.textContent(byId('countdown'))).toMatch(/1[45]:\d\d/); // about 15 minutes on the server's clock

    await page.click(byId('lang-zh'));
    await page.locator('h1:has-text("duotoken 控制台")').waitFor();
    await page.click(byId('lang-en'));
    await page.locator('h1:has-text("duotoken console")').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });

    await page.click(byId('sign-out'));
    await page.locator(byId('login-form')).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('duotoken-console'))).toBeNull();
    expect(await server.runtime.services.sessions.list(1, null)).toEqual([]);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('shows the captcha bound to t, draws a new one on click, and signs in with it', async () => {
    const strict = await startTestServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    try {
      const page = await browser.context.newPage();
      const drawn = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/captcha' && r.status() === 200);
      const firstDraw = drawn();
      await page.goto(`${strict.url}/console/`);
      const image = page.locator(byId('captcha-image'));
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
      await page.locator(`${byId('me-account')}:has-text("${ADMIN.account}")`).waitFor();
      await page.click(byId('sign-out'));
      await page.locator(byId('login-form')).waitFor();
      await page.close();
    } finally {
      await strict.close();
    }
  }, 60_000);

  it('two tabs with an expired access token make exactly one refresh, and signing out in one signs out both', async () => {
    const tab1 = await browser.context.newPage();
    await signIn(tab1, server);
    const tab2 = await browser.context.newPage();
    await tab2.goto(`${server.url}/console/`);
    await tab2.locator(`${byId('me-account')}:has-text("${ADMIN.account}")`).waitFor(); // same session, from localStorage
    const refreshesBefore = seen(server, '/auth/refresh-token');
    expect(refreshesBefore).toBe(0); // a fresh tab judged expiry on the server's clock, not its own

    // Hold every refresh answer a moment, so both tabs surely meet their 401s while the one refresh is in flight:
    // only the cross-tab lock (Web Locks) then keeps the second tab from refreshing too.
    await browser.context.route('**/auth/refresh-token', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    server.clock.advance(901);
    const done = (page: Page) =>
      Promise.all(
        ['/auth/me', '/auth/sessions'].map((path) =>
          page.waitForResponse((r) => new URL(r.url()).pathname === path && r.status() === 200, { timeout: 20_000 }),
        ),
      );
    const finished = Promise.all([done(tab1), done(tab2)]);
    await Promise.all([tab1.click(byId('reload')), tab2.click(byId('reload'))]);
    await finished;

    expect(seen(server, '/auth/refresh-token') - refreshesBefore).toBe(1);
    expect(await tab1.locator(byId('error')).count()).toBe(0);
    expect(await tab2.locator(byId('error')).count()).toBe(0);
    // Both tabs hold the one rotated pair.
    const [stored1, stored2] = await Promise.all([tab1, tab2].map((p) => p.evaluate(() => localStorage.getItem('duotoken-console'))));
    expect(stored1).toBe(stored2);

    await tab1.click(byId('sign-out'));
    await tab1.locator(byId('login-form')).waitFor();
    await tab2.locator(byId('login-form')).waitFor({ timeout: 10_000 });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
