// The web console's two figures for `npm run bench`: how much JavaScript it
// ships (gzip), and how soon the users page is usable with 10,000 users in
// the store (real Chromium, a cold profile per load).
// Functions passed to page.evaluate / addInitScript run in the browser:
/* global document, window, MutationObserver */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';

/** Gzip bytes of the console's JS: what the sign-in page loads first, and every chunk (admin pages load per route). */
export function consoleJsSize(root) {
  const dist = join(root, 'packages/server/console');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  // The entry script and the chunks Vite preloads with it: the first load.
  const first = [...html.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const all = readdirSync(join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `assets/${f}`);
  return {
    firstLoadGzipBytes: first.reduce((sum, f) => sum + gz(f), 0),
    allGzipBytes: all.reduce((sum, f) => sum + gz(f), 0),
    chunks: all.length,
  };
}

/** Adds `count` users straight into the server's SQLite file (the API would hash `count` passwords; the page only lists them). */
function seedUsers(dataDir, count) {
  const db = new Database(join(dataDir, 'duotoken.db'));
  db.pragma('busy_timeout = 5000');
  const hash = db.prepare('SELECT password_hash FROM users ORDER BY id LIMIT 1').get().password_hash;
  const now = Math.floor(Date.now() / 1000);
  const insert = db.prepare(
    "INSERT INTO users (account, name, password_hash, status, is_admin, created_at, updated_at) VALUES (?, ?, ?, 'active', 0, ?, ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run(`user-${String(i).padStart(5, '0')}`, `User ${i}`, hash, now - i, now - i);
  })();
  db.close();
}

/**
 * Median ms from navigation start until the users page shows its first rows
 * (of `users` users), over `loads` cold loads, each in a fresh browser
 * profile already signed in. Null (with the reason) without Chromium.
 */
export async function usersPageReadyMs({ server, adminPassword, browserPath, users = 10_000, loads = 5 }) {
  if (!browserPath || !existsSync(browserPath)) return { ms: null, reason: 'no Chromium (set DUOTOKEN_TEST_BROWSER)' };
  seedUsers(server.dataDir, users);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const times = [];
  try {
    for (let i = 0; i < loads; i++) {
      const login = await fetch(`${server.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account: 'admin', password: adminPassword }),
      });
      const pair = (await login.json()).data;
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      // Signed in as the console would be, and a probe that notes when the first user row is in the DOM.
      await context.addInitScript(
        (tokens) => {
          localStorage.setItem('duotoken-console', JSON.stringify(tokens));
          new MutationObserver((_changes, observer) => {
            if (document.querySelector('[data-testid="user-row"]')) {
              window.__usersReadyMs = performance.now();
              observer.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        },
        {
          accessToken: pair.access_token,
          refreshToken: pair.refresh_token,
          accessExpiresAt: pair.expires_at * 1000,
          refreshExpiresAt: pair.refresh_expires_at * 1000,
          clockOffsetMs: 0,
        },
      );
      const page = await context.newPage();
      await page.goto(`${server.url}/console/#/users`);
      await page.waitForFunction(() => typeof window.__usersReadyMs === 'number', null, { timeout: 30_000 });
      times.push(await page.evaluate(() => window.__usersReadyMs));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[Math.floor(times.length / 2)]), loads, users };
}

/** The console's figures as a Markdown section of the bench report. */
export function renderConsoleSection(figures) {
  if (!figures) return '';
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  const ready = figures.usersPageReady;
  return [
    '',
    '## Web console',
    '',
    '| figure | value |',
    '| --- | --- |',
    `| JS of the first load (sign-in page), gzip | ${kib(figures.firstLoadGzipBytes)} |`,
    `| all JS, ${figures.chunks} chunks (admin pages load per route), gzip | ${kib(figures.allGzipBytes)} |`,
    ready.ms === null
      ? `| users page ready with 10,000 users | not measured: ${ready.reason} |`
      : `| users page ready with ${ready.users.toLocaleString('en')} users (navigation start → first rows, median of ${ready.loads} cold loads) | ${ready.ms} ms |`,
    '',
  ].join('\n');
}
