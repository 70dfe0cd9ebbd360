// Option checking, the resolved object and the construction-time warning, without a Redis.
import { describe, expect, it, vi } from 'vitest';
import type { RedisClientSettings, RedisCommandClient, RedisSubscriberClient } from './client.js';
import { clientKeyPrefix, clientWarning, resolveRedisKeyStoreOptions } from './options.js';
import { RedisKeyStore } from './redis-key-store.js';

const unused = () => Promise.reject(new Error('not called in these tests'));

function fakeClient(options?: RedisClientSettings, isCluster = false): RedisCommandClient {
  return {
    evalsha: unused,
    eval: unused,
    hgetall: unused,
    isCluster,
    ...(options === undefined ? {} : { options }),
  };
}

function fakeSubscriber(): RedisSubscriberClient {
  return { subscribe: unused, unsubscribe: unused, on: () => {}, off: () => {} };
}

const recommended: RedisClientSettings = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
};

describe('resolveRedisKeyStoreOptions', () => {
  it('fills in the defaults and freezes the result', () => {
    const client = fakeClient(recommended);
    const resolved = resolveRedisKeyStoreOptions({ client });
    expect(resolved).toMatchObject({
      client,
      subscriber: undefined,
      namespace: 'keygate',
      channel: 'keygate:invalidation',
    });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(resolveRedisKeyStoreOptions({ client, namespace: 'billing' }).channel).toBe(
      'billing:invalidation',
    );
  });

  it('never changes the caller’s options object', () => {
    const options = Object.freeze({
      client: fakeClient(recommended),
      subscriber: fakeSubscriber(),
      namespace: 'app',
    });
    const before = { ...options };
    const resolved = resolveRedisKeyStoreOptions(options);
    expect(options).toEqual(before);
    expect(resolved).not.toBe(options);
    new RedisKeyStore({ ...options, onWarning: () => {} });
    expect(options).toEqual(before);
  });

  it.each([
    ['no options', undefined],
    ['no client', {}],
    ['a client without commands', { client: {} }],
    ['a subscriber without pub/sub', { client: fakeClient(), subscriber: {} }],
    ['an empty namespace', { client: fakeClient(), namespace: '' }],
    [
      'a namespace with a brace (it would break the hash tag)',
      { client: fakeClient(), namespace: 'a}b' },
    ],
    ['a namespace with a space', { client: fakeClient(), namespace: 'a b' }],
    ['an empty channel', { client: fakeClient(), channel: '' }],
    ['an onWarning that is not a function', { client: fakeClient(), onWarning: 'log' }],
  ])('throws a TypeError naming the package for %s', (_, options) => {
    expect(() => resolveRedisKeyStoreOptions(options as never)).toThrow(TypeError);
    expect(() => resolveRedisKeyStoreOptions(options as never)).toThrow(/^@keygate\/redis: /);
  });

  it('refuses the command client as its own subscriber', () => {
    const client = Object.assign(fakeClient(), fakeSubscriber());
    expect(() => resolveRedisKeyStoreOptions({ client, subscriber: client })).toThrow(
      /connection of its own/,
    );
  });
});

describe('clientWarning', () => {
  it('says nothing for a client with the recommended options', () => {
    expect(clientWarning(fakeClient(recommended))).toBeUndefined();
  });

  it('names every missing option of a Redis client with ioredis defaults', () => {
    const warning = clientWarning(
      fakeClient({ enableOfflineQueue: true, maxRetriesPerRequest: null }),
    );
    expect(warning).toMatch(/^@keygate\/redis: /);
    expect(warning).toContain('enableOfflineQueue: false');
    expect(warning).toContain('maxRetriesPerRequest');
    expect(warning).toContain('commandTimeout');
  });

  it('reads a Cluster’s offline queue from the cluster and the rest from its redisOptions', () => {
    const cluster = (settings: RedisClientSettings) => fakeClient(settings, true);
    expect(
      clientWarning(
        cluster({
          enableOfflineQueue: false,
          redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 500 },
        }),
      ),
    ).toBeUndefined();
    const warning = clientWarning(cluster({ enableOfflineQueue: false, commandTimeout: 500 }));
    expect(warning).toContain('Cluster');
    expect(warning).toContain('commandTimeout');
    expect(warning).not.toContain('enableOfflineQueue');
  });

  it('is given once, at construction, through onWarning', () => {
    const onWarning = vi.fn();
    new RedisKeyStore({ client: fakeClient({}), onWarning });
    expect(onWarning).toHaveBeenCalledOnce();
    new RedisKeyStore({ client: fakeClient(recommended), onWarning });
    expect(onWarning).toHaveBeenCalledOnce();
  });

  it('goes to console.warn by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      new RedisKeyStore({ client: fakeClient({}) });
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('RedisKeyStore shape', () => {
  it('has subscribe only when a subscriber connection was given', () => {
    const plain = new RedisKeyStore({ client: fakeClient(recommended) });
    expect(plain.subscribe).toBeUndefined();
    expect('subscribe' in plain).toBe(false);
    const subscribed = new RedisKeyStore({
      client: fakeClient(recommended),
      subscriber: fakeSubscriber(),
    });
    expect(typeof subscribed.subscribe).toBe('function');
  });

  it('reads the client’s keyPrefix, which ioredis adds to declared keys only', () => {
    expect(clientKeyPrefix(fakeClient({ keyPrefix: 'app:' }))).toBe('app:');
    expect(clientKeyPrefix(fakeClient())).toBe('');
  });
});
