import { describe, expect, it } from 'vitest';
import { latestUsePerId } from './latest-use.js';

describe('latestUsePerId', () => {
  it('keeps the newest time of a key named twice, in either order', () => {
    const latest = latestUsePerId([
      { id: 'a', lastUsedAt: new Date(2_000) },
      { id: 'b', lastUsedAt: new Date(1_000) },
      { id: 'a', lastUsedAt: new Date(1_500) },
      { id: 'b', lastUsedAt: new Date(3_000) },
    ]);
    expect([...latest]).toEqual([
      ['a', 2_000],
      ['b', 3_000],
    ]);
  });

  it('leaves out an invalid date instead of writing it', () => {
    const latest = latestUsePerId([
      { id: 'a', lastUsedAt: new Date(Number.NaN) },
      { id: 'b', lastUsedAt: new Date(1_000) },
      { id: 'b', lastUsedAt: new Date(Number.NaN) },
    ]);
    expect([...latest]).toEqual([['b', 1_000]]);
  });
});
