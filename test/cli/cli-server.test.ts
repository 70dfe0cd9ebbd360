// The built `keygate` executable, and keys it makes on a running reference server sharing its
// SQLite file: accepted, then refused once revoked, and refused for an unknown or inactive
// organisation.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../examples/src/admin/reference-server.js';
import { CLI_BIN, cliIsBuilt, keygateProcess, parsed } from './cli-support.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-cli-server-'));
const STORE = `sqlite:${join(directory, 'keys.db')}`;
const CACHE_TTL_MS = 100;

beforeAll(() => {
  // `pnpm test` builds first; a bare `vitest run` builds the CLI (and what it needs) here.
  if (!cliIsBuilt()) {
    execFileSync(
      'npx',
      ['turbo', 'run', 'build', '--filter=@keygate/cli...', '--output-logs=errors-only'],
      {
        cwd: join(CLI_BIN, '..', '..', '..', '..'),
        stdio: 'inherit',
        timeout: 120_000,
      },
    );
  }
}, 150_000);

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('the built keygate executable', () => {
  it('prints help with exit code 0', async () => {
    const help = await keygateProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: keygate <command>/);
    expect(help.stdout).toContain('keys verify');
  });

  it("prints a command's own usage for <command> --help, and the help with exit 2 when bare", async () => {
    const update = await keygateProcess(['keys', 'update', '--help']);
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/^Usage: keygate keys update <id>/);
    expect(update.stdout).toContain('--disable');
    expect(update.stdout).not.toContain('keys verify');
    const bare = await keygateProcess([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: keygate <command>/);
  });

  it('creates the default SQLite file and its directory, and reads verify from a pipe', async () => {
    const cwd = mkdtempSync(join(directory, 'default-'));
    const created = await keygateProcess(
      ['keys', 'create', '--org', 'org_1', '--name', 'Default', '--json'],
      { cwd },
    );
    expect(created.code).toBe(0);
    expect(existsSync(join(cwd, '.keygate', 'keygate.db'))).toBe(true);
    const { key } = parsed<{ key: string }>(created);
    const verified = await keygateProcess(['keys', 'verify', '--json'], { cwd, input: `${key}\n` });
    expect(verified.code).toBe(0);
    expect(parsed(verified)).toMatchObject({ ok: true, context: { organisationId: 'org_1' } });
  });

  it('exits 2 on a usage error and 1 on an unreachable store, with one line and no stack', async () => {
    const usage = await keygateProcess(['keys', 'create', '--org']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^keygate: [^\n]+\n$/);
    const down = await keygateProcess([
      'keys',
      'list',
      '--org',
      'o',
      '--store',
      'postgres://postgres@127.0.0.1:1/none',
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(
      /^keygate: cannot open the store postgres:\/\/postgres@127\.0\.0\.1:1\/none: [^\n]*ECONNREFUSED[^\n]*\n$/,
    );
    const unknown = await keygateProcess(['migrate', '--store', 'ftp://example.com']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('use sqlite:<path>, postgres://…, mysql://… or redis://…');
    const weakPepper = await keygateProcess(['keys', 'list', '--org', 'o'], {
      cwd: directory,
      env: { KEYGATE_PEPPER: 'short' },
    });
    expect(weakPepper.code).toBe(2);
    expect(weakPepper.stderr).toMatch(/^keygate: KEYGATE_PEPPER: [^\n]+16 bytes[^\n]*\n$/);
  });
});

describe('keys made by the CLI on a running server', () => {
  let server: ReferenceServer;
  const cli = (args: string[]) =>
    keygateProcess([...args, '--json'], { env: { KEYGATE_STORE: STORE } });
  const sites = (key: string) =>
    fetch(`${server.url}/api/sites`, { headers: { 'x-api-key': key } });
  const settle = () => new Promise((resolve) => setTimeout(resolve, CACHE_TTL_MS * 3));

  beforeAll(async () => {
    server = await startReferenceServer({
      storeUrl: STORE,
      port: 0,
      cacheTtlMs: CACHE_TTL_MS,
      env: {},
      cwd: directory,
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('are accepted, and refused once revoked', async () => {
    const created = await cli([
      'keys',
      'create',
      '--org',
      server.organisationId,
      '--name',
      'From the CLI',
    ]);
    expect(created.code).toBe(0);
    const { key, record } = parsed<{ key: string; record: { id: string } }>(created);
    const accepted = await sites(key);
    expect(accepted.status).toBe(200);
    expect(Array.isArray(await accepted.json())).toBe(true);

    expect((await cli(['keys', 'revoke', record.id])).code).toBe(0);
    await settle();
    const refused = await sites(key);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({ code: 'revoked_api_key' });
  });

  it('are refused for an unknown or inactive organisation', async () => {
    const stranger = parsed<{ key: string }>(
      await cli(['keys', 'create', '--org', 'org_unknown', '--name', 'Nobody']),
    );
    const unknown = await sites(stranger.key);
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toMatchObject({ code: 'missing_organisation' });

    const demo = parsed<{ key: string }>(
      await cli(['keys', 'create', '--org', server.organisationId, '--name', 'Until deactivated']),
    );
    expect((await sites(demo.key)).status).toBe(200);
    await server.organisations.setActive(server.organisationId, false);
    server.keygate.verifier.clearCache();
    try {
      const inactive = await sites(demo.key);
      expect(inactive.status).toBe(403);
      expect(await inactive.json()).toMatchObject({ code: 'missing_organisation' });
    } finally {
      await server.organisations.setActive(server.organisationId, true);
      server.keygate.verifier.clearCache();
    }
    expect((await sites(demo.key)).status).toBe(200);
  });
});
