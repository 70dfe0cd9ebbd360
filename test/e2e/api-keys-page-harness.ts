// What the API Keys page's browser tests share: a reference server on a temporary SQLite file,
// Debian's chromium through playwright-core, the viewports the page is checked at, and the steps
// every test repeats (sign in, read the key shown once, find a key's row). Screenshots go to
// test/e2e/screenshots/ (git-ignored; a few are copied to docs/screenshots/ for the README).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../examples/src/admin/reference-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

/** True when chromium is installed; CI never skips the browser tests. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    const message = `${CHROMIUM} is missing (apt-get install -y chromium)`;
    if (process.env.CI === 'true') throw new Error(`${message}; CI never skips the browser tests`);
    console.warn(`SKIPPED: ${message}; the API Keys page browser tests are skipped locally`);
  }
  return available;
}

/** A reference server and a browser, started together and closed together. */
export interface PageHarness {
  readonly server: ReferenceServer;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startPageHarness(): Promise<PageHarness> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const directory = mkdtempSync(join(tmpdir(), 'keygate-e2e-'));
  const server = await startReferenceServer({
    storeUrl: `sqlite:${join(directory, 'keys.db')}`,
    port: 0,
    lastUsedFlushMs: 100,
    cacheTtlMs: 100,
    env: {},
    cwd: directory,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The two widths the page is checked at. */
export const DESKTOP = { viewport: { width: 1280, height: 800 } } as const;
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
} as const;

/** A new browser context at one of the widths, with a page open. */
export async function openPage(
  harness: PageHarness,
  device: typeof DESKTOP | typeof PHONE,
): Promise<{ context: BrowserContext; page: Page; scriptErrors: string[] }> {
  const context = await harness.browser.newContext(device);
  const page = await context.newPage();
  // Uncaught errors of the page's own script (a refused request is not one).
  const scriptErrors: string[] = [];
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  return { context, page, scriptErrors };
}

/** Signs in through the printed link and waits for the list. */
export async function signIn(page: Page, server: ReferenceServer): Promise<void> {
  await page.goto(`${server.url}/#token=${server.adminToken}`);
  await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
}

/** The row of the key with this plaintext (matched by its display prefix). */
export function rowOf(page: Page, key: string): Locator {
  return page.locator('#key-rows tr', {
    has: page.locator('code', { hasText: `${key.slice(0, 14)}…` }),
  });
}

/** The key shown once, read from its dialog. */
export async function readSecret(page: Page, environment = 'live'): Promise<string> {
  const dialog = page.locator('#secret-dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expect.poll(() => dialog.textContent()).toMatch(/will not be shown again/);
  const key = await page.locator('#secret-value').inputValue();
  expect(key).toMatch(new RegExp(`^sk_${environment}_[A-Za-z0-9_-]{48}$`));
  return key;
}

/** Closes the dialog the way it is meant to be closed; the key then leaves the page. */
export async function closeSecret(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'I have stored the key' }).click();
  await expect.poll(() => page.locator('#secret-dialog').isVisible()).toBe(false);
  await expect.poll(() => page.locator('#secret-value').inputValue()).toBe('');
}

/** Opens the create dialog and fills its name. */
export async function startCreate(page: Page, name: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Create API key' }).click();
  const dialog = page.locator('#create-dialog');
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await dialog.getByLabel('Name').fill(name);
  return dialog;
}

/** How far the page is wider than its viewport (0 or less: no sideways scrolling). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
}

/** A screenshot in test/e2e/screenshots/. */
export function screenshot(page: Page, name: string, fullPage = false): Promise<Buffer> {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}
