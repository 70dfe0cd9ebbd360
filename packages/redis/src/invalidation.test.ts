// The channel relay, on a fake subscriber connection (the real one is tested in test/redis).
import { EventEmitter } from 'node:events';
import type { InvalidationEvent } from '@keygate/core';
import { describe, expect, it, vi } from 'vitest';
import { InvalidationChannel, parseInvalidationEvent } from './invalidation.js';

class FakeSubscriber extends EventEmitter {
  readonly channels = new Set<string>();
  failNext: Error | undefined;
  subscribe = vi.fn(async (channel: string) => {
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.channels.add(channel);
    return this.channels.size;
  });
  unsubscribe = vi.fn(async (channel: string) => {
    this.channels.delete(channel);
    return this.channels.size;
  });
  deliver(channel: string, message: string): void {
    this.emit('message', channel, message);
  }
}

const event = (id: string): string => JSON.stringify({ id, hash: `hash_${id}` });

describe('parseInvalidationEvent', () => {
  it('reads {id, hash} and ignores anything else', () => {
    expect(parseInvalidationEvent(event('a'))).toEqual({ id: 'a', hash: 'hash_a' });
    for (const junk of [
      '',
      'not json',
      'null',
      '[]',
      '42',
      '{"id":"a"}',
      '{"id":1,"hash":"h"}',
      '{"id":"","hash":"h"}',
      `{"id":"a","hash":"${'x'.repeat(5000)}"}`,
      undefined,
    ]) {
      expect(parseInvalidationEvent(junk)).toBeUndefined();
    }
  });
});

describe('InvalidationChannel', () => {
  it('relays events of its channel only, and ignores malformed ones', async () => {
    const subscriber = new FakeSubscriber();
    const channel = new InvalidationChannel(subscriber, 'keygate:invalidation', () => {});
    const events: InvalidationEvent[] = [];
    await channel.subscribe((e) => events.push(e));
    subscriber.deliver('keygate:invalidation', 'garbage');
    subscriber.deliver('other', event('elsewhere'));
    subscriber.deliver('keygate:invalidation', event('a'));
    expect(events).toEqual([{ id: 'a', hash: 'hash_a' }]);
  });

  it('keeps delivering when a listener throws, and reports it', async () => {
    const subscriber = new FakeSubscriber();
    const onWarning = vi.fn();
    const channel = new InvalidationChannel(subscriber, 'c', onWarning);
    const events: string[] = [];
    await channel.subscribe(() => {
      throw new Error('listener bug');
    });
    await channel.subscribe((e) => events.push(e.id));
    expect(() => subscriber.deliver('c', event('a'))).not.toThrow();
    expect(events).toEqual(['a']);
    expect(onWarning).toHaveBeenCalledWith(expect.stringContaining('listener bug'));
  });

  it('unsubscribes from Redis when the last listener goes, once', async () => {
    const subscriber = new FakeSubscriber();
    const channel = new InvalidationChannel(subscriber, 'c', () => {});
    const stopFirst = await channel.subscribe(() => {});
    const stopSecond = await channel.subscribe(() => {});
    expect(subscriber.subscribe).toHaveBeenCalledOnce();
    await stopFirst();
    await stopFirst();
    expect(subscriber.unsubscribe).not.toHaveBeenCalled();
    await stopSecond();
    expect(subscriber.unsubscribe).toHaveBeenCalledOnce();
    expect(subscriber.listenerCount('message')).toBe(0);
  });

  it('holds a channel shared by two stores on one connection until both let go', async () => {
    const subscriber = new FakeSubscriber();
    const first = new InvalidationChannel(subscriber, 'shared', () => {});
    const second = new InvalidationChannel(subscriber, 'shared', () => {});
    const seen: string[] = [];
    await first.subscribe(() => seen.push('first'));
    await second.subscribe(() => seen.push('second'));
    await first.close();
    expect(subscriber.channels.has('shared')).toBe(true);
    subscriber.deliver('shared', event('a'));
    expect(seen).toEqual(['second']);
    await second.close();
    expect(subscriber.channels.has('shared')).toBe(false);
  });

  it('rejects when Redis refuses the subscription, keeping no listener, and can retry', async () => {
    const subscriber = new FakeSubscriber();
    subscriber.failNext = new Error("Stream isn't writeable");
    const channel = new InvalidationChannel(subscriber, 'c', () => {});
    const events: string[] = [];
    await expect(channel.subscribe((e) => events.push(e.id))).rejects.toThrow(/writeable/);
    expect(subscriber.listenerCount('message')).toBe(0);
    await channel.subscribe((e) => events.push(e.id));
    subscriber.deliver('c', event('b'));
    expect(events).toEqual(['b']);
  });

  it('gives up on a subscription Redis never confirms', async () => {
    vi.useFakeTimers();
    try {
      const subscriber = new FakeSubscriber();
      subscriber.subscribe.mockImplementationOnce(() => new Promise<number>(() => {}));
      const channel = new InvalidationChannel(subscriber, 'c', () => {});
      const pending = channel.subscribe(() => {});
      const outcome = expect(pending).rejects.toThrow(/did not confirm/);
      await vi.advanceTimersByTimeAsync(10_000);
      await outcome;
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a listener that is not a function', async () => {
    const channel = new InvalidationChannel(new FakeSubscriber(), 'c', () => {});
    await expect(channel.subscribe('nope' as never)).rejects.toThrow(TypeError);
  });
});
