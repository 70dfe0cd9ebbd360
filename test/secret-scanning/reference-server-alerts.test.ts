// GitHub secret-scanning alerts against the reference server (`pnpm start`), with a key pair made
// here and GitHub's key list served by a local HTTP server or read from a file: a signed alert
// revokes (or flags) a live key, anything unsigned or oversized changes nothing.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestAlertSigner, type TestAlertSigner } from '@keygate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ReferenceServer,
  startReferenceServer,
} from '../../examples/src/admin/reference-server.js';

const LEAK_URL = 'https://github.com/octo/app/blob/0a1b2c/deploy/.env';

interface KeyListServer {
  readonly url: string;
  list: { public_keys: unknown[] };
  fetches: number;
  close(): Promise<void>;
}

async function serveKeyList(initial: { public_keys: unknown[] }): Promise<KeyListServer> {
  const state = { list: initial, fetches: 0 };
  const server: Server = createServer((_request, response) => {
    state.fetches++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(state.list));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function alert(...tokens: string[]): string {
  return JSON.stringify(
    tokens.map((token) => ({ token, type: 'keygate_api_key', url: LEAK_URL, source: 'content' })),
  );
}

async function send(
  server: ReferenceServer,
  body: string,
  headers: Record<string, string>,
): Promise<Response> {
  return fetch(`${server.url}/secret-scanning/github`, { method: 'POST', body, headers });
}

async function sitesStatus(server: ReferenceServer, key: string): Promise<[number, string]> {
  const response = await fetch(`${server.url}/api/sites`, { headers: { 'x-api-key': key } });
  const body = (await response.json()) as { code?: string };
  return [response.status, body.code ?? 'ok'];
}

describe('POST /secret-scanning/github on the reference server', () => {
  const directory = mkdtempSync(join(tmpdir(), 'keygate-secret-scanning-'));
  let signer: TestAlertSigner;
  let keyList: KeyListServer;
  let server: ReferenceServer;

  beforeAll(async () => {
    signer = await createTestAlertSigner();
    keyList = await serveKeyList({ public_keys: [signer.entry] });
    server = await startReferenceServer({
      storeUrl: `sqlite:${join(directory, 'keys.db')}`,
      port: 0,
      cacheTtlMs: 60_000,
      env: { KEYGATE_SECRET_SCANNING_KEYS: keyList.url },
      cwd: directory,
      secretScanningKeyRefreshMs: 0,
    });
  });

  afterAll(async () => {
    await server?.close();
    await keyList?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  async function newKey(name: string): Promise<string> {
    return (await server.keygate.keys.create({ organisationId: server.organisationId, name })).key;
  }

  it('revokes a live key from a signed alert: its next request gets revoked_api_key', async () => {
    const key = server.demoKey!;
    expect(await sitesStatus(server, key)).toEqual([200, 'ok']); // and cached
    const body = alert(key);
    const response = await send(server, body, await signer.sign(body));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toEqual([
      {
        token_hash: createHash('sha256').update(key).digest('hex'),
        token_type: 'keygate_api_key',
        label: 'true_positive',
      },
    ]);
    expect(await sitesStatus(server, key)).toEqual([401, 'revoked_api_key']);
    const { keys } = await server.keygate.keys.list(server.organisationId);
    const record = keys.find((entry) => entry.name === 'Demo key')!;
    expect(record.leakedAt).toBeInstanceOf(Date);
    expect(record.leakSource).toBe(LEAK_URL);
  });

  it('labels a well-formed key that no one issued false_positive', async () => {
    const elsewhere = await startReferenceServer({
      storeUrl: `sqlite:${join(directory, 'other.db')}`,
      port: 0,
      env: { KEYGATE_SECRET_SCANNING: 'off' },
      cwd: directory,
    });
    const foreign = elsewhere.demoKey!;
    await elsewhere.close();
    const body = alert(foreign);
    const response = await send(server, body, await signer.sign(body));
    expect(((await response.json()) as { label: string }[])[0]!.label).toBe('false_positive');
  });

  it('refuses a tampered body, a wrong signature, an unknown identifier and an oversized body, revoking nothing', async () => {
    const key = await newKey('Untouched');
    const body = alert(key);
    const signed = await signer.sign(body);
    const impostor = await createTestAlertSigner(signer.keyIdentifier);
    const stranger = await createTestAlertSigner();
    const fetchesBefore = keyList.fetches;
    const attempts: [string, Record<string, string>, number][] = [
      [body.replace('deploy', 'evil'), signed, 401],
      [body, await impostor.sign(body), 401],
      [body, await stranger.sign(body), 401],
      [body, { 'content-type': 'application/json' }, 401],
    ];
    const huge = alert(...new Array(12_000).fill(key));
    attempts.push([huge, await signer.sign(huge), 413]);
    for (const [sent, headers, status] of attempts) {
      const response = await send(server, sent, headers);
      expect(response.status).toBe(status);
      expect(await response.text()).not.toContain(key);
    }
    // The unknown identifier refetched the list once; nothing else did.
    expect(keyList.fetches).toBe(fetchesBefore + 1);
    expect(await sitesStatus(server, key)).toEqual([200, 'ok']);
  });

  it('picks up a rotated key list: an alert signed with the new key is accepted', async () => {
    const key = await newKey('Rotation');
    const next = await createTestAlertSigner();
    keyList.list = { public_keys: [{ ...signer.entry, is_current: false }, next.entry] };
    const body = alert(key);
    const response = await send(server, body, await next.sign(body));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { label: string }[])[0]!.label).toBe('true_positive');
    expect(await sitesStatus(server, key)).toEqual([401, 'revoked_api_key']);
  });

  it('flags only, from a key list in a file, with KEYGATE_SECRET_SCANNING=flag', async () => {
    writeFileSync(
      join(directory, 'github-keys.json'),
      JSON.stringify({ public_keys: [signer.entry] }),
    );
    const flagging = await startReferenceServer({
      storeUrl: `sqlite:${join(directory, 'flag.db')}`,
      port: 0,
      env: {
        KEYGATE_SECRET_SCANNING: 'flag',
        KEYGATE_SECRET_SCANNING_KEYS: 'file:github-keys.json',
      },
      cwd: directory,
    });
    try {
      const key = flagging.demoKey!;
      const body = alert(key);
      const response = await send(flagging, body, await signer.sign(body));
      expect(((await response.json()) as { label: string }[])[0]!.label).toBe('true_positive');
      expect(await sitesStatus(flagging, key)).toEqual([200, 'ok']);
      const [record] = (await flagging.keygate.keys.list(flagging.organisationId)).keys;
      expect(record!.leakedAt).toBeInstanceOf(Date);
      expect(record!.revokedAt).toBeNull();
    } finally {
      await flagging.close();
    }
  });

  it('has no endpoint with KEYGATE_SECRET_SCANNING=off, and refuses to start on a bad setting', async () => {
    const off = await startReferenceServer({
      storeUrl: `sqlite:${join(directory, 'off.db')}`,
      port: 0,
      env: { KEYGATE_SECRET_SCANNING: 'off' },
      cwd: directory,
    });
    try {
      const body = alert(off.demoKey!);
      // The path then belongs to the sites API, which wants a key like every other path.
      const answer = await send(off, body, await signer.sign(body));
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as { code: string }).code).toBe('missing_api_key');
      expect(await sitesStatus(off, off.demoKey!)).toEqual([200, 'ok']);
    } finally {
      await off.close();
    }
    await expect(
      startReferenceServer({ port: 0, env: { KEYGATE_SECRET_SCANNING: 'delete' }, cwd: directory }),
    ).rejects.toThrow(/KEYGATE_SECRET_SCANNING must be revoke, flag or off/);
    await expect(
      startReferenceServer({
        port: 0,
        env: { KEYGATE_SECRET_SCANNING_KEYS: 'ftp://keys' },
        storeUrl: `sqlite:${join(directory, 'bad.db')}`,
        cwd: directory,
      }),
    ).rejects.toThrow(/KEYGATE_SECRET_SCANNING_KEYS/);
  });
});
