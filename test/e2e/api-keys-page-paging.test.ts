// The API Keys page lists past the first page: with 1,050 keys (seeded through the store, with
// digests of random keys nobody holds) "Load more keys" follows the endpoint's nextCursor until
// every key is shown, each once, newest first.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  DESKTOP,
  openPage,
  type PageHarness,
  screenshot,
  signIn,
  startPageHarness,
} from './api-keys-page-harness.js';

const SEEDED = 1_050;

describe.skipIf(!chromiumAvailable())('the API Keys page with many keys', () => {
  let harness: PageHarness;

  beforeAll(async () => {
    harness = await startPageHarness();
    const { server } = harness;
    const { store, digester } = server.keygate.verifier.options;
    const start = Date.UTC(2026, 0, 1);
    // Straight into the store: the page reads what any writer put there.
    for (let index = 0; index < SEEDED; index += 1) {
      await store.insert({
        id: randomUUID(),
        hash: randomBytes(32).toString('base64url'),
        hashVersion: digester.current.version,
        prefix: `sk_live_${String(index).padStart(6, '0')}`,
        organisationId: server.organisationId,
        name: `Seeded key ${index}`,
        environment: 'live',
        scopes: [],
        metadata: {},
        createdAt: new Date(start + index * 60_000),
        lastUsedAt: null,
        expiresAt: null,
        revokedAt: null,
        disabledAt: null,
        replacedById: null,
        leakedAt: null,
        leakSource: null,
        rateLimit: null,
        credits: null,
      });
    }
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('loads every key with "Load more keys", each once, newest first', async () => {
    const { context, page } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const rows = page.locator('#key-rows tr');
      const more = page.getByRole('button', { name: 'Load more keys' });
      await expect.poll(() => rows.count()).toBe(100);
      expect(await page.locator('#key-count').textContent()).toBe('100 keys shown, more to load.');
      // A double click asks for the next page once.
      await more.dblclick();
      await expect.poll(() => rows.count()).toBe(200);
      expect(await page.locator('#key-count').textContent()).toBe('200 keys shown, more to load.');
      let pages = 2;
      while (await more.isVisible()) {
        const before = await rows.count();
        await more.click();
        await expect.poll(() => rows.count()).toBeGreaterThan(before);
        pages += 1;
      }
      // 1,050 seeded and the demo key, 100 at a time.
      expect(pages).toBe(11);
      const total = SEEDED + 1;
      expect(await rows.count()).toBe(total);
      expect(await page.locator('#key-count').textContent()).toBe(`${total} keys shown.`);
      const ids = await rows.evaluateAll((all) =>
        all.map((row) => row.getAttribute('data-key-id')),
      );
      expect(new Set(ids).size).toBe(total);
      const names = await page.locator('#key-rows .key-name').allTextContents();
      // The demo key was made at start (now), after every seeded one (in 2026's first day).
      expect(names[0]).toBe('Demo key');
      expect(names[1]).toBe(`Seeded key ${SEEDED - 1}`);
      expect(names.at(-1)).toBe('Seeded key 0');
      // The button went with the last page; focus is on the first key it brought, not lost.
      expect(
        await page.evaluate(
          () => document.activeElement?.closest('tr')?.querySelector('.key-name')?.textContent,
        ),
      ).toBe('Seeded key 50');
      await screenshot(page, 'api-keys-load-more');

      // Refresh starts again from the first page.
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => rows.count()).toBe(100);
      expect(await more.isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });
});
