// The documented ways to run the CLI from the repository print only the command's own output on
// stdout, so `pnpm -s keygate keys list --org demo --json | jq .` works: `pnpm -s keygate` at the
// root (it builds first, its build lines on stderr), `pnpm -w -s keygate` and `pnpm exec keygate`
// from any workspace folder. A bare `pnpm keygate` would put pnpm's "> keygate-monorepo@…" header
// on stdout, which is why the README names these.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parsed, runCommand } from './cli-support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'keygate-pnpm-'));
const env = { KEYGATE_STORE: `sqlite:${join(directory, 'keys.db')}`, HOME: process.env.HOME };

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

interface Listing {
  readonly organisationId: string;
  readonly keys: readonly { readonly id: string }[];
}

describe('running the CLI through pnpm', () => {
  it('`pnpm -s keygate` at the root prints JSON and nothing else on stdout', async () => {
    const create = await runCommand(
      'pnpm',
      ['-s', 'keygate', 'keys', 'create', '--org', 'demo', '--name', 'CI', '--json'],
      { cwd: ROOT, env, timeoutMs: 150_000 },
    );
    expect(create.code, create.stderr).toBe(0);
    const { record } = parsed<{ record: { id: string } }>(create);
    const list = await runCommand(
      'pnpm',
      ['-s', 'keygate', 'keys', 'list', '--org', 'demo', '--json'],
      {
        cwd: ROOT,
        env,
        timeoutMs: 150_000,
      },
    );
    expect(list.code, list.stderr).toBe(0);
    expect(parsed<Listing>(list).keys.map((key) => key.id)).toEqual([record.id]);
  }, 320_000);

  it.each([
    ['pnpm -w -s keygate', ['-w', '-s', 'keygate']],
    ['pnpm exec keygate', ['exec', 'keygate']],
  ])(
    '`%s` from a package folder prints JSON and nothing else on stdout',
    async (_name, command) => {
      const run = await runCommand(
        'pnpm',
        [...command, 'keys', 'list', '--org', 'nobody', '--json'],
        {
          cwd: join(ROOT, 'packages', 'core'),
          env,
          timeoutMs: 150_000,
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(parsed<Listing>(run)).toEqual({ organisationId: 'nobody', keys: [] });
    },
    160_000,
  );
});
