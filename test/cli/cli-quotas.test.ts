// keygate keys create with --rate-limit, --credits and --refill: the key carries them, keys list
// shows them, --json carries them, and a bad spelling is a usage error (exit 2).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { keygate, parsed } from './cli-support.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-cli-quotas-'));
const store = `sqlite:${join(directory, 'keys.db')}`;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

it('creates a key with a rate limit and credits, lists them, and carries them in --json', async () => {
  expect((await keygate(['migrate', '--store', store])).code).toBe(0);
  const created = await keygate([
    'keys',
    'create',
    '--org',
    'org_q',
    '--name',
    'Metered',
    '--rate-limit',
    '100/1m',
    '--credits',
    '500',
    '--refill',
    '500/1d',
    '--json',
    '--store',
    store,
  ]);
  expect(created.code).toBe(0);
  const { record } = parsed<{ record: { rateLimit: unknown; credits: unknown } }>(created);
  expect(record.rateLimit).toEqual({ limit: 100, windowMs: 60_000 });
  expect(record.credits).toMatchObject({
    remaining: 500,
    refill: { amount: 500, intervalMs: 86_400_000 },
  });
  const listed = await keygate(['keys', 'list', '--org', 'org_q', '--store', store]);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain('QUOTAS');
  expect(listed.stdout).toContain('100/1m, 500 credits (500/1d)');
});

it('refuses a bad --rate-limit, --credits or a --refill without --credits with exit 2', async () => {
  for (const flags of [
    ['--rate-limit', 'fast'],
    ['--credits', 'lots'],
    ['--refill', '500/1d'],
    ['--credits', '5', '--refill', '5/1s'],
  ]) {
    const run = await keygate([
      'keys',
      'create',
      '--org',
      'org_q',
      '--name',
      'bad',
      ...flags,
      '--store',
      store,
    ]);
    expect(run.code, flags.join(' ')).toBe(2);
    expect(run.stderr).toMatch(/^keygate: /);
  }
});
