// keygate audit and keygate keys usage on SQLite, PostgreSQL and Redis: every change made with the
// CLI is one audit event naming cli:$USER, listed newest first (filtered by key and time), and a
// key's usage per day counts what verifications added; bad options are usage errors (exit 2).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const sqliteDirectory = mkdtempSync(join(tmpdir(), 'keygate-cli-audit-'));
const table = `kg_audit_${suffix}`;
const namespace = `kg-audit-${suffix}`;

const STORES = [
  {
    name: 'SQLite',
    reachable: true,
    env: { KEYGATE_STORE: `sqlite:${join(sqliteDirectory, 'keys.db')}` },
  },
  {
    name: 'PostgreSQL',
    reachable: await postgresReachable(),
    env: { KEYGATE_STORE: DATABASE_URL, KEYGATE_TABLE: table },
  },
  {
    name: 'Redis',
    reachable: await redisReachable(),
    env: { KEYGATE_STORE: REDIS_URL, KEYGATE_NAMESPACE: namespace },
  },
] as const;

afterAll(async () => {
  rmSync(sqliteDirectory, { recursive: true, force: true });
  if (STORES[1].reachable) await dropPostgresTable(table);
  if (STORES[2].reachable) await clearRedisNamespace(namespace);
});

interface AuditJson {
  events: {
    action: string;
    keyId: string;
    keyPrefix: string;
    actor: string | null;
    ip: string | null;
    at: string;
  }[];
}

for (const store of STORES) {
  describe.skipIf(!store.reachable)(`keygate audit and keys usage on ${store.name}`, () => {
    const env = { ...store.env, USER: 'alice' };
    const run = (args: string[], input?: string) =>
      keygate(args, { env, ...(input === undefined ? {} : { input }) });
    const org = `org_audit_${store.name.toLowerCase()}`;

    it('records each CLI change once with the actor cli:$USER and lists it', async () => {
      await run(['migrate']);
      const created = await run(['keys', 'create', '--org', org, '--name', 'Audited', '--json']);
      expect(created.code).toBe(0);
      const { key, record } = parsed<{ key: string; record: { id: string; prefix: string } }>(
        created,
      );
      expect((await run(['keys', 'update', record.id, '--disable'])).code).toBe(0);
      expect((await run(['keys', 'update', record.id, '--enable'])).code).toBe(0);
      expect((await run(['keys', 'revoke', record.id])).code).toBe(0);

      const listed = await run(['audit', '--org', org, '--json']);
      expect(listed.code).toBe(0);
      const { events } = parsed<AuditJson>(listed);
      expect(events.map((event) => event.action).sort()).toEqual(
        ['create', 'disable', 'enable', 'revoke'].sort(),
      );
      for (const event of events) {
        expect(event).toMatchObject({
          keyId: record.id,
          keyPrefix: record.prefix,
          actor: 'cli:alice',
          ip: null,
        });
      }
      expect(listed.stdout).not.toContain(key.slice(14));

      const text = await run(['audit', '--org', org, '--key', record.id, '--since', '1h']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^at\s+action\s+key\s+prefix\s+actor\s+ip\n/);
      expect(text.stdout).toContain('cli:alice');
      expect(text.stdout.trim().split('\n')).toHaveLength(5);
      const none = await run(['audit', '--org', org, '--key', 'nope']);
      expect(none.stdout).toBe(`No audit events for organisation ${org}.\n`);
    });

    it('shows a key’s usage per day after verifications', async () => {
      const created = await run(['keys', 'create', '--org', org, '--name', 'Counted', '--json']);
      const { key, record } = parsed<{ key: string; record: { id: string } }>(created);
      for (let i = 0; i < 3; i++) {
        expect((await run(['keys', 'verify'], key)).code).toBe(0);
      }
      const usage = await run(['keys', 'usage', record.id, '--days', '2', '--json']);
      expect(usage.code).toBe(0);
      const body = parsed<{ keyId: string; days: { date: string; accepted: number }[] }>(usage);
      expect(body.keyId).toBe(record.id);
      expect(body.days).toHaveLength(2);
      expect(body.days.reduce((sum, day) => sum + day.accepted, 0)).toBe(3);
      const table = await run(['keys', 'usage', record.id, '--days', '3']);
      expect(table.stdout).toMatch(/date\s+accepted\s+refused/);
      expect(table.stdout).toMatch(/total\s+3\s+0\n$/);
    });

    it('answers usage errors with exit 2 and a missing key with exit 1', async () => {
      expect((await run(['audit'])).code).toBe(2);
      expect((await run(['audit', '--org', org, '--since', 'yesterday'])).code).toBe(2);
      expect((await run(['audit', '--org', org, '--limit', '0'])).code).toBe(2);
      expect((await run(['keys', 'usage', 'x', '--days', '400'])).code).toBe(2);
      expect((await run(['keys', 'usage'])).code).toBe(2);
      const missing = await run(['keys', 'usage', 'no-such-key', '--json']);
      expect(missing.code).toBe(1);
      expect(parsed<{ error: { code: string } }>(missing).error.code).toBe('api_key_not_found');
    });
  });
}
