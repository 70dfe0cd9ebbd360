// The API Keys page's Activity view and a key's 30-day usage chart in chromium: the audit events
// of the page's own actions (who, from where), and an inline SVG chart of seeded usage whose
// screenshot is read back pixel by pixel: each day's bar as high as its counts say.
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

const DAY_MS = 86_400_000;

// 30 UTC days, oldest first: accepted grows day by day, refused on every fifth day.
function seededDays(now: number): { date: string; accepted: number; refused: number }[] {
  const today = Math.floor(now / DAY_MS);
  return Array.from({ length: 30 }, (_, index) => ({
    date: new Date((today - 29 + index) * DAY_MS).toISOString().slice(0, 10),
    accepted: index * 10,
    refused: index % 5 === 4 ? 60 : 0,
  }));
}

// Heights in pixels of the accepted (accent blue) and refused (danger red) part of each of the
// chart's day slots, measured on a PNG screenshot of the chart drawn on a canvas.
async function measureBars(page: Page, png: Buffer, slots: number) {
  const probe = await page.context().newPage();
  try {
    return await probe.evaluate(
      async ({ source, slots }) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        const { data } = context.getImageData(0, 0, image.width, image.height);
        const near = (at: number, rgb: readonly number[]) =>
          Math.abs(data[at]! - rgb[0]!) +
            Math.abs(data[at + 1]! - rgb[1]!) +
            Math.abs(data[at + 2]! - rgb[2]!) <
          40;
        const slot = image.width / slots;
        return Array.from({ length: slots }, (_, index) => {
          const x = Math.floor(index * slot + slot / 2);
          let accepted = 0;
          let refused = 0;
          for (let y = 0; y < image.height; y += 1) {
            const at = (y * image.width + x) * 4;
            if (near(at, [0x1f, 0x5f, 0xbf])) accepted += 1;
            else if (near(at, [0xb4, 0x23, 0x18])) refused += 1;
          }
          return { accepted, refused };
        });
      },
      { source: `data:image/png;base64,${png.toString('base64')}`, slots },
    );
  } finally {
    await probe.close();
  }
}

describe.skipIf(!chromiumAvailable())('the API Keys page activity and usage in chromium', () => {
  let harness: PageHarness;

  beforeAll(async () => {
    harness = await startPageHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  // A key with 30 days of usage written straight into the store.
  async function seedBusyKey(name: string) {
    const { server } = harness;
    const created = await server.keygate.keys.create({
      organisationId: server.organisationId,
      name,
    });
    const days = seededDays(Date.now());
    await server.keygate.verifier.options.store.recordUsage!(
      days.map((day) => ({ keyId: created.record.id, ...day })),
    );
    return { created, days };
  }

  it('lists what was done to the keys, by whom and from where, newest first', async () => {
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, harness.server);
      const create = await startCreate(page, 'Audited key');
      await create.getByRole('button', { name: 'Create', exact: true }).click();
      const key = await readSecret(page);
      await closeSecret(page);
      await rowOf(page, key).getByRole('button', { name: 'Disable Audited key' }).click();
      await expect
        .poll(() => rowOf(page, key).locator('.key-status').textContent())
        .toBe('Disabled');
      await rowOf(page, key).getByRole('button', { name: 'Enable Audited key' }).click();
      await expect.poll(() => rowOf(page, key).locator('.key-status').textContent()).toBe('Active');

      const activity = page.locator('#activity');
      const rows = activity.locator('tbody tr');
      await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
      const first = await rows.nth(0).locator('td').allTextContents();
      const labels = await rows
        .nth(0)
        .locator('td')
        .evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.label));
      expect(labels).toEqual(['When', 'Action', 'Key', 'By', 'From']);
      expect(
        await page.getByRole('table', { name: "What was done to the organisation's keys" }).count(),
      ).toBe(1);
      // Newest first: enabled, disabled, created; the key named by its prefix only.
      const actions = await activity.locator('tbody tr .action').allTextContents();
      expect(actions.slice(0, 3)).toEqual(['Enabled', 'Disabled', 'Created']);
      expect(first[2]).toBe(`${key.slice(0, 14)}…`);
      expect(first[3]).toMatch(/^admin:session-[0-9a-f]{12}$/);
      expect(first[4]).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      expect(await activity.textContent()).not.toContain(key);
      await screenshot(page, 'api-keys-activity', true);
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("draws a key's 30 days of usage as an inline SVG chart, each bar as high as its counts", async () => {
    const { server } = harness;
    const { created, days } = await seedBusyKey('Busy key');
    const { context, page, scriptErrors } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, server);
      await rowOf(page, created.key).getByRole('button', { name: 'Usage of Busy key' }).click();
      const dialog = page.locator('#usage-dialog');
      await expect.poll(() => dialog.locator('svg g.day').count()).toBe(30);
      const accepted = days.reduce((sum, day) => sum + day.accepted, 0);
      const refused = days.reduce((sum, day) => sum + day.refused, 0);
      expect(await dialog.locator('svg').getAttribute('aria-label')).toBe(
        `Requests over the last 30 days: ${accepted.toLocaleString('en-US')} accepted, ${refused} refused.`,
      );
      expect(await dialog.locator('#usage-totals').textContent()).toBe(
        `${accepted.toLocaleString('en-US')} accepted, ${refused} refused in the last 30 days (UTC); the busiest day had 350.`,
      );
      expect(await dialog.locator('svg g.day').last().locator('title').textContent()).toBe(
        `${days[29]!.date}: 290 accepted, 60 refused`,
      );
      await screenshot(page, 'api-keys-usage-chart');

      // Read the chart back from its screenshot: every bar in proportion to the busiest day.
      const chart = dialog.locator('svg');
      const box = (await chart.boundingBox())!;
      const bars = await measureBars(page, await chart.screenshot(), 30);
      const busiest = Math.max(...days.map((day) => day.accepted + day.refused));
      // The plot is 79 of the chart's 80 units high (the last one is the axis).
      const plot = (box.height * 79) / 80;
      days.forEach((day, index) => {
        expect(
          Math.abs(bars[index]!.accepted - (day.accepted / busiest) * plot),
        ).toBeLessThanOrEqual(2);
        expect(Math.abs(bars[index]!.refused - (day.refused / busiest) * plot)).toBeLessThanOrEqual(
          2,
        );
      });
      expect(bars[0]).toEqual({ accepted: 0, refused: 0 });

      // The key's own activity sits under the chart (made outside the page: no actor, no address).
      await expect
        .poll(() => dialog.locator('#usage-activity .action').allTextContents())
        .toEqual(['Created']);
      await dialog.getByRole('button', { name: 'Close' }).click();
      expect(scriptErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('loads older activity a page at a time', async () => {
    const { server } = harness;
    // 60 more events: the first page (50) cannot hold them all.
    for (let index = 0; index < 60; index += 1) {
      await server.keygate.keys.create({
        organisationId: server.organisationId,
        name: `Batch key ${index}`,
      });
    }
    const total = (
      await server.keygate.keys.listAuditEvents({
        organisationId: server.organisationId,
        limit: 1000,
      })
    ).events.length;
    const { context, page } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, server);
      const rows = page.locator('#activity tbody tr');
      await expect.poll(() => rows.count()).toBe(50);
      const older = page.getByRole('button', { name: 'Load older activity' });
      while (await older.isVisible()) await older.click();
      await expect.poll(() => rows.count()).toBe(total);
      const ids = await rows.evaluateAll((all) =>
        all.map((row) => row.getAttribute('data-event-id')),
      );
      expect(new Set(ids).size).toBe(total);
      const times = await page
        .locator('#activity tbody time')
        .evaluateAll((all) => all.map((shown) => Date.parse(shown.getAttribute('datetime')!)));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    } finally {
      await context.close();
    }
  });

  it("counts a key's real requests: today's bar shows what the server accepted and refused", async () => {
    const { server } = harness;
    const created = await server.keygate.keys.create({
      organisationId: server.organisationId,
      name: 'Used key',
    });
    const sites = () => fetch(`${server.url}/api/sites`, { headers: { 'x-api-key': created.key } });
    for (let call = 0; call < 3; call += 1) expect((await sites()).status).toBe(200);
    await server.keygate.keys.update(created.record.id, { enabled: false });
    expect((await sites()).status).toBe(401);
    // The verifier adds its counts to the store in batches; this writes the batch now.
    await server.keygate.verifier.flushUsage();
    const { context, page } = await openPage(harness, DESKTOP);
    try {
      await signIn(page, server);
      await rowOf(page, created.key).getByRole('button', { name: 'Usage of Used key' }).click();
      const today = page.locator('#usage-dialog svg g.day').last();
      await expect
        .poll(() => today.locator('title').textContent())
        .toMatch(/^\d{4}-\d{2}-\d{2}: 3 accepted, 1 refused$/);
      expect(await today.getAttribute('data-date')).toBe(new Date().toISOString().slice(0, 10));
      expect(await today.locator('rect.accepted').count()).toBe(1);
      expect(await today.locator('rect.refused').count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('reads well at 390 px: the activity and the usage chart', async () => {
    await seedBusyKey('Phone busy key');
    const { context, page } = await openPage(harness, PHONE);
    try {
      await signIn(page, harness.server);
      await expect.poll(() => page.locator('#activity tbody tr').count()).toBeGreaterThan(0);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.locator('#activity').scrollIntoViewIfNeeded();
      await screenshot(page, 'api-keys-phone-activity');
      await page.getByRole('button', { name: 'Usage of Phone busy key' }).click();
      await expect.poll(() => page.locator('#usage-dialog svg g.day').count()).toBe(30);
      const chart = (await page.locator('#usage-dialog svg').boundingBox())!;
      const dialog = (await page.locator('#usage-dialog').boundingBox())!;
      expect(chart.x + chart.width).toBeLessThanOrEqual(dialog.x + dialog.width);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await screenshot(page, 'api-keys-phone-usage');
    } finally {
      await context.close();
    }
  });
});
