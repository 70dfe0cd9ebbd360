import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../audit/audit-event.js';
import type { KeyStore } from '../key-store.js';
import { createKeygate, type Keygate } from '../keygate.js';
import { MemoryKeyStore } from '../memory-key-store.js';
import { createTestAlertSigner, type TestAlertSigner } from '../testing/alert-signer.js';
import { createSecretScanningHandler, type SecretScanningHandlerOptions } from './handler.js';
import type { LeakReport } from './leak-responder.js';

const URL_OF_ALERTS = 'https://platform.example/secret-scanning/github';
const LEAK_URL = 'https://github.com/octo/app/blob/0a1b2c/config/.env';
// The right prefix and length, but its checksum does not match.
const BAD_CHECKSUM_KEY = `sk_live_${'A'.repeat(48)}`;

let store: MemoryKeyStore;
let keygate: Keygate;
let signer: TestAlertSigner;
let reports: LeakReport[];

beforeEach(async () => {
  store = new MemoryKeyStore();
  keygate = createKeygate({ store, lastUsed: false });
  signer = await createTestAlertSigner();
  reports = [];
});

function handler(overrides: Partial<SecretScanningHandlerOptions> = {}) {
  return createSecretScanningHandler({
    verifier: keygate.verifier,
    publicKeys: { public_keys: [signer.entry] },
    onLeak: (report) => {
      reports.push(report);
    },
    onError: () => {},
    ...overrides,
  });
}

function alertBody(...tokens: string[]): string {
  return JSON.stringify(
    tokens.map((token) => ({ token, type: 'keygate_api_key', url: LEAK_URL, source: 'content' })),
  );
}

async function post(
  handle: ReturnType<typeof handler>,
  body: string,
  headers?: Record<string, string>,
): Promise<Response> {
  return handle(
    new Request(URL_OF_ALERTS, {
      method: 'POST',
      body,
      headers: headers ?? (await signer.sign(body)),
    }),
  );
}

async function liveKey(): Promise<string> {
  return (await keygate.keys.create({ organisationId: 'org_1', name: 'Production API' })).key;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('createSecretScanningHandler', () => {
  it('revokes a reported live key, records the leak, tells onLeak, and labels it true_positive', async () => {
    const key = await liveKey();
    expect((await keygate.verifier.verify(key)).ok).toBe(true); // now cached
    const response = await post(handler(), alertBody(key));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(text).not.toContain(key);
    expect(JSON.parse(text)).toEqual([
      { token_hash: sha256Hex(key), token_type: 'keygate_api_key', label: 'true_positive' },
    ]);
    const result = await keygate.verifier.verify(key);
    expect(result.ok === false && result.error.code).toBe('revoked_api_key');
    const [record] = (await keygate.keys.list('org_1')).keys;
    expect(record!.revokedAt).toBeInstanceOf(Date);
    expect(record!.leakedAt).toEqual(record!.revokedAt);
    expect(record!.leakSource).toBe(LEAK_URL);
    expect(reports).toEqual([
      expect.objectContaining({
        keyId: record!.id,
        organisationId: 'org_1',
        prefix: record!.prefix,
        action: 'revoke',
        source: LEAK_URL,
        reporter: 'github',
      }),
    ]);
    expect(JSON.stringify(reports)).not.toContain(key);
  });

  it('answers the same alert twice alike, revoking, auditing and telling onLeak once', async () => {
    const key = await liveKey();
    const events: AuditEvent[] = [];
    const handle = handler({ audit: { record: async (event) => void events.push(event) } });
    const body = alertBody(key, key);
    const first = await (await post(handle, body)).json();
    const [before] = (await keygate.keys.list('org_1')).keys;
    const second = await (await post(handle, body)).json();
    const [after] = (await keygate.keys.list('org_1')).keys;
    expect(second).toEqual(first);
    expect(first.map((entry: { label: string }) => entry.label)).toEqual([
      'true_positive',
      'true_positive',
    ]);
    expect(after!.revokedAt).toEqual(before!.revokedAt);
    expect(reports).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({
        action: 'leak',
        keyId: after!.id,
        keyPrefix: after!.prefix,
        organisationId: 'org_1',
        actor: 'github',
        ip: null,
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it('revokes once when the same alert arrives twice at the same time', async () => {
    const key = await liveKey();
    // A slow write: the second delivery looks the key up while the first is still writing.
    const write = store.update.bind(store);
    const update = vi.spyOn(store, 'update').mockImplementation(async (id, changes) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return write(id, changes);
    });
    const handle = handler();
    const body = alertBody(key);
    const answers = await Promise.all([post(handle, body), post(handle, body)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(update).toHaveBeenCalledTimes(1);
    expect(reports).toHaveLength(1);
  });

  it('labels unknown, malformed and already revoked tokens false_positive and writes nothing', async () => {
    const revoked = await liveKey();
    const [record] = (await keygate.keys.list('org_1')).keys;
    await keygate.keys.revoke(record!.id);
    const unknown = (
      await createKeygate({ store: new MemoryKeyStore() }).keys.create({
        organisationId: 'org_2',
        name: 'elsewhere',
      })
    ).key;
    const badChecksum = `${unknown.slice(0, -1)}${unknown.endsWith('A') ? 'B' : 'A'}`;
    const update = vi.spyOn(store, 'update');
    const response = await post(
      handler(),
      alertBody(unknown, badChecksum, BAD_CHECKSUM_KEY, 'x', revoked),
    );
    const labels = (await response.json()).map((entry: { label: string }) => entry.label);
    expect(labels).toEqual(new Array(5).fill('false_positive'));
    expect(update).not.toHaveBeenCalled();
    expect(reports).toEqual([]);
  });

  it('only flags with action "flag": the key keeps working, and the leak is recorded', async () => {
    const key = await liveKey();
    const response = await post(handler({ action: 'flag' }), alertBody(key));
    expect((await response.json())[0].label).toBe('true_positive');
    expect((await keygate.verifier.verify(key)).ok).toBe(true);
    const [record] = (await keygate.keys.list('org_1')).keys;
    expect(record!.revokedAt).toBeNull();
    expect(record!.leakedAt).toBeInstanceOf(Date);
    expect(reports.map((report) => report.action)).toEqual(['flag']);
  });

  it('finds keys made under an older pepper', async () => {
    const old = { id: 'old', secret: 'o'.repeat(32) };
    keygate = createKeygate({ store, peppers: [old], lastUsed: false });
    const key = await liveKey();
    keygate = createKeygate({
      store,
      peppers: [{ id: 'new', secret: 'n'.repeat(32) }, old],
      lastUsed: false,
    });
    const response = await post(handler(), alertBody(key));
    expect((await response.json())[0].label).toBe('true_positive');
    const result = await keygate.verifier.verify(key);
    expect(result.ok === false && result.error.code).toBe('revoked_api_key');
  });

  it('sends the token back as token_raw only when asked to', async () => {
    const key = await liveKey();
    const response = await post(handler({ feedback: 'raw' }), alertBody(key));
    expect(await response.json()).toEqual([
      { token_raw: key, token_type: 'keygate_api_key', label: 'true_positive' },
    ]);
  });

  describe('refuses, touching nothing,', () => {
    async function expectRefused(response: Response, status: number, code: string, key: string) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const text = await response.text();
      expect(JSON.parse(text).code).toBe(code);
      expect(text).not.toContain(key);
      expect((await keygate.verifier.verify(key)).ok).toBe(true);
      expect(reports).toEqual([]);
    }

    it('a tampered body', async () => {
      const key = await liveKey();
      const body = alertBody(key);
      const headers = await signer.sign(body);
      const tampered = body.replace(LEAK_URL, 'https://evil.example/');
      await expectRefused(await post(handler(), tampered, headers), 401, 'invalid_signature', key);
    });

    it('a signature made with another key', async () => {
      const key = await liveKey();
      const body = alertBody(key);
      const impostor = await createTestAlertSigner(signer.keyIdentifier);
      const headers = await impostor.sign(body);
      await expectRefused(await post(handler(), body, headers), 401, 'invalid_signature', key);
    });

    it('missing or garbled signature headers', async () => {
      const key = await liveKey();
      const body = alertBody(key);
      const signed = await signer.sign(body);
      const variants: Record<string, string>[] = [
        { 'content-type': 'application/json' },
        { ...signed, 'github-public-key-signature': '' },
        { ...signed, 'github-public-key-signature': 'not base64!' },
        { ...signed, 'github-public-key-signature': btoa('short') },
        { ...signed, 'github-public-key-identifier': 'x'.repeat(300) },
      ];
      for (const headers of variants) {
        await expectRefused(await post(handler(), body, headers), 401, 'invalid_signature', key);
      }
    });

    it('an unknown key identifier, after refetching the list once', async () => {
      const key = await liveKey();
      const provider = vi.fn(async () => ({ public_keys: [signer.entry] }));
      const handle = handler({ publicKeys: provider, minKeyRefreshIntervalMs: 0 });
      expect((await post(handle, alertBody('x'))).status).toBe(200); // loads the list
      const stranger = await createTestAlertSigner();
      const body = alertBody(key);
      await expectRefused(
        await post(handle, body, await stranger.sign(body)),
        401,
        'invalid_signature',
        key,
      );
      expect(provider).toHaveBeenCalledTimes(2); // the first load, and one refetch
    });

    it('a body over the size limit, declared or not', async () => {
      const key = await liveKey();
      const handle = handler({ maxBodyBytes: 200 });
      const body = alertBody(key, key, key);
      await expectRefused(await post(handle, body), 413, 'payload_too_large', key);
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      });
      const undeclared = await handle(
        new Request(URL_OF_ALERTS, {
          method: 'POST',
          body: stream,
          headers: await signer.sign(body),
          duplex: 'half',
        } as RequestInit),
      );
      await expectRefused(undeclared, 413, 'payload_too_large', key);
    });

    it('more tokens than allowed', async () => {
      const key = await liveKey();
      const response = await post(handler({ maxTokens: 2 }), alertBody(key, key, key));
      await expectRefused(response, 413, 'payload_too_large', key);
    });

    it('a body that is not an alert, and a GET', async () => {
      const key = await liveKey();
      for (const body of ['{}', 'not json', '[1]', '[{"token": 5}]']) {
        await expectRefused(await post(handler(), body), 400, 'invalid_request', key);
      }
      const get = await handler()(new Request(URL_OF_ALERTS));
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
    });
  });

  it('picks up a rotated key list: a new identifier refetches it', async () => {
    const key = await liveKey();
    const next = await createTestAlertSigner();
    let list = { public_keys: [signer.entry] };
    const provider = vi.fn(async () => list);
    const handle = handler({ publicKeys: provider, minKeyRefreshIntervalMs: 0 });
    const warmUp = alertBody('sk_test_nothing');
    expect((await post(handle, warmUp)).status).toBe(200);
    list = { public_keys: [{ ...signer.entry, is_current: false }, next.entry] };
    const body = alertBody(key);
    const response = await post(handle, body, await next.sign(body));
    expect(response.status).toBe(200);
    expect((await response.json())[0].label).toBe('true_positive');
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('does not refetch for unknown identifiers more often than the interval allows', async () => {
    const provider = vi.fn(async () => ({ public_keys: [signer.entry] }));
    const handle = handler({ publicKeys: provider, minKeyRefreshIntervalMs: 60_000 });
    const stranger = await createTestAlertSigner();
    const body = alertBody('x');
    for (let round = 0; round < 5; round++) {
      expect((await post(handle, body, await stranger.sign(body))).status).toBe(401);
    }
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('answers 503 when the key list or the store fails, so that GitHub delivers again', async () => {
    const key = await liveKey();
    const failingList = handler({
      publicKeys: async () => {
        throw new Error('github down');
      },
    });
    const listDown = await post(failingList, alertBody(key));
    expect(listDown.status).toBe(503);
    expect((await listDown.json()).code).toBe('public_keys_unavailable');
    const broken: KeyStore = Object.create(store, {
      findByHash: { value: async () => Promise.reject(new Error('store down')) },
    });
    keygate = createKeygate({ store: broken, lastUsed: false });
    const storeDown = await post(handler(), alertBody(key));
    expect(storeDown.status).toBe(503);
    expect((await storeDown.json()).code).toBe('key_store_unavailable');
    expect(reports).toEqual([]);
  });

  it('still answers when onLeak throws, and tells onError', async () => {
    const key = await liveKey();
    const errors: unknown[] = [];
    const handle = handler({
      onLeak: () => {
        throw new Error('mailer down');
      },
      onError: (error) => errors.push(error),
    });
    const response = await post(handle, alertBody(key));
    expect((await response.json())[0].label).toBe('true_positive');
    expect(errors).toHaveLength(1);
  });

  it('checks its options at construction', () => {
    expect(() => handler({ action: 'delete' as 'flag' })).toThrow(TypeError);
    expect(() => handler({ maxTokens: 0 })).toThrow(RangeError);
    expect(() => handler({ feedback: 'both' as 'raw' })).toThrow(TypeError);
    expect(() => handler({ publicKeys: { public_keys: [{ key: 'x' }] } as never })).toThrow(
      TypeError,
    );
  });
});
