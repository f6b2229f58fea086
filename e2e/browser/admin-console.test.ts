import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '@duotoken/test-kit';
import { BROWSER_PATH, ensureConsoleBuilt, launchBrowser, SIZES, warnIfSkipped, type TestBrowser } from './browser-harness.js';
import { byId, confirm, pick, rowTexts, settled, signIn, successMessage } from './console-driver.js';

warnIfSkipped('e2e/browser/admin-console.test.ts');

const actor = { userId: null, ip: null };
const PASSWORD = 'a long enough password 1';

/** Splits one CSV line (RFC 4180 quoting) into its cells. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** The access token a console tab holds. */
const accessTokenOf = (page: Page) =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('duotoken-console') ?? '{}') as { accessToken?: string }).accessToken ?? '');

describe.skipIf(!BROWSER_PATH)('the admin console in real Chromium, as an admin drives it', () => {
  let server: TestServer;
  let browser: TestBrowser;
  let acmeId: number;
  let globexUserId: number;

  beforeAll(async () => {
    ensureConsoleBuilt();
    server = await startTestServer({ DUOTOKEN_CAPTCHA: 'off', DUOTOKEN_RATE_LIMITS: 'off' });
    const admin = server.runtime.services.admin;
    acmeId = (await admin.createCompany('Acme', actor)).id;
    const globex = await admin.createCompany('Globex', actor);
    globexUserId = (await admin.createUser({ account: 'gina-globex', password: PASSWORD, name: 'Gina' }, actor)).id;
    await admin.setMembership('gina-globex', globex.id, ['member'], actor);
    await admin.createUser({ account: 'carl-acme-admin', password: PASSWORD, name: 'Carl' }, actor);
    await admin.setMembership('carl-acme-admin', acmeId, ['admin'], actor);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    'creates a user, adds them to a company with a role, sees their session, revokes it (refused within 1 s), ' +
      'finds it all in the audit log and its CSV export',
    async () => {
      const adminContext = await browser.newContext();
      const page = await adminContext.newPage();
      await signIn(page, server.url, ADMIN.account, ADMIN.password, '/overview');
      expect(await page.locator(byId('tile-store')).innerText()).toContain('SQLite');

      // Users → Create user.
      await page.click(byId('nav-users'));
      await page.locator(byId('user-row')).first().waitFor();
      await page.click(byId('create-user'));
      await page.fill(byId('new-account'), 'dora');
      await page.fill(byId('new-name'), 'Dora Explorer');
      await page.fill(byId('new-password'), PASSWORD);
      await page.click(byId('create-user-submit'));
      await page.waitForURL(/#\/users\/\d+$/);
      const doraId = Number(/users\/(\d+)/.exec(page.url())![1]);
      await page.locator(`${byId('page-title')}:has-text("dora")`).waitFor();

      // Add to Acme with the role "editor" (typed: roles are free strings).
      await page.click(byId('add-membership'));
      // Saved without a company, the dialog says what is missing (and stays open).
      await page.click(byId('membership-submit'));
      await page.locator(`${byId('membership-dialog')} .el-form-item__error:has-text("Pick a company")`).waitFor();
      await pick(page, 'membership-company', 'Acme', 'Acme');
      await page.locator(byId('membership-roles')).click();
      await page.keyboard.type('editor');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape'); // closes the roles list, not the dialog
      await page.click(byId('membership-submit'));
      await successMessage(page);
      await page.locator(`${byId('membership-row')}:has-text("Acme")`).waitFor();
      expect(await page.locator(byId('membership-row')).innerText()).toContain('editor');
      const detail = await server.runtime.services.admin.userDetail('dora', actor);
      expect(detail.companies.map((c) => [c.name, c.roles])).toEqual([['Acme', ['editor']]]);

      // Dora signs in on her phone, in a second browser profile: not an admin, she gets the self-service pages only.
      const phone = await browser.newContext({ viewport: SIZES.phone });
      const dora = await phone.newPage();
      await signIn(dora, server.url, 'dora', PASSWORD);
      expect(await dora.locator(byId('nav-open')).count()).toBe(1);
      await dora.goto(`${server.url}/console/#/users`);
      await dora.waitForURL(/#\/account$/); // the UI hides what the API refuses
      const doraToken = await accessTokenOf(dora);
      expect((await server.fetch('/admin/users', { headers: { authorization: `Bearer ${doraToken}` } })).status).toBe(403);

      // Sessions page: her session, found by the user filter, with a readable device name.
      await page.click(byId('nav-sessions'));
      await page.fill(byId('filter-user'), 'dora');
      const row = page.locator(byId('admin-session-row'));
      await page.waitForFunction(() => {
        const rows = document.querySelectorAll('[data-testid="admin-session-row"]');
        return rows.length === 1 && rows[0]!.textContent!.includes('dora');
      });
      expect(await row.locator(byId('device-name')).innerText()).toMatch(/Linux/);
      await row.locator(byId('revoke-session')).click();
      await confirm(page);
      await successMessage(page);
      const revokedAt = Date.now();

      // Her next call is refused, within a second of the revocation.
      let status = 0;
      while (Date.now() - revokedAt < 1000) {
        status = (await server.fetch('/auth/me', { headers: { authorization: `Bearer ${doraToken}` } })).status;
        if (status === 401) break;
      }
      expect(status).toBe(401);
      await dora.goto(`${server.url}/console/#/account/sessions`); // her next call, from the page
      await dora.locator(byId('login-notice')).waitFor({ timeout: 10_000 });
      await page.locator(byId('admin-session-row')).first().waitFor({ state: 'detached' });

      // Audit: everything that happened to Dora, with its details, and the same rows in the CSV.
      await page.click(byId('nav-audit'));
      await page.fill(byId('filter-subject'), 'dora');
      await page.click(byId('apply-filters'));
      await page.waitForURL(/subject=dora/);
      // The filtered list replaces the whole one: wait until every row shown is about Dora.
      await page.waitForFunction((id) => {
        const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
        return rows.length >= 3 && rows.every((row) => row.querySelector(`a[href$="/users/${id}"]`));
      }, doraId);
      const types = await page.locator(byId('audit-type')).allInnerTexts();
      expect(types).toContain('login.success');
      expect(types).toContain('session.revoked');
      expect(types.some((t) => t.startsWith('admin.'))).toBe(true);
      await page.locator(byId('audit-details')).first().click();
      expect(await page.locator(byId('audit-event-details')).innerText()).toMatch(/^\{/);
      await page.keyboard.press('Escape');

      const download = page.waitForEvent('download');
      await page.click(byId('export-csv'));
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.csv$/);
      const lines = readFileSync((await file.path())!, 'utf8')
        .trim()
        .split(/\r?\n/);
      const header = csvCells(lines[0]!);
      const rows = lines.slice(1).map(csvCells);
      expect(header).toEqual(expect.arrayContaining(['id', 'type', 'outcome']));
      expect(rows.length).toBe(types.length);
      const typeColumn = header.indexOf('type');
      expect(rows.map((r) => r[typeColumn])).toEqual(types);
      const subjectColumn = header.indexOf('subject_id');
      expect(new Set(rows.map((r) => r[subjectColumn]))).toEqual(new Set([String(doraId)]));

      await Promise.all([adminContext.close(), phone.close()]);
      expect(browser.errors).toEqual([]);
    },
    90_000,
  );

  it("a company admin sees and reaches only their company's users, in the UI and through the API", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url, 'carl-acme-admin', PASSWORD, '/users');
    const accounts = await page.locator(byId('user-link')).allInnerTexts();
    expect(accounts).toContain('carl-acme-admin');
    expect(accounts).not.toContain('gina-globex');
    expect(accounts).not.toContain(ADMIN.account);
    // No platform pages in the navigation, and their URLs lead back to the users page.
    for (const id of ['nav-overview', 'nav-audit', 'nav-keys']) expect(await page.locator(byId(id)).count(), id).toBe(0);
    await page.goto(`${server.url}/console/#/audit`);
    await page.waitForURL(/#\/users$/);
    // Another company's user by URL: the API answers "not allowed / not found", the page says so and shows nothing of them.
    await page.goto(`${server.url}/console/#/users/${globexUserId}`);
    await page.locator(byId('page-error')).waitFor();
    expect(await page.locator('body').innerText()).not.toContain('gina-globex');
    // Companies: only Acme.
    await page.click(byId('nav-companies'));
    await page.locator(byId('company-row')).first().waitFor();
    expect(await rowTexts(page, 'company-row')).toEqual([expect.stringContaining('Acme')]);

    // The API itself, with the same token: the UI only hides, the server refuses.
    const token = await accessTokenOf(page);
    const get = (path: string) => server.fetch(path, { headers: { authorization: `Bearer ${token}` } });
    expect([403, 404]).toContain((await get(`/admin/users/${globexUserId}`)).status);
    expect([403, 404]).toContain((await get(`/admin/users/${globexUserId + 1000}`)).status);
    expect((await get(`/admin/users/${globexUserId}`)).status).toBe((await get(`/admin/users/${globexUserId + 1000}`)).status);
    expect((await get('/admin/audit')).status).toBe(403);
    expect((await get('/admin/keys')).status).toBe(403);
    const listed = (await (await get('/admin/users?limit=200')).json()) as { data: { items: Array<{ account: string }> } };
    expect(listed.data.items.map((u) => u.account)).not.toContain('gina-globex');
    await context.close();
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('edits, resets, disables, renames, rotates: each change shows only after the server confirms it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url, ADMIN.account, ADMIN.password, `/users/${globexUserId}`);

    // Edit the name.
    await page.click(byId('edit-name'));
    await page.fill(byId('text-dialog-input'), 'Gina Globex');
    await page.click(byId('text-dialog-submit'));
    await page.locator(`${byId('user-name')}:has-text("Gina Globex")`).waitFor();

    // Disable asks first; cancelling changes nothing; confirming disables.
    await page.click(byId('disable-user'));
    await page.locator('.el-message-box').getByRole('button', { name: 'Cancel' }).click();
    expect((await server.runtime.services.admin.userDetail('gina-globex', actor)).status).toBe('active');
    await page.click(byId('disable-user'));
    await confirm(page);
    await page.locator(byId('enable-user')).waitFor();
    expect((await server.runtime.services.admin.userDetail('gina-globex', actor)).status).toBe('disabled');
    await page.click(byId('enable-user'));
    await page.locator(byId('disable-user')).waitFor();

    // A refused change shows the server's answer and leaves the page as it was: a password the policy refuses.
    await page.click(byId('reset-password'));
    await page.fill(byId('reset-password-input'), 'short');
    await page.click(byId('reset-password-submit'));
    await page.locator('.el-message--error').waitFor();
    expect(await page.locator(byId('reset-password-dialog')).isVisible()).toBe(true);
    await page.fill(byId('reset-password-input'), 'another long password 3');
    await page.click(byId('reset-password-submit'));
    await successMessage(page);

    // Companies: create, rename, disable.
    await page.click(byId('nav-companies'));
    await page.click(byId('create-company'));
    await page.fill(byId('text-dialog-input'), 'Initech');
    await page.click(byId('text-dialog-submit'));
    await page.locator(`${byId('page-title')}:has-text("Initech")`).waitFor();
    await page.click(byId('rename-company'));
    await page.fill(byId('text-dialog-input'), 'Initrode');
    await page.click(byId('text-dialog-submit'));
    await page.locator(`${byId('page-title')}:has-text("Initrode")`).waitFor();
    await page.click(byId('disable-company'));
    await confirm(page);
    await page.locator(byId('enable-company')).waitFor();

    // Keys: rotate after a confirmation; the new key signs, the old one stays published.
    await page.click(byId('nav-keys'));
    await page.locator(byId('key-row')).first().waitFor();
    const before = await page.locator(byId('key-kid')).allInnerTexts();
    await page.click(byId('rotate-keys'));
    await confirm(page);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="key-row"]').length === n + 1, before.length);
    const after = await page.locator(byId('key-kid')).allInnerTexts();
    expect(after).toEqual(expect.arrayContaining(before));
    await context.close();
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('works from the keyboard alone: skip link, navigation, sorting, and a dialog that traps focus and gives it back', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, server.url, ADMIN.account, ADMIN.password, '/overview');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? '');

    // The first Tab reaches the skip link, which moves focus to the page content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('skip-link');
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('main');

    // Navigation links are reached with Tab and followed with Enter.
    await page.focus(byId('nav-users'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/users$/);
    await page.locator(byId('user-row')).first().waitFor();

    // Sorting is a button in the column header.
    await page.focus(byId('sort-account'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=account/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/order=desc/);
    await settled(page, '/users');
    const accounts = await page.locator(byId('user-link')).allInnerTexts();
    expect(accounts).toEqual([...accounts].sort().reverse());

    // The create dialog takes focus, keeps Tab inside, closes on Escape and returns focus to its opener.
    await page.focus(byId('create-user'));
    await page.keyboard.press('Enter');
    await page.locator(byId('create-user-dialog')).waitFor();
    await page.waitForFunction(() => document.querySelector('.el-dialog')?.contains(document.activeElement) === true);
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.querySelector('.el-dialog')?.contains(document.activeElement))).toBe(true);
    }
    await page.focus(byId('new-account')); // Escape in an open select closes the select first, as it should
    await page.keyboard.press('Escape');
    await page.locator('.el-dialog').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'create-user');
    await context.close();
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('the keys page of an HS256 server shows the shared secret without an age or a creation time (—, not "0 s")', async () => {
    const hs = await startTestServer({
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_JWT_ALG: 'HS256',
      DUOTOKEN_JWT_SECRET: Buffer.alloc(32, 9).toString('base64url'),
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signIn(page, hs.url, ADMIN.account, ADMIN.password, '/keys');
      await page.locator(byId('key-row')).first().waitFor();
      const [row] = await rowTexts(page, 'key-row');
      expect(row).toContain('HS256');
      expect(row).not.toMatch(/\b0 s\b/);
      expect(row?.match(/—/g)?.length).toBeGreaterThanOrEqual(3);
      expect(browser.errors).toEqual([]);
    } finally {
      await context.close();
      await hs.close();
    }
  }, 60_000);
});
