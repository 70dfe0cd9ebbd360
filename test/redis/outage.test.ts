// A Redis outage while requests flow, on a redis-server this file starts: every answer is a
// correct one or key_store_unavailable (503), nothing hangs or crashes, and verification works
// again once Redis is back, with the same clients and store.

import { rmSync } from 'node:fs';
import {
  type ApiKeyRecord,
  createKeyManager,
  createVerifier,
  generateApiKey,
  type KeyManager,
  type Verifier,
  type VerifyResult,
} from '@keygate/core';
import { RedisKeyStore } from '@keygate/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, redisBinariesAvailable, uniqueNamespace } from './support/redis-env.js';
import {
  findFreePort,
  makeTempDir,
  type RedisServer,
  startRedisServer,
  stopRedisServer,
} from './support/redis-server.js';

const available = redisBinariesAvailable('RedisKeyStore outage');
const namespace = uniqueNamespace('outage');

// Longer than any answer may take: a verification still pending after this has hung.
const HANG_GUARD_MS = 5000;
const HUNG = Symbol('hung');

type Kind = 'valid' | 'unknown';
interface Answer {
  readonly kind: Kind;
  readonly result: VerifyResult | typeof HUNG;
}

describe.skipIf(!available)('a Redis outage while requests flow', () => {
  const dir = makeTempDir('outage');
  let server: RedisServer | undefined;
  let port: number;
  let client: Redis;
  let subscriber: Redis;
  let store: RedisKeyStore;
  let verifier: Verifier;
  let manager: KeyManager;
  const validKeys: string[] = [];
  const records: ApiKeyRecord[] = [];
  // Well formed and checksummed, never issued: only the store can tell they are unknown.
  const unknownKeys = Array.from({ length: 20 }, () => generateApiKey().key);
  const storeErrors: unknown[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  const verify = async (kind: Kind, key: string): Promise<Answer> => {
    let guard: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<typeof HUNG>((resolve) => {
      guard = setTimeout(() => resolve(HUNG), HANG_GUARD_MS);
    });
    try {
      return { kind, result: await Promise.race([verifier.verify(key), hung]) };
    } finally {
      clearTimeout(guard);
    }
  };

  // Verifications of random valid and unknown keys, a few at a time, until `stop` is called.
  const startTraffic = () => {
    const answers: Answer[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const valid = Math.random() < 0.5;
        const pool = valid ? validKeys : unknownKeys;
        const key = pool[Math.floor(Math.random() * pool.length)]!;
        answers.push(await verify(valid ? 'valid' : 'unknown', key));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    return {
      answers,
      stop: async () => {
        running = false;
        await Promise.all(workers);
        return answers;
      },
    };
  };

  const codeOf = (answer: Answer): string =>
    answer.result === HUNG ? 'hung' : answer.result.ok ? 'ok' : answer.result.error.code;

  // What may be answered while Redis may be away: the truth, or "unavailable". Never a 200 for
  // an unknown key, never a 401 for a valid one, never a hang.
  const expectCorrectOrUnavailable = (answers: readonly Answer[]) => {
    for (const answer of answers) {
      const allowed =
        answer.kind === 'valid'
          ? ['ok', 'key_store_unavailable']
          : ['invalid_api_key', 'key_store_unavailable'];
      expect(allowed, `${answer.kind} key answered ${codeOf(answer)}`).toContain(codeOf(answer));
      if (
        codeOf(answer) === 'key_store_unavailable' &&
        answer.result !== HUNG &&
        !answer.result.ok
      ) {
        expect(answer.result.error.status).toBe(503);
      }
    }
  };

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  // Retries `attempt` until it succeeds or `ms` pass (a bounded wait for reconnection).
  const eventually = async <T>(attempt: () => Promise<T>, ms: number): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(50);
      }
    }
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    port = await findFreePort();
    server = await startRedisServer(port, dir);
    // Reconnects quickly, so the restart below is noticed within a fraction of a second.
    const reconnect = { retryStrategy: (times: number) => Math.min(times * 20, 200) };
    client = await connectRedis(server.url, reconnect);
    subscriber = await connectRedis(server.url, reconnect);
    store = new RedisKeyStore({ client, subscriber, namespace });
    verifier = createVerifier({
      store,
      cache: false,
      storeTimeoutMs: 200,
      lastUsed: { intervalMs: 1, flushIntervalMs: 50 },
      onError: (error) => storeErrors.push(error),
    });
    await verifier.ready;
    manager = createKeyManager({ store, verifier });
    for (let index = 0; index < 20; index++) {
      const created = await manager.create({ organisationId: 'org_solar', name: `key ${index}` });
      validKeys.push(created.key);
      records.push((await store.findById(created.record.id))!);
    }
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await verifier?.close();
    await store?.close();
    client?.disconnect();
    subscriber?.disconnect();
    if (server !== undefined) await stopRedisServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers correctly before, 503 during, and correctly again after Redis is killed', async () => {
    // Before: all is well.
    for (const key of validKeys) expect(codeOf(await verify('valid', key))).toBe('ok');
    for (const key of unknownKeys)
      expect(codeOf(await verify('unknown', key))).toBe('invalid_api_key');

    // Redis dies under load.
    const traffic = startTraffic();
    await sleep(200);
    await stopRedisServer(server!);
    await sleep(1000);
    const duringOutage = await traffic.stop();
    expectCorrectOrUnavailable(duringOutage);
    expect(duringOutage.some((answer) => codeOf(answer) === 'ok')).toBe(true);
    expect(duringOutage.some((answer) => codeOf(answer) === 'key_store_unavailable')).toBe(true);
    expect(storeErrors.length).toBeGreaterThan(0);

    // Redis comes back on the same port, empty (no persistence): the records are loaded again
    // through the same store, on the same clients, which reconnect by themselves.
    server = await startRedisServer(port, dir);
    for (const record of records) await eventually(() => store.insert(record), 10_000);
    await eventually(async () => {
      expect(codeOf(await verify('valid', validKeys[0]!))).toBe('ok');
    }, 10_000);

    const recovered = startTraffic();
    await sleep(300);
    const afterRestart = await recovered.stop();
    expect(afterRestart.length).toBeGreaterThan(0);
    for (const answer of afterRestart) {
      expect(codeOf(answer)).toBe(answer.kind === 'valid' ? 'ok' : 'invalid_api_key');
    }
    // Invalidation works again too: the subscriber re-subscribed after reconnecting.
    const events: string[] = [];
    const unsubscribe = await store.subscribe!((event) => events.push(event.id));
    await manager.revoke(records[0]!.id);
    await eventually(async () => expect(events).toContain(records[0]!.id), 2000);
    await unsubscribe();

    expect(unhandled).toEqual([]);
  });

  it('answers 503 while Redis is frozen, and recovers when it resumes', async () => {
    const key = validKeys[1]!;
    expect(codeOf(await verify('valid', key))).toBe('ok');
    process.kill(server!.pid, 'SIGSTOP');
    try {
      const frozen = await Promise.all(validKeys.slice(1, 6).map((k) => verify('valid', k)));
      expect(frozen.map(codeOf)).toEqual(Array(5).fill('key_store_unavailable'));
    } finally {
      process.kill(server!.pid, 'SIGCONT');
    }
    await eventually(async () => expect(codeOf(await verify('valid', key))).toBe('ok'), 10_000);
    expect(unhandled).toEqual([]);
  });

  it('reloads its scripts when Redis has forgotten them', async () => {
    await client.script('FLUSH');
    expect(codeOf(await verify('valid', validKeys[2]!))).toBe('ok');
    // (last-used writes are on, so compare what they leave alone)
    const { lastUsedAt: _, ...rest } = records[2]!;
    expect(await store.findById(records[2]!.id)).toMatchObject(rest);
  });

  it('never hands a key to the error hook', () => {
    const told = new Set(
      storeErrors.map((error) =>
        error instanceof Error ? `${error.message} ${error.stack}` : String(error),
      ),
    );
    expect(told.size).toBeGreaterThan(0);
    for (const key of [...validKeys, ...unknownKeys]) {
      for (const line of told) expect(line.includes(key)).toBe(false);
    }
  });
});
