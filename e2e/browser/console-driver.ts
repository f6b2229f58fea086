import type { Page } from 'playwright-core';
import { captchaAnswer, type TestServer } from '@duotoken/test-kit';

/** `[data-testid="…"]`. */
export const byId = (id: string) => `[data-testid="${id}"]`;

/** Opens the console on `path` (a hash route such as `/users`) and signs in through the form. */
export async function signIn(page: Page, baseUrl: string, account: string, password: string, path = '/account'): Promise<void> {
  await page.goto(`${baseUrl}/console/#/login?redirect=${encodeURIComponent(path)}`);
  await page.locator(byId('login-form')).waitFor();
  await page.fill(byId('login-account'), account);
  await page.fill(byId('login-password'), password);
  await page.click(byId('login-submit'));
  await page.waitForURL((url) => url.hash.startsWith(`#${path}`));
  await settled(page, path.split('?')[0]!);
}

/** Signs in through the form of a page already on the sign-in screen, reading the captcha as a person would (from the server's record of it). */
export async function signInWithCaptcha(page: Page, server: TestServer, account: string, password: string): Promise<void> {
  const image = page.locator(byId('captcha-image'));
  await image.waitFor();
  await page.waitForFunction(() => (document.querySelector('[data-testid="captcha-image"]') as HTMLImageElement | null)?.complete === true);
  const t = new URL((await image.getAttribute('src'))!).searchParams.get('t')!;
  await page.fill(byId('login-account'), account);
  await page.fill(byId('login-password'), password);
  await page.fill(byId('login-captcha'), await captchaAnswer(server, t));
  await page.click(byId('login-submit'));
  await page.locator(byId('page-title')).waitFor();
}

/**
 * Waits until the console shows `path` with its data: the route is
 * rendered, no request is in flight (the page is not `aria-busy`), and no
 * list says it is loading.
 */
export async function settled(page: Page, path: string): Promise<void> {
  await page.waitForFunction((expected) => {
    const main = document.querySelector('main#main');
    return main?.getAttribute('data-route') === expected && !document.querySelector('[aria-busy="true"]');
  }, path);
}

/** Opens `path` (a hash route) in a console already signed in, and waits until it is settled. */
export async function open(page: Page, baseUrl: string, path: string): Promise<void> {
  await page.goto(`${baseUrl}/console/#${path}`);
  await settled(page, path.split('?')[0]!);
}

/** Answers the open confirmation (Element Plus message box) with its confirm button. */
export async function confirm(page: Page): Promise<void> {
  const box = page.locator('.el-message-box');
  await box.waitFor();
  await box.locator('.el-button--danger').click();
  await box.waitFor({ state: 'detached' });
}

/** Picks `label` in the Element Plus select marked `testid` (typing into it first when it searches the server). */
export async function pick(page: Page, testid: string, label: string, search?: string): Promise<void> {
  const select = page.locator(byId(testid)).first();
  await select.click();
  if (search !== undefined) {
    await page.keyboard.type(search);
    // The server's answer replaces the list shown before it: click in the answer, not in a list
    // about to go (a click there lands on whatever the new list has at that spot, or on nothing).
    await page.waitForFunction((text) => {
      const shown = [...document.querySelectorAll<HTMLElement>('.el-select-dropdown__item')].filter((e) => e.offsetParent !== null);
      return shown.length > 0 && shown.every((e) => e.textContent!.toLowerCase().includes(text.toLowerCase()));
    }, search);
  }
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first();
  await option.waitFor();
  await option.click();
  // Chosen: the select shows the label (typed text is an input's value, not its text).
  await page.waitForFunction(([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(text) === true, [
    testid,
    label,
  ] as const);
}

/** The text of every row marked `testid`. */
export function rowTexts(page: Page, testid: string): Promise<string[]> {
  return page.locator(byId(testid)).allInnerTexts();
}

/** Waits until the success message of an action shows, and returns its text. */
export async function successMessage(page: Page): Promise<string> {
  const message = page.locator('.el-message--success').last();
  await message.waitFor();
  return message.innerText();
}
