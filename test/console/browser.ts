import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's chromium (installed by the test setup like PostgreSQL); CHROMIUM_PATH overrides. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every console page, kept as test artifacts (ignored by git). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', '.artifacts', 'console');

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: the suite may run as root (CI containers), where Chromium's sandbox refuses to start.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the console's form and lands on the overview. */
export async function signIn(page: Page, baseUrl: string, apiKey: string): Promise<void> {
  await page.goto(`${baseUrl}/console`);
  await page.waitForURL('**/console/login');
  await page.fill('input[name="apiKey"]', apiKey);
  await Promise.all([page.waitForURL(`${baseUrl}/console`), page.click('button[type="submit"]')]);
}
