// RedisKeyStore beyond the conformance suite, on the real Redis at REDIS_URL: the documented key
// layout, a client keyPrefix, the channel's tolerance of junk, atomic refusals, odd values.
import { makeTestRecord } from '@keygate/core/testing';
import { type RedisCommandClient, RedisKeyStore, type RedisSubscriberClient } from '@keygate/redis';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  connectRedis,
  deleteNamespace,
  REDIS_URL,
  redisAvailable,
  uniqueNamespace,
} from './support/redis-env.js';

const available = await redisAvailable('RedisKeyStore behaviour');
const namespace = uniqueNamespace('store');

describe('the structural client types', () => {
  it('accept ioredis Redis and Cluster instances as they are', () => {
    expectTypeOf<Redis>().toExtend<RedisCommandClient>();
    expectTypeOf<Cluster>().toExtend<RedisCommandClient>();
    expectTypeOf<Redis>().toExtend<RedisSubscriberClient>();
    expectTypeOf<Cluster>().toExtend<RedisSubscriberClient>();
  });
});

describe.skipIf(!available)('RedisKeyStore on a real Redis', () => {
  const connections: Redis[] = [];
  const stores: RedisKeyStore[] = [];
  let client: Redis;

  const open = async (extra: { subscriber?: Redis; channel?: string } = {}) => {
    const store = new RedisKeyStore({ client, namespace, ...extra });
    stores.push(store);
    return store;
  };
  const connect = async (options = {}) => {
    const connection = await connectRedis(REDIS_URL, options);
    connections.push(connection);
    return connection;
  };
  const waitFor = async (condition: () => boolean, ms = 2000) => {
    const deadline = Date.now() + ms;
    while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };

  beforeAll(async () => {
    client = await connect();
  });

  afterAll(async () => {
    for (const store of stores) await store.close();
    await deleteNamespace(client, namespace);
    await deleteNamespace(client, namespace, 'app:');
    for (const connection of connections) connection.disconnect();
  });

  it('writes exactly the documented keys, all under the {namespace} hash tag', async () => {
    const store = await open();
    const record = makeTestRecord();
    await store.insert(record);
    const tag = `{${namespace}}`;
    expect(await client.type(`${tag}:key:${record.id}`)).toBe('hash');
    expect(await client.get(`${tag}:digest:${record.hash}`)).toBe(record.id);
    const listing = await client.zrange(`${tag}:org:${record.organisationId}`, 0, -1, 'WITHSCORES');
    expect(listing).toEqual([
      `1${String(record.createdAt.getTime()).padStart(16, '0')}:${record.id}`,
      '0',
    ]);
    const fields = await client.hgetall(`${tag}:key:${record.id}`);
    expect(Object.keys(fields).sort()).toEqual(
      [
        'createdAt',
        'environment',
        'hash',
        'hashVersion',
        'id',
        'listing',
        'metadata',
        'name',
        'organisationId',
        'prefix',
        'scopes',
      ].sort(),
    );
    expect(await client.exists(`${tag}:key:${record.id}`, `${tag}:digest:${record.hash}`)).toBe(2);
    await store.delete(record.id);
    expect(
      await client.exists(
        `${tag}:key:${record.id}`,
        `${tag}:digest:${record.hash}`,
        `${tag}:org:${record.organisationId}`,
      ),
    ).toBe(0);
  });

  it('writes nothing when an insert is refused', async () => {
    const store = await open();
    const first = makeTestRecord();
    await store.insert(first);
    const clash = makeTestRecord({ hash: first.hash });
    await expect(store.insert(clash)).rejects.toMatchObject({
      name: 'DuplicateApiKeyError',
      code: 'duplicate_api_key',
    });
    expect(await client.exists(`{${namespace}}:key:${clash.id}`)).toBe(0);
    expect(await client.exists(`{${namespace}}:org:${clash.organisationId}`)).toBe(0);
  });

  it('lets exactly one of many concurrent inserts of one digest through', async () => {
    const stores = await Promise.all([open(), open(), open()]);
    const hash = `contested_${crypto.randomUUID()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) => stores[index % 3]!.insert(makeTestRecord({ hash }))),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
  });

  it('works with a client that has its own keyPrefix, keys under that prefix', async () => {
    const prefixed = await connect({ keyPrefix: 'app:' });
    const store = new RedisKeyStore({ client: prefixed, namespace });
    const record = makeTestRecord();
    await store.insert(record);
    expect(await store.findByHash(record.hash)).toEqual(record);
    expect((await store.listByOrganisation(record.organisationId!)).records).toEqual([record]);
    expect(await client.exists(`app:{${namespace}}:key:${record.id}`)).toBe(1);
    expect(await store.update(record.id, { hash: `${record.hash}2` })).toMatchObject({
      id: record.id,
    });
    expect(await store.delete(record.id)).toBe(true);
    expect(await deleteNamespace(client, namespace, 'app:')).toBe(0);
  });

  it('round-trips unusual ids, names, metadata and dates before 1970', async () => {
    const store = await open();
    const organisationId = `org:{weird} ${crypto.randomUUID()}`;
    const old = makeTestRecord({
      id: `id:{x}:${crypto.randomUUID()}`,
      organisationId,
      name: 'Zählerstand 🔑 "Nord" \n second line',
      createdAt: new Date(-86_400_000),
      lastUsedAt: new Date(0),
      metadata: { 'dotted.key': 'v', unicode: 'ẞ', deep: { a: [[], {}] } },
    });
    const newer = makeTestRecord({ organisationId, createdAt: new Date(Date.UTC(2026, 0, 1)) });
    await store.insert(old);
    await store.insert(newer);
    expect(await store.findById(old.id)).toEqual(old);
    expect(await store.findByHash(old.hash)).toEqual(old);
    const page = await store.listByOrganisation(organisationId, { limit: 1 });
    expect(page.records).toEqual([newer]);
    const rest = await store.listByOrganisation(organisationId, { cursor: page.nextCursor! });
    expect(rest).toEqual({ records: [old], nextCursor: null });
  });

  it('rejects a cursor no listing made, with a RangeError naming the package', async () => {
    const store = await open();
    await expect(store.listByOrganisation('org', { cursor: 'nonsense' })).rejects.toThrow(
      /@keygate\/redis/,
    );
  });

  it('records a large last-used batch, the latest time per key, in several scripts', async () => {
    const store = await open();
    const records = Array.from({ length: 1200 }, () => makeTestRecord());
    await Promise.all(records.map((record) => store.insert(record)));
    const base = Date.UTC(2026, 5, 1);
    await store.recordLastUsed([
      ...records.map((record, index) => ({ id: record.id, lastUsedAt: new Date(base + index) })),
      { id: records[0]!.id, lastUsedAt: new Date(base + 10_000) },
      { id: records[0]!.id, lastUsedAt: new Date(base - 10_000) },
    ]);
    expect((await store.findById(records[0]!.id))?.lastUsedAt).toEqual(new Date(base + 10_000));
    expect((await store.findById(records[1199]!.id))?.lastUsedAt).toEqual(new Date(base + 1199));
  });

  it('ignores junk published on its channel and keeps delivering real events', async () => {
    const subscriber = await connect();
    const store = await open({ subscriber });
    const events: unknown[] = [];
    const unsubscribe = await store.subscribe!((event) => events.push(event));
    const record = makeTestRecord();
    await store.insert(record);
    for (const junk of ['', 'junk', '{"id":1}', 'null', '{"id":"x"}', '\u0000\uffff']) {
      await client.publish(store.channel, junk);
    }
    await store.update(record.id, { name: 'after the junk' });
    await waitFor(() => events.length > 0);
    expect(events).toEqual([{ id: record.id, hash: record.hash }]);
    await unsubscribe();
  });

  it('stops delivering after unsubscribe, and two stores can share one subscriber', async () => {
    const subscriber = await connect();
    const first = await open({ subscriber });
    const second = await open({ subscriber });
    const seen: string[] = [];
    const stopFirst = await first.subscribe!(() => seen.push('first'));
    const stopSecond = await second.subscribe!(() => seen.push('second'));
    const record = makeTestRecord();
    await first.insert(record);
    await stopFirst();
    await first.update(record.id, { name: 'x' });
    await waitFor(() => seen.length > 0);
    expect(seen).toEqual(['second']);
    await stopSecond();
  });

  it('uses the channel it was given', async () => {
    const subscriber = await connect();
    const channel = `${namespace}:custom`;
    const store = await open({ subscriber, channel });
    expect(store.channel).toBe(channel);
    const listener = await connect();
    const messages: string[] = [];
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await listener.subscribe(channel);
    const record = makeTestRecord();
    await store.insert(record);
    await store.delete(record.id);
    await waitFor(() => messages.length > 0);
    expect(messages.map((message) => JSON.parse(message))).toEqual([
      { id: record.id, hash: record.hash },
    ]);
  });

  it('fails fast, without hanging, when Redis cannot be reached', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    const onWarning = vi.fn();
    const store = new RedisKeyStore({ client: unreachable, onWarning });
    expect(onWarning).not.toHaveBeenCalled();
    await expect(store.findByHash('anything')).rejects.toThrow();
    await expect(store.insert(makeTestRecord())).rejects.toThrow();
    unreachable.disconnect();
  });

  it('warns once about a client built with ioredis defaults', async () => {
    const defaults = new Redis(REDIS_URL, { lazyConnect: true });
    const onWarning = vi.fn();
    new RedisKeyStore({ client: defaults, onWarning });
    expect(onWarning).toHaveBeenCalledOnce();
    expect(onWarning.mock.calls[0]![0]).toContain('enableOfflineQueue: false');
    expect(onWarning.mock.calls[0]![0]).toContain('commandTimeout');
    defaults.disconnect();
  });
});
