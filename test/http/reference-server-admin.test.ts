// The reference server's admin sign-in: KEYGATE_ADMIN_TOKEN is the token (not its first
// character), and sign-in while the database is down is a problem+json 503, not a plain 500.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../examples/src/admin/reference-server.js';
import { DATABASE_URL, isReachable } from '../sql/sql-test-databases.js';
import { StallableProxy } from '../sql/stallable-proxy.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-admin-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const signIn = (url: string, token: string) =>
  fetch(`${url}/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ token }),
  });

describe('the reference server admin token', () => {
  it('signs in with KEYGATE_ADMIN_TOKEN as given', async () => {
    const token = 'a-long-admin-token-for-tests-0123456789';
    const server = await startReferenceServer({
      port: 0,
      storeUrl: `sqlite:${join(directory, 'token.db')}`,
      env: { KEYGATE_ADMIN_TOKEN: token },
      cwd: directory,
    });
    try {
      expect(server.adminToken).toBe(token);
      const signedIn = await signIn(server.url, token);
      expect(signedIn.status).toBe(200);
      // The page offers the environments this server accepts, the default first.
      expect(await signedIn.json()).toMatchObject({ environments: ['live', 'test'] });
    } finally {
      await server.close();
    }
  });

  it('refuses at start a token that sign-in could never accept', async () => {
    await expect(
      startReferenceServer({
        port: 0,
        storeUrl: `sqlite:${join(directory, 'short.db')}`,
        env: { KEYGATE_ADMIN_TOKEN: 'short' },
        cwd: directory,
      }),
    ).rejects.toThrow(/KEYGATE_ADMIN_TOKEN must be 16 to 200 characters/);
  });
});

const postgres = await isReachable('postgres');

describe.skipIf(!postgres)('the reference server admin sign-in while the database is down', () => {
  const database = `kg_admin_${process.pid}_${Date.now().toString(36)}`;
  afterAll(() => adminQuery(`drop database if exists "${database}" with (force)`));

  it('answers a problem+json 503, and signs in again once it is back', async () => {
    await adminQuery(`create database "${database}"`);
    const target = new URL(DATABASE_URL);
    const proxy = await StallableProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const storeUrl = new URL(DATABASE_URL);
    storeUrl.hostname = '127.0.0.1';
    storeUrl.port = String(proxy.port);
    storeUrl.pathname = `/${database}`;
    const server = await startReferenceServer({
      port: 0,
      storeUrl: storeUrl.href,
      env: {},
      cwd: directory,
    });
    try {
      proxy.cut();
      const down = await signIn(server.url, server.adminToken);
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toBe('application/problem+json');
      expect(down.headers.get('retry-after')).not.toBeNull();
      expect(await down.json()).toMatchObject({ status: 503, code: 'key_store_unavailable' });
      proxy.restore();
      let answer = await signIn(server.url, server.adminToken);
      for (let attempt = 0; answer.status !== 200 && attempt < 50; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        answer = await signIn(server.url, server.adminToken);
      }
      expect(answer.status).toBe(200);
    } finally {
      await server.close();
      await proxy.close();
    }
  });
});

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
