import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, captchaAnswer, ADMIN, startTestServer, type TestServer } from '@duotoken/test-kit';
import {
  ARTIFACTS,
  BROWSER_PATH,
  ensureConsoleBuilt,
  horizontalOverflow,
  launchBrowser,
  seriousA11yViolations,
  SIZES,
  warnIfSkipped,
  type AxeFinding,
  type TestBrowser,
} from './browser-harness.js';
import { byId, open, signInWithCaptcha } from './console-driver.js';

warnIfSkipped('e2e/browser/console-tour.test.ts');

/** Screenshots of every page, in both languages and both sizes (git-ignored, kept by CI as artifacts). */
const SHOTS = join(ARTIFACTS, 'console');
const actor = { userId: null, ip: null };
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/**
 * Every page of the console as a platform admin sees it, with enough data to
 * fill it: at 1280×800 and 390×844, in zh-CN and en. Each must fit the
 * window (no horizontal overflow), show no error, and have no serious or
 * critical axe-core violation; open dialogs are checked too.
 */
/** A sign-in over HTTP from another device (its user agent and label); returns the status. */
async function apiLogin(server: TestServer, account: string, password: string, userAgent: string, deviceType: string): Promise<number> {
  const t = (await call<{ t: string }>(server, 'GET', '/auth/get_t')).body.data.t;
  await (await server.fetch(`/auth/captcha?t=${t}`)).text();
  const captcha = await captchaAnswer(server, t);
  const json = { account, password, t, captcha, device_type: deviceType };
  return (await call(server, 'POST', '/auth/login', { json, headers: { 'user-agent': userAgent } })).status;
}

describe.skipIf(!BROWSER_PATH)('every console page in both languages and sizes', () => {
  let server: TestServer;
  let browser: TestBrowser;
  const pages: Array<{ name: string; path: string }> = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'always', DUOTOKEN_RATE_LIMITS: 'off' });
    const admin = server.runtime.services.admin;
    const acme = await admin.createCompany('Acme 贸易有限公司', actor);
    await admin.createCompany('Globex', actor);
    const alice = await admin.createUser({ account: 'alice', password: 'a long enough password 1', name: '李爱丽' }, actor);
    await admin.setMembership('alice', acme.id, ['admin', 'member'], actor);
    for (let i = 0; i < 25; i++)
      await admin.createUser({ account: `user${String(i).padStart(2, '0')}`, password: 'a long enough password 1' }, actor);
    // Sessions from two devices, and a failed sign-in, for the sessions, audit and overview pages.
    expect(await apiLogin(server, 'alice', 'a long enough password 1', PHONE_UA, 'ios')).toBe(200);
    expect(await apiLogin(server, 'alice', 'a long enough password 1', 'curl/8.5.0', 'cli')).toBe(200);
    expect(await apiLogin(server, 'alice', 'not the password', 'curl/8.5.0', 'cli')).toBe(401);
    pages.push(
      { name: 'overview', path: '/overview' },
      { name: 'users', path: '/users' },
      { name: 'user', path: `/users/${alice.id}` },
      { name: 'companies', path: '/companies' },
      { name: 'company', path: `/companies/${acme.id}` },
      { name: 'sessions', path: '/sessions' },
      { name: 'audit', path: '/audit' },
      { name: 'keys', path: '/keys' },
      { name: 'account', path: '/account' },
      { name: 'my-sessions', path: '/account/sessions' },
    );
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Screenshot, fit and axe of what is on screen now. */
  async function check(page: Page, shot: string, findings: Record<string, AxeFinding[]>, overflow: Record<string, number>) {
    // Dialogs and the drawer slide in: shoot them where they stop.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
    overflow[shot] = await horizontalOverflow(page);
    const found = await seriousA11yViolations(page);
    if (found.length) findings[shot] = found;
  }

  for (const lang of ['zh-CN', 'en'] as const)
    for (const [size, viewport] of Object.entries(SIZES))
      it(`${lang} at ${viewport.width}×${viewport.height}: every page fits, has no serious a11y violation, and shows no error`, async () => {
        const context: BrowserContext = await browser.newContext({ viewport, locale: lang === 'en' ? 'en-US' : 'zh-CN' });
        const findings: Record<string, AxeFinding[]> = {};
        const overflow: Record<string, number> = {};
        const prefix = `${lang}-${size}`;
        try {
          const page = await context.newPage();
          await page.goto(`${server.url}/console/`);
          await page.locator(byId('captcha-image')).waitFor();
          await page.waitForFunction(() => (document.querySelector('[data-testid="captcha-image"]') as HTMLImageElement).complete);
          await check(page, `${prefix}-login`, findings, overflow);

          await signInWithCaptcha(page, server, ADMIN.account, ADMIN.password);
          for (const { name, path } of pages) {
            await open(page, server.url, path);
            expect(await page.locator(`${byId('page-error')}, ${byId('table-error')}`).count(), `${name} shows an error`).toBe(0);
            await check(page, `${prefix}-${name}`, findings, overflow);
          }

          // Dialogs: the create-user form and an audit event's details.
          await open(page, server.url, '/users');
          await page.click(byId('create-user'));
          await page.locator('.el-dialog').waitFor();
          await check(page, `${prefix}-users-create`, findings, overflow);
          await page.keyboard.press('Escape');
          await open(page, server.url, '/audit');
          await page.locator(byId('audit-details')).first().click();
          await page.locator(byId('audit-event-details')).waitFor();
          await check(page, `${prefix}-audit-event`, findings, overflow);
          if (size === 'phone') {
            await page.keyboard.press('Escape');
            await page.click(byId('nav-open'));
            await page.locator(byId('nav-users')).waitFor();
            await check(page, `${prefix}-nav`, findings, overflow);
          }
        } finally {
          await context.close();
        }
        expect(findings).toEqual({});
        expect(Object.entries(overflow).filter(([, px]) => px > 0)).toEqual([]);
        expect(browser.errors).toEqual([]);
      }, 120_000);
});
