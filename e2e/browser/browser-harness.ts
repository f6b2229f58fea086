import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** The Chromium binary of the real-browser tests; unset means they are skipped (and say so). */
export const BROWSER_PATH = process.env.DUOTOKEN_TEST_BROWSER;

/** Screenshots land here (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The two window sizes every console page must fit: a laptop and a phone. */
export const SIZES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Says loudly that the browser tests did not run, so a green run is not mistaken for a tested console. */
export function warnIfSkipped(suite: string): void {
  if (!BROWSER_PATH)
    console.warn(
      `${suite}: NOT RUN — set DUOTOKEN_TEST_BROWSER to a Chromium binary (e.g. /usr/bin/chromium) to run the real-browser tests`,
    );
}

/** Builds the console once when its dist folder is missing (CI builds it before the tests). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(REPO, 'packages/server/console/index.html'))) return;
  execFileSync('npm', ['run', 'build', '-w', '@duotoken/console'], { cwd: REPO, stdio: 'ignore' });
}

/** One headless Chromium; each `newContext()` is a separate browser profile (its own localStorage: another person). */
export interface TestBrowser {
  /** The first context (1280×800, en-US). */
  context: BrowserContext;
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Page errors and console errors of every context so far (a test expects none). */
  errors: string[];
  close(): Promise<void>;
}

/** Launches headless Chromium with the flags this machine and CI need. Never pass `bypassCSP`: the tests must see CSP violations. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: BROWSER_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const errors: string[] = [];
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext({ viewport: SIZES.desktop, locale: 'en-US', acceptDownloads: true, ...options });
    context.on('weberror', (e) => errors.push(e.error().message));
    context.on('console', (m) => {
      // A refused call shows as a failed resource load in the console: expected where a test makes the server refuse.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    return context;
  };
  return { context: await newContext(), newContext, errors, close: () => browser.close() };
}

const AXE_SOURCE = readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** An axe-core finding, reduced to what a failing assertion should print. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules, best practices) over the page
 * and returns its serious and critical violations. axe is evaluated through
 * the DevTools protocol, which the page's CSP does not govern, so the console
 * keeps `script-src 'self'` while it is checked.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeFinding[]> {
  // A dialog still fading in is half transparent: axe would measure the contrast of a frame of the fade.
  // (Endless ones, a spinner's, never settle and are not waited for.)
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return (result.violations as Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>)
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Width of the page's content beyond the window (0 when everything fits, the bar for every page at 390 px). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
