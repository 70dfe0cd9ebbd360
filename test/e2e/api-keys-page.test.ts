// The API Keys page in a real browser (Debian chromium driven by playwright-core): sign in,
// create a key and read it from the dialog, use it over HTTP, watch "last used" fill in, rotate,
// delete, and see the deleted key refused. Screenshots go to test/e2e/screenshots/.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  chromiumAvailable,
  closeSecret,
  horizontalOverflow,
  openPage,
  type PageHarness,
  PHONE,
  readSecret,
  rowOf,
  screenshot,
  startCreate,
  startPageHarness,
} from './api-keys-page-harness.js';

describe.skipIf(!chromiumAvailable())('the API Keys page in chromium', () => {
  let harness: PageHarness;
  const printed: string[] = [];

  beforeAll(async () => {
    // Everything the server writes to the console, to prove that no key ends up there.
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
      });
    }
    harness = await startPageHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
    vi.restoreAllMocks();
  });

  const sites = (key: string) =>
    fetch(`${harness.server.url}/api/sites`, { headers: { 'x-api-key': key } });

  it('signs in, creates, uses, rotates and deletes a key', async () => {
    const { server, browser } = harness;
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
      const create = page.locator('#create-dialog');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('key-name');
      await page.keyboard.type('Browser key');
      await create.getByLabel('Expires').selectOption('30d');
      await screenshot(page, 'api-keys-create-dialog');
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page);
      await page.getByRole('button', { name: 'Copy' }).click();
      await expect
        .poll(() => page.locator('#copy-status').textContent())
        .toBe('Copied to the clipboard.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
      await screenshot(page, 'api-keys-shown-once');
      await closeSecret(page);

      const row = rowOf(page, key);
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
            return rowOf(page, key).locator('.last-used').textContent();
          },
          { timeout: 10_000, interval: 300 },
        )
        .not.toBe('Never');
      await screenshot(page, 'api-keys-desktop', true);

      // Rotate with a grace period: the old key keeps working, the new one works.
      await rowOf(page, key).getByRole('button', { name: 'Rotate Browser key' }).click();
      await page.getByLabel('The old key keeps working for').selectOption('1h');
      await page.getByRole('button', { name: 'Rotate key' }).click();
      const successor = await readSecret(page);
      expect(successor).not.toBe(key);
      await closeSecret(page);
      await expect.poll(() => page.locator('#key-rows tr').count()).toBe(3);
      expect(await rowOf(page, key).locator('.key-status').textContent()).toBe('Rotated');
      expect((await sites(key)).status).toBe(200);
      expect((await sites(successor)).status).toBe(200);
      // A rotated key ends with its grace period: its expiry cannot be edited.
      await rowOf(page, key).getByRole('button', { name: 'Edit Browser key' }).click();
      const edit = page.locator('#edit-dialog');
      expect(await edit.getByLabel('Expires').isDisabled()).toBe(true);
      expect(await edit.textContent()).toContain('stops working when its grace period ends');
      await edit.getByRole('button', { name: 'Cancel' }).click();

      // Delete after confirming; the key is refused at once.
      await rowOf(page, successor).getByRole('button', { name: 'Delete Browser key' }).click();
      const confirm = page.locator('#delete-dialog');
      await expect.poll(() => confirm.isVisible()).toBe(true);
      expect(await confirm.textContent()).toContain(successor.slice(0, 14));
      await screenshot(page, 'api-keys-delete-confirm');
      await confirm.getByRole('button', { name: 'Delete key' }).click();
      await expect.poll(() => rowOf(page, successor).count()).toBe(0);
      const refused = await sites(successor);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'invalid_api_key' });

      // Escape cancels a confirmation; nothing is deleted.
      await rowOf(page, key).getByRole('button', { name: 'Delete Browser key' }).click();
      await page.keyboard.press('Escape');
      await expect.poll(() => confirm.isVisible()).toBe(false);
      expect(await rowOf(page, key).count()).toBe(1);
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
    const { server } = harness;
    const { context, page } = await openPage(harness, PHONE);
    try {
      await page.goto(`${server.url}/#token=${server.adminToken}`);
      await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
      // The token leaves the address bar once used.
      expect(new URL(page.url()).hash).toBe('');
      await expect.poll(() => page.locator('#key-rows tr').count()).toBeGreaterThan(0);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'api-keys-phone', true);
      const create = await startCreate(page, 'Phone key');
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      await readSecret(page);
      await screenshot(page, 'api-keys-phone-shown-once');
      await closeSecret(page);
    } finally {
      await context.close();
    }
  });
});
