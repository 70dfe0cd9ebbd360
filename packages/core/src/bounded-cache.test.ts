import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('never holds more than twice its bound and keeps recently used entries', () => {
    const cache = new BoundedCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) {
      cache.set(i, i);
      cache.get(0); // keep 0 hot
      expect(cache.size).toBeLessThanOrEqual(200);
    }
    expect(cache.get(0)).toBe(0);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(9_999)).toBe(9_999);
  });

  it('deletes from both generations and clears', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2); // swaps generations
    cache.set('c', 3);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('c', 4);
    expect(cache.get('c')).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('tells of every entry it drops to make room, and of no other', () => {
    const dropped: number[] = [];
    const cache = new BoundedCache<number, number>(3, (key) => dropped.push(key));
    for (let i = 0; i < 12; i++) {
      cache.set(i, i);
      cache.get(0); // kept: promoted before each swap
    }
    cache.delete(11);
    const held = [...Array(12).keys()].filter((key) => cache.get(key) !== undefined);
    expect(dropped.sort((a, b) => a - b)).toEqual(
      [...Array(11).keys()].filter((key) => !held.includes(key)),
    );
    expect(dropped).not.toContain(0);
  });
});
