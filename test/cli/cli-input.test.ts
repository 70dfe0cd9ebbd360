// What the CLI refuses on its command line and how it prints what a store holds: control
// characters in names, impossible dates, durations past the limit, a bad table name, and store
// URLs whose password must never be printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKeyStore } from '@keygate/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { keygate } from './cli-support.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-cli-input-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const store = `sqlite:${join(directory, 'keys.db')}`;
const cli = (args: string[]) => keygate([...args, '--store', store]);

// Raw characters a terminal acts on: C0 controls (but the newline ending each line), DEL, C1,
// separators and direction overrides.
const RAW_CONTROL = {
  test: (text: string): boolean =>
    [...text].some((character) => {
      const code = character.codePointAt(0)!;
      return (
        (code < 0x20 && code !== 0x0a) ||
        (code >= 0x7f && code <= 0x9f) ||
        code === 0x2028 ||
        code === 0x2029 ||
        (code >= 0x202a && code <= 0x202e)
      );
    }),
};

describe('keygate and control characters', () => {
  it('refuses a name with control characters at creation (exit 2), creating nothing', async () => {
    for (const name of ['prod\u001b[2Jkey', 'a\nforged row', 'bell\u0007']) {
      const run = await cli(['keys', 'create', '--org', 'org_esc', '--name', name]);
      expect(run.code, JSON.stringify(name)).toBe(2);
      expect(run.stderr).toMatch(/^keygate: a key name must not contain control characters/i);
      expect(run.stderr).not.toSatisfy(RAW_CONTROL.test);
    }
    const list = await cli(['keys', 'list', '--org', 'org_esc', '--json']);
    expect(JSON.parse(list.stdout).keys).toEqual([]);
  });

  it('prints a stored name with control characters escaped, in tables, messages and JSON', async () => {
    const created = await cli([
      'keys',
      'create',
      '--org',
      'org_print',
      '--name',
      'plain',
      '--json',
    ]);
    const id = JSON.parse(created.stdout).record.id as string;
    // A record written past the key manager (an older version, another tool, the database).
    const opened = await openKeyStore(store);
    const evil = 'evil\u001b[2J\u001b[31m\u0007\nkey_fake  sk_live_abcdef…  admin\u009b2J\u202e';
    await opened.store.update(id, { name: evil });
    await opened.close();

    const table = await cli(['keys', 'list', '--org', 'org_print']);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toSatisfy(RAW_CONTROL.test);
    expect(table.stdout).toContain('evil\\x1b[2J\\x1b[31m\\x07\\nkey_fake');
    expect(table.stdout.trim().split('\n')).toHaveLength(2); // the header and one row, no forged one

    const json = await cli(['keys', 'list', '--org', 'org_print', '--json']);
    expect(json.stdout).not.toSatisfy(RAW_CONTROL.test);
    expect(JSON.parse(json.stdout).keys[0].name).toBe(evil);

    const revoked = await cli(['keys', 'revoke', id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).not.toSatisfy(RAW_CONTROL.test);
  });

  it('counts a name in characters: 200 emoji are a valid name', async () => {
    const run = await cli(['keys', 'create', '--org', 'org_emoji', '--name', '🔑'.repeat(200)]);
    expect(run.code).toBe(0);
  });
});

describe('keygate and dates', () => {
  const createExpiring = (...flags: string[]) =>
    cli(['keys', 'create', '--org', 'org_d', '--name', 'n', ...flags]);

  it.each([
    ...['2027-02-31', '2027-02-29', '2026-04-31', '2027-13-01', '2027-01-01T24:30Z'].map(
      (date) =>
        [
          `--expires-at ${date}`,
          ['--expires-at', date],
          `--expires-at must be a date that exists, in ISO form such as 2026-12-31 or 2026-12-31T23:59:59Z, got ${JSON.stringify(date)}`,
        ] as const,
    ),
    [
      '--expires-in past 100 years',
      ['--expires-in', '100000000d'],
      '--expires-in 100000000d is too long: at most 36500d (100 years)',
    ] as const,
  ])('refuses %s with exit 2, saying what was typed', async (_name, flags, message) => {
    const run = await createExpiring(...flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`keygate: ${message}\n`);
  });
});

describe('keygate and bad store settings', () => {
  it('exits 2 for an invalid --table, as for any usage error', async () => {
    const run = await cli(['keys', 'list', '--org', 'o', '--table', 'no-dashes-allowed']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^keygate: table must be letters, digits and _/);
  });

  it.each([
    ['an unparsable URL', 'postgres://keygate:s3cr3t-pw@db.internal:99999/keys', 2],
    ['an unknown scheme', 'ftp://keygate:s3cr3t-pw@db.internal/keys', 2],
    ['an unreachable server', 'postgres://keygate:s3cr3t-pw@127.0.0.1:1/keys', 1],
    ['a percent-encoded password', 'postgres://keygate:s3cr3t%2Dpw@127.0.0.1:1/keys', 1],
  ])('never prints the password of %s', async (_what, url, exitCode) => {
    for (const json of [false, true]) {
      const run = await keygate([
        'keys',
        'list',
        '--org',
        'o',
        '--store',
        url,
        ...(json ? ['--json'] : []),
      ]);
      expect(run.code).toBe(exitCode);
      expect(run.stderr).toContain('***');
      expect(`${run.stdout}${run.stderr}`).not.toContain('s3cr3t');
    }
  });
});
