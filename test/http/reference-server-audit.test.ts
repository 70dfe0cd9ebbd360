// The reference server records who changed which key from where: a change through the admin API
// is one audit event naming the session (never its secret id) and the client address, and the
// key's usage counts what the sites API verified.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../examples/src/admin/reference-server.js';

const directory = mkdtempSync(join(tmpdir(), 'keygate-audit-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('the reference server audit log and usage', () => {
  it('records page actions with the session actor and client IP, and counts usage', async () => {
    const server = await startReferenceServer({
      port: 0,
      storeUrl: `sqlite:${join(directory, 'audit.db')}`,
      env: {},
      cwd: directory,
      lastUsedFlushMs: 50,
    });
    try {
      const signedIn = await fetch(`${server.url}/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ token: server.adminToken }),
      });
      expect(signedIn.status).toBe(200);
      const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
      const headers = {
        cookie,
        'x-csrf-token': csrfToken,
        origin: server.url,
        'content-type': 'application/json',
      };
      const created = await fetch(`${server.url}/admin/api/keys`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'Audited from the page' }),
      });
      expect(created.status).toBe(201);
      const { key, record } = (await created.json()) as { key: string; record: { id: string } };
      for (let i = 0; i < 3; i++) {
        const answer = await fetch(`${server.url}/api/sites`, { headers: { 'x-api-key': key } });
        expect(answer.status).toBe(200);
      }
      const audit = await fetch(`${server.url}/admin/api/audit?keyId=${record.id}`, { headers });
      const { events } = (await audit.json()) as { events: Record<string, unknown>[] };
      expect(events).toEqual([
        expect.objectContaining({
          action: 'create',
          keyId: record.id,
          actor: expect.stringMatching(/^admin:session-[0-9a-f]{12}$/),
          ip: expect.stringMatching(/127\.0\.0\.1/),
        }),
      ]);
      expect(JSON.stringify(events)).not.toContain(cookie.split('=')[1]!);
      await server.keygate.verifier.flushUsage();
      const usage = await fetch(`${server.url}/admin/api/keys/${record.id}/usage?days=1`, {
        headers,
      });
      const body = (await usage.json()) as { days: { accepted: number }[] };
      expect(body.days).toHaveLength(1);
      expect(body.days[0]!.accepted).toBe(3);
    } finally {
      await server.close();
    }
  });
});
