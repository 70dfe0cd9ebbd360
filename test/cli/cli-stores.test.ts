// Every keygate command against SQLite, PostgreSQL and Redis: --json output parsed and checked,
// exit codes, and what each change does to verification.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATION_NAMES } from '@keygate/sql';
import { afterAll, describe, expect, it } from 'vitest';
import {
  clearRedisNamespace,
  DATABASE_URL,
  dropPostgresTable,
  keygate,
  parsed,
  postgresReachable,
  REDIS_URL,
  redisReachable,
} from './cli-support.js';

interface KeyJson {
  id: string;
  organisationId: string;
  name: string;
  prefix: string;
  environment: string;
  scopes: string[];
  status: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  replacedById: string | null;
}

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const sqliteDirectory = mkdtempSync(join(tmpdir(), 'keygate-cli-'));
const table = `kg_cli_${suffix}`;
const namespace = `kg-cli-${suffix}`;

const STORES = [
  {
    name: 'SQLite',
    reachable: true,
    env: { KEYGATE_STORE: `sqlite:${join(sqliteDirectory, 'nested', 'keys.db')}` },
    migrated: [...MIGRATION_NAMES],
  },
  {
    name: 'PostgreSQL',
    reachable: await postgresReachable(),
    env: { KEYGATE_STORE: DATABASE_URL, KEYGATE_TABLE: table },
    migrated: [...MIGRATION_NAMES],
  },
  {
    name: 'Redis',
    reachable: await redisReachable(),
    env: { KEYGATE_STORE: REDIS_URL, KEYGATE_NAMESPACE: namespace },
    migrated: [],
  },
] as const;

afterAll(async () => {
  rmSync(sqliteDirectory, { recursive: true, force: true });
  if (STORES[1].reachable) await dropPostgresTable(table);
  if (STORES[2].reachable) await clearRedisNamespace(namespace);
});

for (const store of STORES) {
  describe.skipIf(!store.reachable)(`keygate CLI on ${store.name}`, () => {
    const run = (args: string[], input?: string) =>
      keygate(args, { env: store.env, ...(input === undefined ? {} : { input }) });
    const verify = async (key: string) => {
      const result = await run(['keys', 'verify', '--json'], key);
      return {
        code: result.code,
        body: parsed<{
          ok: boolean;
          code?: string;
          context?: { organisationId: string; keyId: string; scopes: string[] };
        }>(result),
      };
    };
    const org = `org_${store.name.toLowerCase()}`;

    it('migrate creates the key table, then has nothing to do', async () => {
      const first = await run(['migrate', '--json']);
      expect(first.code).toBe(0);
      expect(parsed(first)).toEqual({ store: expect.any(String), applied: [...store.migrated] });
      const again = await run(['migrate', '--json']);
      expect(parsed(again)).toMatchObject({ applied: [] });
      expect((await run(['migrate'])).stdout).toMatch(/up to date|needs no migration/);
    });

    it('creates, lists, verifies, rotates, revokes and deletes keys', async () => {
      // create: the key once, and a record without a digest
      const created = await run([
        'keys',
        'create',
        '--org',
        org,
        '--name',
        'CI deploys',
        '--expires-in',
        '30d',
        '--scope',
        'sites:read',
        '--scope',
        'sites:write',
        '--json',
      ]);
      expect(created.code).toBe(0);
      expect(created.stderr).toBe('');
      const { key, record } = parsed<{ key: string; record: KeyJson }>(created);
      expect(key).toMatch(/^sk_live_[A-Za-z0-9_-]{48}$/);
      expect(record).toMatchObject({
        organisationId: org,
        name: 'CI deploys',
        prefix: key.slice(0, 14),
        environment: 'live',
        scopes: ['sites:read', 'sites:write'],
        status: 'active',
        lastUsedAt: null,
        revokedAt: null,
      });
      expect(Date.parse(record.expiresAt!) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
      expect(created.stdout).not.toMatch(/hash/i);

      const testKey = parsed<{ key: string }>(
        await run([
          'keys',
          'create',
          '--org',
          org,
          '--name',
          'Sandbox',
          '--env',
          'test',
          '--expires-at',
          '2099-01-01',
          '--json',
        ]),
      );
      expect(testKey.key.startsWith('sk_test_')).toBe(true);

      const human = await run(['keys', 'create', '--org', org, '--name', 'Shown to a person']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/sk_live_[A-Za-z0-9_-]{48}/);
      expect(human.stdout).toContain('shown only once');

      // list
      const listed = parsed<{ organisationId: string; keys: KeyJson[] }>(
        await run(['keys', 'list', '--org', org, '--json']),
      );
      expect(listed.organisationId).toBe(org);
      expect(listed.keys.map((entry) => entry.name)).toEqual([
        'Shown to a person',
        'Sandbox',
        'CI deploys',
      ]);
      expect(JSON.stringify(listed)).not.toContain(key);
      expect(JSON.stringify(listed)).not.toMatch(/hash/i);
      const table = await run(['keys', 'list', '--org', org]);
      expect(table.stdout.split('\n')[0]).toMatch(
        /^ID\s+PREFIX\s+NAME\s+CREATED\s+LAST USED\s+EXPIRES\s+STATUS\s+QUOTAS$/,
      );
      expect(table.stdout).toContain(`${record.prefix}…`);
      expect(
        parsed<{ keys: unknown[] }>(await run(['keys', 'list', '--org', 'org_nobody', '--json']))
          .keys,
      ).toEqual([]);

      // verify, from standard input
      const valid = await verify(`${key}\n`);
      expect(valid.code).toBe(0);
      expect(valid.body).toMatchObject({
        ok: true,
        context: { organisationId: org, keyId: record.id, scopes: ['sites:read', 'sites:write'] },
      });
      const verifiedForPeople = await run(['keys', 'verify'], key);
      expect(verifiedForPeople.stdout).toMatch(/^valid\n\s+organisation: /);
      const forged = await verify(`sk_live_${'A'.repeat(48)}`);
      expect(forged).toMatchObject({ code: 1, body: { ok: false, code: 'malformed_api_key' } });

      // rotate with a grace period: both keys work; the old one cannot be rotated again
      const rotated = await run(['keys', 'rotate', record.id, '--grace', '1h', '--json']);
      expect(rotated.code).toBe(0);
      const rotation = parsed<{ key: string; record: KeyJson; previous: KeyJson }>(rotated);
      expect(rotation.record).toMatchObject({
        name: 'CI deploys',
        scopes: ['sites:read', 'sites:write'],
        status: 'active',
      });
      expect(rotation.previous).toMatchObject({
        id: record.id,
        replacedById: rotation.record.id,
        status: 'active',
      });
      expect(
        Math.abs(Date.parse(rotation.previous.expiresAt!) - (Date.now() + 3_600_000)),
      ).toBeLessThan(60_000);
      expect((await verify(key)).code).toBe(0);
      expect((await verify(rotation.key)).code).toBe(0);
      const twice = await run(['keys', 'rotate', record.id, '--json']);
      expect(twice.code).toBe(1);
      expect(parsed<{ error: { code: string } }>(twice).error.code).toBe('api_key_not_active');

      // rotate at once: the old key is revoked
      const immediate = parsed<{ key: string; record: KeyJson; previous: KeyJson }>(
        await run(['keys', 'rotate', rotation.record.id, '--json']),
      );
      expect(immediate.previous.status).toBe('revoked');
      expect((await verify(rotation.key)).body).toMatchObject({
        ok: false,
        code: 'revoked_api_key',
      });
      const successorId = immediate.record.id;

      // revoke
      const revoked = await run(['keys', 'revoke', successorId, '--json']);
      expect(revoked.code).toBe(0);
      expect(parsed(revoked)).toMatchObject({
        revoked: true,
        alreadyRevoked: false,
        record: { status: 'revoked' },
      });
      expect((await verify(immediate.key)).body).toMatchObject({
        ok: false,
        code: 'revoked_api_key',
      });
      const again = parsed(await run(['keys', 'revoke', successorId, '--json']));
      expect(again).toMatchObject({ alreadyRevoked: true });

      // delete: gone, and a second delete is "not found"
      const deleted = await run(['keys', 'delete', successorId, '--json']);
      expect(deleted.code).toBe(0);
      // One read and one write: the key manager's delete, guarded by --org when given.
      expect(parsed(deleted)).toEqual({ deleted: true, id: successorId });
      const verifyDeleted = await verify(immediate.key);
      expect(verifyDeleted).toMatchObject({
        code: 1,
        body: { ok: false, code: 'invalid_api_key' },
      });
      const missing = await run(['keys', 'delete', successorId, '--json']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`keygate: no API key with id "${successorId}"\n`);
      expect(parsed<{ error: { code: string } }>(missing).error.code).toBe('api_key_not_found');
      expect((await run(['keys', 'revoke', 'no-such-id'])).code).toBe(1);
      expect((await run(['keys', 'rotate', 'no-such-id'])).code).toBe(1);
    });

    it('updates, disables and enables a key, and rotates keeping its expiry', async () => {
      const created = parsed<{ key: string; record: KeyJson }>(
        await run([
          'keys',
          'create',
          '--org',
          org,
          '--name',
          'Lifecycle',
          '--expires-in',
          '2h',
          '--json',
        ]),
      );
      const id = created.record.id;
      const updated = await run([
        'keys',
        'update',
        id,
        '--name',
        'Renamed',
        '--scopes',
        'sites:read,sites:*',
        '--disable',
        '--json',
      ]);
      expect(updated.code).toBe(0);
      expect(parsed<{ record: KeyJson }>(updated).record).toMatchObject({
        name: 'Renamed',
        scopes: ['sites:read', 'sites:*'],
        status: 'disabled',
        expiresAt: created.record.expiresAt,
      });
      expect((await verify(created.key)).body).toMatchObject({
        ok: false,
        code: 'disabled_api_key',
      });
      const enabled = await run(['keys', 'update', id, '--enable', '--no-expiry', '--json']);
      expect(parsed<{ record: KeyJson }>(enabled).record).toMatchObject({
        status: 'active',
        expiresAt: null,
      });
      expect((await verify(created.key)).body).toMatchObject({ ok: true });
      await run(['keys', 'update', id, '--expires-in', '2h']);
      const before = parsed<{ record: KeyJson }>(
        await run(['keys', 'update', id, '--name', 'R', '--json']),
      );
      // Rotation keeps the expiry instant unless told otherwise.
      const rotated = parsed<{ record: KeyJson }>(await run(['keys', 'rotate', id, '--json']));
      expect(rotated.record.expiresAt).toBe(before.record.expiresAt);
      expect(rotated.record.scopes).toEqual(['sites:read', 'sites:*']);
      const never = parsed<{ record: KeyJson }>(
        await run(['keys', 'rotate', rotated.record.id, '--no-expiry', '--json']),
      );
      expect(never.record.expiresAt).toBeNull();
      // Another organisation's key is not found; a revoked key cannot be updated.
      const guarded = await run([
        'keys',
        'update',
        never.record.id,
        '--name',
        'x',
        '--org',
        'other',
      ]);
      expect(guarded.code).toBe(1);
      await run(['keys', 'revoke', never.record.id]);
      const revoked = await run(['keys', 'update', never.record.id, '--enable', '--json']);
      expect(revoked.code).toBe(1);
      expect(parsed<{ error: { code: string } }>(revoked).error.code).toBe('api_key_not_active');
      expect((await run(['keys', 'update', id])).code).toBe(2);
    });

    it('answers usage errors with exit code 2 and one line', async () => {
      for (const args of [
        ['keys', 'create', '--name', 'No organisation'],
        ['keys', 'create', '--org', org],
        ['keys', 'create', '--org', org, '--name', 'A', '--expires-in', 'soon'],
        ['keys', 'create', '--org', org, '--name', 'A', '--expires-at', '2001-01-01'],
        ['keys', 'create', '--org', org, '--name', 'A', '--env', 'staging'],
        ['keys', 'create', '--org', org, '--name', 'A', '--scope', 'has space'],
        ['keys', 'list'],
        ['keys', 'revoke'],
        ['keys', 'rotate', 'some-id', '--grace', 'forever'],
        ['keys', 'verify', 'sk_live_on_the_command_line'],
        ['keys', 'list', '--org', org, '--grace', '1h'],
        ['keys', 'fly'],
      ]) {
        const result = await run(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr, args.join(' ')).toMatch(/^keygate: [^\n]+\n$/);
        expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
      }
      const empty = await run(['keys', 'verify', '--json'], '');
      expect(empty.code).toBe(2);
      expect(parsed<{ error: { code: string } }>(empty).error.code).toBe('usage');
    });
  });
}
