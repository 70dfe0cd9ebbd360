// The API Keys page's controls in chromium: the key shown once never vanishes by accident, a
// `#token=` link signs in a tab already open, keys are created with an environment, scopes and
// limits, edited, disabled and enabled, and every step reads well at desktop and at 390 px.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  closeSecret,
  DESKTOP,
  horizontalOverflow,
  openPage,
  type PageHarness,
  PHONE,
  readSecret,
  rowOf,
  screenshot,
  signIn,
  startCreate,
  startPageHarness,
} from './api-keys-page-harness.js';

describe.skipIf(!chromiumAvailable())('the API Keys page controls in chromium', () => {
  let harness: PageHarness;

  beforeAll(async () => {
    harness = await startPageHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  const sites = (key: string) =>
    fetch(`${harness.server.url}/api/sites`, { headers: { 'x-api-key': key } });
  const stored = async (key: string) => {
    const { keys } = await harness.server.keygate.keys.list(harness.server.organisationId);
    return keys.find((summary) => key.startsWith(summary.prefix))!;
  };

  async function createKey(page: Page, name: string): Promise<string> {
    const create = await startCreate(page, name);
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    return readSecret(page);
  }

  // At 1280 px every row's buttons are inside the panel: none hides behind a scrollbar.
  const buttonsOutsidePanel = (page: Page) =>
    page.evaluate(() => {
      const panel = document.getElementById('keys')!.getBoundingClientRect();
      return Array.from(document.querySelectorAll('#key-rows button'))
        .filter((button) => button.getBoundingClientRect().right > panel.right)
        .map((button) => button.getAttribute('aria-label'));
    });

  const secretStep = (page: Page) =>
    page.evaluate(() => ({
      open: (document.getElementById('secret-dialog') as HTMLDialogElement).open,
      asking: !(document.getElementById('secret-discard') as HTMLElement).hidden,
      key: (document.getElementById('secret-value') as HTMLInputElement).value,
      focused: document.activeElement?.id,
    }));

  it('asks before discarding the key shown once: Escape, a forced close and leaving the page', async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const key = await createKey(page, 'Kept key');

      // Escape asks inside the dialog, with "Keep it" focused; the key stays.
      await page.keyboard.press('Escape');
      await expect
        .poll(() => secretStep(page))
        .toEqual({
          open: true,
          asking: true,
          key,
          focused: 'discard-keep',
        });
      const dialog = page.locator('#secret-dialog');
      expect(await dialog.textContent()).toContain('Discard this key?');
      expect(await dialog.textContent()).toContain('It will not be shown again');
      await screenshot(page, 'api-keys-discard-confirm');

      // Escape again goes back to the key, however often it is pressed (a browser lets a page
      // refuse only one close request per click).
      await page.keyboard.press('Escape');
      await expect
        .poll(() => secretStep(page))
        .toEqual({
          open: true,
          asking: false,
          key,
          focused: 'copy',
        });
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await expect.poll(() => secretStep(page)).toMatchObject({ open: true, asking: true, key });
      await dialog.getByRole('button', { name: 'Keep it' }).click();
      await expect.poll(() => secretStep(page)).toMatchObject({ open: true, asking: false, key });

      // Any other close (here the dialog's own close(), as a browser's close request does).
      await page.evaluate(() =>
        (document.getElementById('secret-dialog') as HTMLDialogElement).close(),
      );
      await expect.poll(() => secretStep(page)).toMatchObject({ open: true, asking: true, key });
      // Close requests (a phone's back gesture): the first is refused, the next one the browser
      // does not let the page refuse closes the dialog, which opens again. Each moves one step.
      const requestClose = () =>
        page.evaluate(() =>
          (
            document.getElementById('secret-dialog') as HTMLDialogElement & {
              requestClose(): void;
            }
          ).requestClose(),
        );
      await requestClose();
      await expect.poll(() => secretStep(page)).toMatchObject({ open: true, asking: false, key });
      await requestClose();
      await expect.poll(() => secretStep(page)).toMatchObject({ open: true, asking: true, key });

      // Leaving the page asks the browser's question; staying keeps the key on screen.
      const asked = new Promise<string>((resolve) =>
        page.once('dialog', (question) => {
          resolve(question.type());
          void question.dismiss();
        }),
      );
      await page.close({ runBeforeUnload: true });
      expect(await asked).toBe('beforeunload');
      expect(page.isClosed()).toBe(false);
      expect((await secretStep(page)).key).toBe(key);

      // "Discard" lets it go: the key leaves the page, the key itself still works.
      await dialog.getByRole('button', { name: 'Discard' }).click();
      await expect.poll(() => secretStep(page)).toMatchObject({ open: false, key: '' });
      expect(await rowOf(page, key).count()).toBe(1);
      expect((await sites(key)).status).toBe(200);

      // Once the key is gone, leaving asks nothing.
      let questions = 0;
      page.on('dialog', (question) => {
        questions += 1;
        void question.accept();
      });
      await page.reload();
      await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
      expect(questions).toBe(0);
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('signs in when a #token= link is opened in a tab already on the page', async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await page.goto(`${harness.server.url}/`);
      await expect.poll(() => page.locator('#sign-in').isVisible()).toBe(true);
      // Same document: only the fragment changes, nothing is loaded again.
      await page.goto(`${harness.server.url}/#token=${harness.server.adminToken}`);
      await expect.poll(() => page.locator('#keys').isVisible()).toBe(true);
      expect(new URL(page.url()).hash).toBe('');
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);

      // A wrong token in a later link says so.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.goto(`${harness.server.url}/#token=kga_wrong-token-0000000000000000000000`);
      await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('not valid');
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('creates a test key with scopes, a rate limit and credits, and shows them', async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const create = await startCreate(page, 'Metered test key');
      const environment = create.getByLabel('Environment');
      expect(await environment.locator('option').allTextContents()).toEqual(['live', 'test']);
      await environment.selectOption('test');
      await create.getByLabel('Scopes').fill('sites:read, sites:*');
      await create.getByLabel('Rate limit', { exact: true }).fill('2');
      await create.getByLabel('Rate limit window').selectOption({ label: 'minute' });
      await create.getByLabel('Credits').fill('5');
      await create.getByLabel('Refill to').fill('10');
      await create.getByLabel('Refill interval').selectOption({ label: 'day' });
      await screenshot(page, 'api-keys-create-with-limits');
      // The whole form, its buttons included, fits 1280×800 without scrolling inside the dialog.
      expect(
        await create.evaluate((dialog) => dialog.scrollHeight - dialog.clientHeight),
      ).toBeLessThanOrEqual(0);
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page, 'test');
      await closeSecret(page);

      const row = rowOf(page, key);
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.locator('.key-name').textContent()).toBe('Metered test key');
      expect(await row.locator('.badge.environment').textContent()).toBe('test');
      expect(await row.locator('.key-scopes code').allTextContents()).toEqual([
        'sites:read',
        'sites:*',
      ]);
      expect(await row.locator('.key-limits .limit').allTextContents()).toEqual([
        '2 per minute',
        '5 credits left',
        'refilled to 10 per day',
      ]);
      expect(await stored(key)).toMatchObject({
        environment: 'test',
        scopes: ['sites:read', 'sites:*'],
        rateLimit: { limit: 2, windowMs: 60_000 },
        credits: { remaining: 5, refill: { amount: 10, intervalMs: 86_400_000 } },
      });

      // The limits hold: two requests pass (a test key sees only test data), the third is refused.
      for (let call = 0; call < 2; call += 1) {
        const answer = await sites(key);
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual([]);
      }
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect
        .poll(() => rowOf(page, key).locator('.key-limits .credits').textContent())
        .toBe('3 credits left');
      const refused = await sites(key);
      expect(refused.status).toBe(429);
      expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
      await screenshot(page, 'api-keys-list-with-limits', true);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      expect(await buttonsOutsidePanel(page)).toEqual([]);

      // A mistake is answered in the dialog, which stays open with what was typed.
      const again = await startCreate(page, 'Bad scopes');
      await again.getByLabel('Scopes').fill('sites read!');
      await again.getByRole('button', { name: 'Create', exact: true }).click();
      await expect.poll(() => page.locator('#create-error').textContent()).toMatch(/scope/i);
      expect(await again.isVisible()).toBe(true);
      await again.getByRole('button', { name: 'Cancel' }).click();
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("edits a key's name, expiry, scopes and limits", async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const create = await startCreate(page, 'Editable key');
      await create.getByLabel('Expires').selectOption('7d');
      await create.getByLabel('Rate limit', { exact: true }).fill('100');
      await create.getByLabel('Credits').fill('50');
      await create.getByLabel('Refill to').fill('50');
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page);
      await closeSecret(page);

      // Name, scopes, no expiry, no rate limit, a new balance and no refill.
      await rowOf(page, key).getByRole('button', { name: 'Edit Editable key' }).click();
      const edit = page.locator('#edit-dialog');
      await expect.poll(() => edit.isVisible()).toBe(true);
      expect(await edit.getByLabel('Name').inputValue()).toBe('Editable key');
      expect(await edit.getByLabel('Rate limit', { exact: true }).inputValue()).toBe('100');
      expect(await edit.getByLabel('Credits').inputValue()).toBe('50');
      await edit.getByLabel('Name').fill('Renamed key');
      await edit.getByLabel('Expires').selectOption('never');
      await edit.getByLabel('Scopes').fill('sites:read');
      await edit.getByLabel('Rate limit', { exact: true }).fill('');
      await edit.getByLabel('Credits').fill('1000');
      await edit.getByLabel('Refill to').fill('');
      await screenshot(page, 'api-keys-edit-dialog');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => edit.isVisible()).toBe(false);
      const row = rowOf(page, key);
      await expect.poll(() => row.locator('.key-name').textContent()).toBe('Renamed key');
      expect(await row.locator('.key-expires').textContent()).toBe('Never');
      expect(await buttonsOutsidePanel(page)).toEqual([]);
      expect(await row.locator('.key-scopes').textContent()).toBe('sites:read');
      expect(await row.locator('.key-limits .limit').allTextContents()).toEqual([
        '1,000 credits left',
      ]);
      expect(await stored(key)).toMatchObject({
        name: 'Renamed key',
        expiresAt: null,
        scopes: ['sites:read'],
        rateLimit: null,
        credits: { remaining: 1000, refill: null },
      });

      // An expiry on a date: the end of that day, where the browser is.
      await row.getByRole('button', { name: 'Edit Renamed key' }).click();
      await edit.getByLabel('Expires').selectOption('date');
      await edit.getByLabel('Expiry date').fill('2031-03-15');
      await edit.getByLabel('Credits').fill('');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => edit.isVisible()).toBe(false);
      const expected = await page.evaluate(() => new Date(2031, 2, 15, 23, 59, 59).getTime());
      await expect.poll(async () => (await stored(key)).expiresAt?.getTime()).toBe(expected);
      expect((await stored(key)).credits).toBeNull();
      expect(await rowOf(page, key).locator('.key-limits').textContent()).toBe('None');
      expect(await rowOf(page, key).locator('.key-expires time').getAttribute('datetime')).toBe(
        new Date(expected).toISOString(),
      );

      // Saving without a change writes nothing.
      await rowOf(page, key).getByRole('button', { name: 'Edit Renamed key' }).click();
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => page.locator('#status').textContent()).toBe('Nothing was changed.');

      // A refused change is answered in the dialog.
      await rowOf(page, key).getByRole('button', { name: 'Edit Renamed key' }).click();
      await edit.getByLabel('Scopes').fill('not a scope!');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => page.locator('#edit-error').textContent()).toMatch(/scope/i);
      await edit.getByRole('button', { name: 'Cancel' }).click();
      expect((await stored(key)).scopes).toEqual(['sites:read']);
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('disables a key (refused with disabled_api_key) and enables it again', async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const key = await createKey(page, 'Switchable key');
      await closeSecret(page);
      expect((await sites(key)).status).toBe(200);

      const row = () => rowOf(page, key);
      await row().getByRole('button', { name: 'Disable Switchable key' }).click();
      await expect.poll(() => row().locator('.key-status').textContent()).toBe('Disabled');
      expect(await row().getAttribute('data-status')).toBe('disabled');
      // Focus stays on the control, now "Enable".
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        'Enable Switchable key',
      );
      expect(await page.locator('#status').textContent()).toContain('Disabled "Switchable key"');
      const refused = await sites(key);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'disabled_api_key' });
      await screenshot(page, 'api-keys-disabled');

      await row().getByRole('button', { name: 'Enable Switchable key' }).click();
      await expect.poll(() => row().locator('.key-status').textContent()).toBe('Active');
      expect((await sites(key)).status).toBe(200);
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reads well at 390 px: the list with limits, and the create, edit and discard dialogs', async () => {
    const { context, page, scriptErrors } = await openPage(harness, PHONE);
    try {
      await signIn(page, harness.server);
      await expect.poll(() => page.locator('#key-rows tr').count()).toBeGreaterThan(0);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'api-keys-phone-limits', true);

      const create = await startCreate(page, 'Phone metered key');
      await create.getByLabel('Rate limit', { exact: true }).fill('10');
      await create.getByLabel('Credits').fill('100');
      await create.getByLabel('Refill to').fill('100');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'api-keys-phone-create');
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page);
      await page.keyboard.press('Escape');
      await expect.poll(() => secretStep(page)).toMatchObject({ asking: true, key });
      await screenshot(page, 'api-keys-phone-discard-confirm');
      await page.getByRole('button', { name: 'Keep it' }).click();
      await closeSecret(page);

      await rowOf(page, key).getByRole('button', { name: 'Edit Phone metered key' }).click();
      await expect.poll(() => page.locator('#edit-dialog').isVisible()).toBe(true);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      // Nothing in the dialog is wider than it: no sideways scrolling, every field inside.
      const outside = await page.evaluate(() => {
        const dialog = document.getElementById('edit-dialog')!;
        const right =
          dialog.getBoundingClientRect().right - parseFloat(getComputedStyle(dialog).paddingRight);
        const wider = dialog.scrollWidth > dialog.clientWidth ? ['edit-dialog'] : [];
        const fields = Array.from(dialog.querySelectorAll('input:not([hidden]), select, fieldset'))
          .filter((field) => field.getBoundingClientRect().right > right + 0.5)
          .map((field) => field.id || field.tagName);
        return [...wider, ...fields];
      });
      expect(outside).toEqual([]);
      await screenshot(page, 'api-keys-phone-edit');
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
