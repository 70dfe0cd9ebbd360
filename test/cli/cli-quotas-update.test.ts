// keygate keys update with --rate-limit, --credits and --refill (each also `none`), run as the
// built executable: the key carries the change in one write, keys list and --json show it, the
// verifier applies it, and a wrong combination is a usage error (exit 2) that changes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_BIN, cliIsBuilt, keygateProcess, parsed } from './cli-support.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-cli-quotas-update-'));
const store = `sqlite:${join(directory, 'keys.db')}`;

interface KeyJson {
  id: string;
  name: string;
  rateLimit: { limit: number; windowMs: number } | null;
  credits: {
    remaining: number;
    refill: { amount: number; intervalMs: number } | null;
    refilledAt: string;
  } | null;
}

beforeAll(async () => {
  // `pnpm test` builds first; a bare `vitest run` builds the CLI (and what it needs) here.
  if (!cliIsBuilt()) {
    execFileSync(
      'npx',
      ['turbo', 'run', 'build', '--filter=@keygate/cli...', '--output-logs=errors-only'],
      { cwd: join(CLI_BIN, '..', '..', '..', '..'), stdio: 'inherit', timeout: 120_000 },
    );
  }
  expect((await keygateProcess(['migrate', '--store', store])).code).toBe(0);
}, 150_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function createKey(...flags: string[]): Promise<{ key: string; record: KeyJson }> {
  const created = await keygateProcess([
    'keys',
    'create',
    '--org',
    'org_u',
    '--name',
    'Metered',
    ...flags,
    '--json',
    '--store',
    store,
  ]);
  expect(created.code, created.stderr).toBe(0);
  return parsed<{ key: string; record: KeyJson }>(created);
}

async function update(id: string, ...flags: string[]) {
  return keygateProcess(['keys', 'update', id, ...flags, '--json', '--store', store]);
}

async function updated(id: string, ...flags: string[]): Promise<KeyJson> {
  const run = await update(id, ...flags);
  expect(run.code, run.stderr).toBe(0);
  return parsed<{ updated: true; record: KeyJson }>(run).record;
}

it('changes, keeps and removes each quota, and keys list shows what the key now has', {
  timeout: 90_000,
}, async () => {
  const { record } = await createKey(
    '--rate-limit',
    '100/1m',
    '--credits',
    '500',
    '--refill',
    '500/1d',
  );

  const faster = await updated(record.id, '--rate-limit', '10/1s', '--name', 'Faster');
  expect(faster).toMatchObject({ name: 'Faster', rateLimit: { limit: 10, windowMs: 1000 } });
  // Untouched by a rate-limit change.
  expect(faster.credits).toEqual(record.credits);

  // A balance alone keeps the refill; a refill alone keeps the balance.
  const topped = await updated(record.id, '--credits', '50');
  expect(topped.credits).toMatchObject({
    remaining: 50,
    refill: { amount: 500, intervalMs: 86_400_000 },
  });
  const hourly = await updated(record.id, '--refill', '20/1h');
  expect(hourly.credits).toMatchObject({
    remaining: 50,
    refill: { amount: 20, intervalMs: 3_600_000 },
  });
  expect(hourly.credits?.refilledAt).toBe(topped.credits?.refilledAt);
  const noRefill = await updated(record.id, '--refill', 'none');
  expect(noRefill.credits).toMatchObject({ remaining: 50, refill: null });

  const text = await keygateProcess(['keys', 'list', '--org', 'org_u', '--store', store]);
  expect(text.stdout).toContain('10/1s, 50 credits');

  const bare = await updated(record.id, '--rate-limit', 'none', '--credits', 'none');
  expect(bare).toMatchObject({ rateLimit: null, credits: null });
  const listed = await keygateProcess([
    'keys',
    'list',
    '--org',
    'org_u',
    '--json',
    '--store',
    store,
  ]);
  const shown = parsed<{ keys: KeyJson[] }>(listed).keys.find((key) => key.id === record.id);
  expect(shown).toMatchObject({ rateLimit: null, credits: null });

  // A key without credits gets a balance and a refill together.
  const metered = await updated(record.id, '--credits', '7', '--refill', '7/1d');
  expect(metered.credits).toMatchObject({
    remaining: 7,
    refill: { amount: 7, intervalMs: 86_400_000 },
  });
  const human = await keygateProcess([
    'keys',
    'update',
    record.id,
    '--rate-limit',
    '5/1m',
    '--store',
    store,
  ]);
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('quotas:   5/1m, 7 credits (7/1d)');
});

it('a new balance is what the verifier takes credits from', { timeout: 90_000 }, async () => {
  const { key, record } = await createKey('--credits', '500');
  await updated(record.id, '--credits', '1');
  const first = await keygateProcess(['keys', 'verify', '--json', '--store', store], {
    input: key,
  });
  expect(parsed(first)).toMatchObject({ ok: true });
  const second = await keygateProcess(['keys', 'verify', '--json', '--store', store], {
    input: key,
  });
  expect(second.code).toBe(1);
  expect(parsed(second)).toMatchObject({ ok: false, code: 'usage_exceeded' });
});

it('refuses wrong quota flags with exit 2 and changes nothing', { timeout: 90_000 }, async () => {
  const { record } = await createKey('--rate-limit', '100/1m');
  for (const flags of [
    ['--rate-limit', 'fast'],
    ['--credits', '-5'],
    ['--credits', 'lots'],
    ['--refill', 'daily'],
    ['--credits', 'none', '--refill', '5/1d'],
    // A refill alone needs a balance to refill: this key has no credits.
    ['--refill', '500/1d'],
    ['--credits', '5', '--refill', '5/1s'],
  ]) {
    const run = await update(record.id, ...flags);
    expect(run.code, `${flags.join(' ')}: ${run.stderr}`).toBe(2);
    expect(run.stderr).toMatch(/^keygate: .*(rate-limit|credits|refill)/i);
  }
  const listed = await keygateProcess([
    'keys',
    'list',
    '--org',
    'org_u',
    '--json',
    '--store',
    store,
  ]);
  const shown = parsed<{ keys: KeyJson[] }>(listed).keys.find((key) => key.id === record.id);
  expect(shown).toMatchObject({ rateLimit: { limit: 100, windowMs: 60_000 }, credits: null });
});
