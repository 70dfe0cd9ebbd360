// GET /metrics of the reference server: after a scripted sequence of requests, the Prometheus
// text shows exactly those verifications by outcome and cache state, and one store read timed per
// cache miss that reached the store; no key or key id appears in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../examples/src/admin/reference-server.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-metrics-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const present = inside.split(',');
    if (wanted.every((pair) => present.includes(pair)) && present.length === wanted.length) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('the reference server /metrics', () => {
  it('counts a scripted sequence of requests by outcome and cache state', async () => {
    const server = await startReferenceServer({
      port: 0,
      storeUrl: `sqlite:${join(directory, 'metrics.db')}`,
      env: {},
      cwd: directory,
    });
    try {
      const key = server.demoKey!;
      const get = (headers: Record<string, string>) =>
        fetch(`${server.url}/api/sites`, { headers }).then((response) => response.status);
      expect(await get({ 'x-api-key': key })).toBe(200); // miss, store read
      expect(await get({ 'x-api-key': key })).toBe(200); // hit
      expect(await get({ 'x-api-key': key })).toBe(200); // hit
      expect(await get({})).toBe(401); // missing
      expect(await get({ 'x-api-key': 'sk_live_short' })).toBe(401); // malformed

      const scraped = await fetch(`${server.url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await scraped.text();
      expect(text).toContain('# TYPE keygate_verifications_total counter');
      expect(sample(text, 'keygate_verifications_total', { outcome: 'ok', cache: 'miss' })).toBe(1);
      expect(sample(text, 'keygate_verifications_total', { outcome: 'ok', cache: 'hit' })).toBe(2);
      expect(
        sample(text, 'keygate_verifications_total', { outcome: 'missing_api_key', cache: 'miss' }),
      ).toBe(1);
      expect(
        sample(text, 'keygate_verifications_total', {
          outcome: 'malformed_api_key',
          cache: 'miss',
        }),
      ).toBe(1);
      expect(sample(text, 'keygate_store_duration_seconds_count', { outcome: 'ok' })).toBe(1);
      expect(text).not.toContain(key.slice(14));
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
