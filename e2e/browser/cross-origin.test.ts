import type { Page } from 'playwright-core';
import type * as Sdk from '@duotoken/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestServer } from '@duotoken/test-kit';
import { BROWSER_PATH, launchBrowser, warnIfSkipped } from './browser-harness.js';
import { startPageServer, type PageServer } from './page-server.js';

warnIfSkipped('e2e/browser/cross-origin.test.ts');

/** What the page saw of one dialect's sign-in and refresh. */
interface Outcome {
  meAfterLogin: number;
  meAfterRefresh: number;
  accessRotated: boolean;
  /** Server clock minus page clock, as the SDK measured it from the `Date` header. */
  skewMs: number;
  dateVisible: boolean;
  requestIdVisible: boolean;
}

/** Signs in and refreshes from inside the page, with the built SDK, against the API on another origin. */
function signInAndRefresh(page: Page, api: string, dialect: 'standard' | 'lin-cms' | 'mmm', mePath: string): Promise<Outcome> {
  return page.evaluate(
    async ({ api, dialect, mePath, account, password }) => {
      const { createAuthClient } = (window as unknown as { duotoken: typeof Sdk }).duotoken;
      const auth = createAuthClient({ baseUrl: api, dialect, storage: 'memory', crossTab: false, storageKey: dialect });
      // standard and mmm share POST /auth/login: a body with `t` is a standard login (SPEC §5).
      const t = dialect === 'standard' ? (await auth.getChallenge()).t : undefined;
      const first = await auth.login({ account, password, t });
      const meAfterLogin = (await auth.fetch(`${api}${mePath}`)).status;
      const second = await auth.refresh();
      const meAfterRefresh = (await auth.fetch(`${api}${mePath}`)).status;
      const plain = await fetch(`${api}/healthz`);
      return {
        meAfterLogin,
        meAfterRefresh,
        accessRotated: !first.mfaRequired && first.accessToken !== second.accessToken,
        skewMs: auth.serverNow() - Date.now(),
        dateVisible: plain.headers.get('date') !== null,
        requestIdVisible: plain.headers.get('x-request-id') !== null,
      };
    },
    { api, dialect, mePath, account: ADMIN.account, password: ADMIN.password },
  );
}

/** Lines of the server's request log for `method url`. */
const requestsSeen = (server: TestServer, method: string, url: string) =>
  server.logs.filter(
    (line) => line.includes('incoming request') && line.includes(`"method":"${method}"`) && line.includes(`"url":"${url}"`),
  ).length;

describe.skipIf(!BROWSER_PATH)('a page on another origin, in real Chromium (#12.11, SPEC §10)', () => {
  let app: PageServer;
  let stranger: PageServer;
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    app = await startPageServer();
    stranger = await startPageServer();
    server = await startTestServer({
      DUOTOKEN_DIALECTS: 'standard,lin-cms,mmm',
      DUOTOKEN_CAPTCHA: 'off',
      DUOTOKEN_RATE_LIMITS: 'off',
      DUOTOKEN_CORS_ORIGINS: app.origin,
    });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await app?.close();
    await stranger?.close();
  });

  async function open(origin: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'duotoken' in window);
    return page;
  }

  it.each([
    ['standard', '/auth/me'],
    ['lin-cms', '/cms/user/information'],
    ['mmm', '/v1/auth/me'],
  ] as const)(
    '#12.11 a listed origin signs in and refreshes through %s with the SDK (baseUrl on the API origin)',
    async (dialect, mePath) => {
      const page = await open(app.origin);
      const outcome = await signInAndRefresh(page, server.url, dialect, mePath);
      await page.close();
      expect(outcome).toMatchObject({
        meAfterLogin: 200,
        meAfterRefresh: 200,
        accessRotated: true,
        dateVisible: true,
        requestIdVisible: true,
      });
      // The server runs on a fake clock months behind: the SDK can only know it from the exposed Date header.
      expect(Math.abs(outcome.skewMs - (server.clock.now() - Date.now()))).toBeLessThan(60_000);
    },
  );

  it('#12.11 an unlisted origin is refused by the browser: no preflighted call is sent, no answer is readable', async () => {
    const page = await open(stranger.origin);
    const loginsBefore = requestsSeen(server, 'POST', '/auth/login');
    const outcome = await page.evaluate(
      async ({ api, account, password }) => {
        const failure = (p: Promise<unknown>) =>
          p.then(
            () => 'read',
            (e: unknown) => (e as { code?: string; name?: string }).code ?? (e as Error).name,
          );
        const { createAuthClient } = (window as unknown as { duotoken: typeof Sdk }).duotoken;
        const auth = createAuthClient({ baseUrl: api, dialect: 'mmm', storage: 'memory', crossTab: false });
        return {
          sdkLogin: await failure(auth.login({ account, password })),
          rawLogin: await failure(
            fetch(`${api}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
          ),
          simpleGet: await failure(fetch(`${api}/healthz`)),
        };
      },
      { api: server.url, account: ADMIN.account, password: ADMIN.password },
    );
    await page.close();
    expect(outcome).toEqual({ sdkLogin: 'NETWORK_ERROR', rawLogin: 'TypeError', simpleGet: 'TypeError' });
    // The preflight was refused, so the login itself never left the browser.
    expect(requestsSeen(server, 'POST', '/auth/login')).toBe(loginsBefore);
    expect(requestsSeen(server, 'OPTIONS', '/auth/login')).toBeGreaterThan(0);
  });
});

describe.skipIf(!BROWSER_PATH)('the API documentation page in real Chromium (#12.10)', () => {
  let page: PageServer;
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    page = await startPageServer();
    server = await startTestServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await page?.close();
  });

  it('#12.10 /docs renders under its policy, and a page on another origin cannot frame it (frame-ancestors)', async () => {
    const docs = await browser.context.newPage();
    await docs.goto(`${server.url}/docs`);
    await docs.locator('.swagger-ui .info .title').waitFor();
    expect(await docs.textContent('.swagger-ui .info .title')).toContain('duotoken');
    await docs.close();

    const framing = await browser.context.newPage();
    await framing.goto(`${page.origin}/`);
    await framing.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.src = src;
      document.body.append(frame);
      return new Promise((resolve) => frame.addEventListener('load', resolve));
    }, `${server.url}/docs/`);
    const framed = framing.frames().find((f) => f !== framing.mainFrame());
    expect(framed).toBeDefined();
    // Chromium shows its error page instead of the refused document.
    expect(await framed!.locator('.swagger-ui').count()).toBe(0);
    expect(framed!.url()).not.toContain('/docs');
    await framing.close();
  });
});
