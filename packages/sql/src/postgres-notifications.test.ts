import { EventEmitter } from 'node:events';
import type { InvalidationEvent } from '@keygate/core';
import { describe, expect, it } from 'vitest';
import {
  encodeInvalidationPayload,
  listenForInvalidations,
  type PostgresListenerConnection,
  parseInvalidationPayload,
} from './postgres-notifications.js';

// A pg.Client stand-in: records its queries, delivers what the test emits.
class FakeConnection extends EventEmitter implements PostgresListenerConnection {
  readonly queries: string[] = [];
  failNext: Error | undefined;
  async query(text: string): Promise<unknown> {
    this.queries.push(text);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
    return {};
  }
  notify(channel: string, payload: string | undefined): void {
    this.emit('notification', { processId: 1, channel, payload });
  }
}

const event = { id: 'key-1', hash: 'digest-1' };

describe('PostgreSQL invalidation payloads', () => {
  it('round-trips an event', () => {
    expect(parseInvalidationPayload(encodeInvalidationPayload(event))).toEqual(event);
    // json_build_object's spacing, as the delete statement sends it
    expect(parseInvalidationPayload('{"id" : "key-1", "hash" : "digest-1"}')).toEqual(event);
  });

  it('answers null for anything else, never throwing', () => {
    for (const payload of [
      undefined,
      '',
      'not json',
      'null',
      '42',
      '"text"',
      '[]',
      '{}',
      '{"id":"x"}',
      '{"id":1,"hash":"h"}',
      '{"id":"x","hash":null}',
      '{',
    ]) {
      expect(parseInvalidationPayload(payload), String(payload)).toBeNull();
    }
  });

  it('keeps only id and hash', () => {
    expect(parseInvalidationPayload('{"id":"a","hash":"b","extra":true}')).toEqual({
      id: 'a',
      hash: 'b',
    });
  });
});

describe('listenForInvalidations', () => {
  it('LISTENs once for several subscribers and UNLISTENs with the last', async () => {
    const connection = new FakeConnection();
    const first: InvalidationEvent[] = [];
    const second: InvalidationEvent[] = [];
    const stopFirst = await listenForInvalidations(connection, 'keys', (e) => first.push(e));
    const stopSecond = await listenForInvalidations(connection, 'keys', (e) => second.push(e));
    expect(connection.queries).toEqual(['LISTEN "keys"']);

    connection.notify('keys', encodeInvalidationPayload(event));
    expect([first, second]).toEqual([[event], [event]]);

    await stopFirst();
    await stopFirst(); // a second call does nothing
    expect(connection.queries).toEqual(['LISTEN "keys"']);
    await stopSecond();
    expect(connection.queries).toEqual(['LISTEN "keys"', 'UNLISTEN "keys"']);
    expect(connection.listenerCount('notification')).toBe(0);

    connection.notify('keys', encodeInvalidationPayload(event));
    expect([first.length, second.length]).toEqual([1, 1]);
  });

  it('ignores other channels and malformed payloads, and survives a throwing subscriber', async () => {
    const connection = new FakeConnection();
    const seen: InvalidationEvent[] = [];
    await listenForInvalidations(connection, 'keys', () => {
      throw new Error('subscriber bug');
    });
    await listenForInvalidations(connection, 'keys', (e) => seen.push(e));
    connection.notify('other', encodeInvalidationPayload(event));
    connection.notify('keys', 'garbage');
    connection.notify('keys', undefined);
    connection.notify('keys', '{"id":1}');
    expect(() => connection.notify('keys', encodeInvalidationPayload(event))).not.toThrow();
    expect(seen).toEqual([event]);
  });

  it('keeps channels of one connection apart', async () => {
    const connection = new FakeConnection();
    const onA: InvalidationEvent[] = [];
    const stopA = await listenForInvalidations(connection, 'a', (e) => onA.push(e));
    const stopB = await listenForInvalidations(connection, 'b', () => {});
    await stopB();
    connection.notify('a', encodeInvalidationPayload(event));
    expect(onA).toEqual([event]);
    expect(connection.queries).toEqual(['LISTEN "a"', 'LISTEN "b"', 'UNLISTEN "b"']);
    await stopA();
  });

  it('rejects when LISTEN fails, and leaves nothing attached', async () => {
    const connection = new FakeConnection();
    connection.failNext = new Error('connection lost');
    await expect(listenForInvalidations(connection, 'keys', () => {})).rejects.toThrow(
      'connection lost',
    );
    expect(connection.listenerCount('notification')).toBe(0);
    // and a later subscription LISTENs again
    const stop = await listenForInvalidations(connection, 'keys', () => {});
    expect(connection.queries).toEqual(['LISTEN "keys"', 'LISTEN "keys"']);
    await stop();
  });

  it('ends in the state the last call asked for under quick subscribe/unsubscribe', async () => {
    const connection = new FakeConnection();
    const stop = await listenForInvalidations(connection, 'keys', () => {});
    const [, again] = await Promise.all([
      stop(),
      listenForInvalidations(connection, 'keys', () => {}),
    ]);
    const seen: InvalidationEvent[] = [];
    const third = await listenForInvalidations(connection, 'keys', (e) => seen.push(e));
    connection.notify('keys', encodeInvalidationPayload(event));
    expect(seen).toEqual([event]);
    await Promise.all([again(), third()]);
    expect(connection.queries.at(-1)).toBe('UNLISTEN "keys"');
    expect(connection.listenerCount('notification')).toBe(0);
  });
});
