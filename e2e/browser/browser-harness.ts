import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium binary of the real-browser tests; unset means they are skipped (and say so). */
export const BROWSER_PATH = process.env.DUOTOKEN_TEST_BROWSER;

/** Screenshots land here (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

const REPO = fileURLToPath(new URL('../../', import.meta.url));

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

/** A headless Chromium with a fresh profile; `close()` removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'duotoken-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
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
    viewport: { width: 1100, height: 900 },
    locale: 'en-US',
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
