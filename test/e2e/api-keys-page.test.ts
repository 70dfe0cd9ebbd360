// The API Keys page in a real browser (Debian chromium driven by playwright-core): sign in,
// create a key and read it from the dialog, use it over HTTP, watch "last used" fill in, rotate,
// delete, and see the deleted key refused. Screenshots go to test/artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../examples/src/admin/reference-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) {
  const message = `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI never skips the browser tests`);
  console.warn(`SKIPPED: ${message}; the API Keys page browser tests are skipped locally`);
}

describe.skipIf(!available)('the API Keys page in chromium', () => {
  const directory = mkdtempSync(join(tmpdir(), 'keygate-e2e-'));
  let server: ReferenceServer;
  let browser: Browser;
  const printed: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Everything the server writes to the console, to prove that no key ends up there.
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
    server = await startReferenceServer({
      storeUrl: `sqlite:${join(directory, 'keys.db')}`,
      port: 0,
      lastUsedFlushMs: 100,
      cacheTtlMs: 100,
      env: {},
      cwd: directory,
    });
    browser = await chromium.launch({
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
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    vi.restoreAllMocks();
    rmSync(directory, { recursive: true, force: true });
  });

  const sites = (key: string) =>
    fetch(`${server.url}/api/sites`, { headers: { 'x-api-key': key } });
  const rowWithPrefix = (page: Page, key: string) =>
    page.locator('#key-rows tr', {
      has: page.locator('code', { hasText: `${key.slice(0, 14)}…` }),
    });

  async function readSecret(page: Page): Promise<string> {
    const dialog = page.locator('#secret-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => dialog.textContent()).toMatch(/will not be shown again/);
    const key = await page.locator('#secret-value').inputValue();
    expect(key).toMatch(/^sk_live_[A-Za-z0-9_-]{48}$/);
    return key;
  }

  async function closeSecret(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'I have stored the key' }).click();
    await expect.poll(() => page.locator('#secret-dialog').isVisible()).toBe(false);
    // Shown once: the key has left the page.
    await expect.poll(() => page.locator('#secret-value').inputValue()).toBe('');
  }

  it('signs in, creates, uses, rotates and deletes a key', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/`);
      await page.getByLabel('Admin token').fill('kga_not-the-token-at-all-00000000000000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('not valid');

      await page.getByLabel('Admin token').fill(server.adminToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
      await expect.poll(() => page.locator('#key-rows tr').count()).toBe(1);
      const cookies = await context.cookies();
      expect(cookies).toEqual([
        expect.objectContaining({ name: 'keygate_admin', httpOnly: true, sameSite: 'Strict' }),
      ]);

      // Create: keyboard focus starts in the dialog, on the name.
      await page.getByRole('button', { name: 'Create API key' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('key-name');
      await page.keyboard.type('Browser key');
      await page.getByLabel('Expires').selectOption('30d');
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-create-dialog.png') });
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page);
      await page.getByRole('button', { name: 'Copy' }).click();
      await expect
        .poll(() => page.locator('#copy-status').textContent())
        .toBe('Copied to the clipboard.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-shown-once.png') });
      await closeSecret(page);

      const row = rowWithPrefix(page, key);
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.locator('.key-name').textContent()).toBe('Browser key');
      expect(await row.locator('.last-used').textContent()).toBe('Never');

      // Use it over HTTP; "last used" fills in once the server has written it.
      const used = await sites(key);
      expect(used.status).toBe(200);
      expect(await used.json()).toEqual([expect.objectContaining({ siteName: 'Wind Park Beta' })]);
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return rowWithPrefix(page, key).locator('.last-used').textContent();
          },
          { timeout: 10_000, interval: 300 },
        )
        .not.toBe('Never');
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-desktop.png'), fullPage: true });

      // Rotate with a grace period: the old key keeps working, the new one works.
      await rowWithPrefix(page, key).getByRole('button', { name: 'Rotate Browser key' }).click();
      await page.getByLabel('The old key keeps working for').selectOption('1h');
      await page.getByRole('button', { name: 'Rotate key' }).click();
      const successor = await readSecret(page);
      expect(successor).not.toBe(key);
      await closeSecret(page);
      await expect.poll(() => page.locator('#key-rows tr').count()).toBe(3);
      expect(await rowWithPrefix(page, key).locator('.key-status').textContent()).toBe('Rotated');
      expect((await sites(key)).status).toBe(200);
      expect((await sites(successor)).status).toBe(200);

      // Delete after confirming; the key is refused at once.
      await rowWithPrefix(page, successor)
        .getByRole('button', { name: 'Delete Browser key' })
        .click();
      const confirm = page.locator('#delete-dialog');
      await expect.poll(() => confirm.isVisible()).toBe(true);
      expect(await confirm.textContent()).toContain(successor.slice(0, 14));
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-delete-confirm.png') });
      await confirm.getByRole('button', { name: 'Delete key' }).click();
      await expect.poll(() => rowWithPrefix(page, successor).count()).toBe(0);
      const refused = await sites(successor);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'invalid_api_key' });

      // Escape cancels a confirmation; nothing is deleted.
      await rowWithPrefix(page, key).getByRole('button', { name: 'Delete Browser key' }).click();
      await page.keyboard.press('Escape');
      await expect.poll(() => confirm.isVisible()).toBe(false);
      expect(await rowWithPrefix(page, key).count()).toBe(1);
      expect((await sites(key)).status).toBe(200);

      // Writes without the page's CSRF token are refused, even with the session cookie.
      const forged = await page.evaluate(async () => {
        const response = await fetch('/admin/api/keys', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Forged' }),
        });
        return response.status;
      });
      expect(forged).toBe(403);

      for (const secret of [key, successor]) {
        expect(printed.join('\n')).not.toContain(secret);
      }
    } finally {
      await context.close();
    }
  });

  it('reads well on a phone, signed in through the printed link', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/#token=${server.adminToken}`);
      await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
      // The token leaves the address bar once used.
      expect(new URL(page.url()).hash).toBe('');
      await expect.poll(() => page.locator('#key-rows tr').count()).toBeGreaterThan(0);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-phone.png'), fullPage: true });
      await page.getByRole('button', { name: 'Create API key' }).click();
      await page.getByLabel('Name').fill('Phone key');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await readSecret(page);
      await page.screenshot({ path: join(ARTIFACTS, 'api-keys-phone-shown-once.png') });
      await closeSecret(page);
    } finally {
      await context.close();
    }
  });
});
