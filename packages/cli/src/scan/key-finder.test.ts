import { generateApiKey } from '@keygate/core';
import { describe, expect, it } from 'vitest';
import { KeyFinder } from './key-finder.js';

const live = generateApiKey({ environment: 'live' }).key;
const test = generateApiKey({ environment: 'test' }).key;

function findAll(text: string, chunkBytes = text.length + 1) {
  const bytes = Buffer.from(text, 'utf8');
  const finder = new KeyFinder();
  const found = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) {
    found.push(...finder.push(bytes.subarray(at, at + chunkBytes)));
  }
  found.push(...finder.end());
  return found.map(({ line, column, prefix, key }) => ({ line, column, prefix, key }));
}

// Swaps one body character for another, keeping the length: the checksum no longer matches.
function corrupt(key: string): string {
  const index = 20;
  return key.slice(0, index) + (key[index] === 'A' ? 'B' : 'A') + key.slice(index + 1);
}

describe('KeyFinder', () => {
  it('finds keys with their line and byte column, whatever surrounds them', () => {
    const text = [
      `API_KEY=${live}`,
      `  "key": "${test}",`,
      `curl -H 'x-api-key: ${live}' https://api.example`,
      `ü ${test}`,
    ].join('\n');
    expect(findAll(text)).toEqual([
      { line: 1, column: 9, prefix: live.slice(0, 14), key: live },
      { line: 2, column: 11, prefix: test.slice(0, 14), key: test },
      { line: 3, column: 21, prefix: live.slice(0, 14), key: live },
      // ü is two bytes: the column counts bytes.
      { line: 4, column: 4, prefix: test.slice(0, 14), key: test },
    ]);
  });

  it('finds nothing in near misses: bad checksum, too short, too long, glued to other characters, wrong prefix', () => {
    const text = [
      corrupt(live),
      live.slice(0, -1),
      `${live}A`,
      `x${live}`,
      `${live}_`,
      `-${test}`,
      `pk_live_${live.slice(8)}`,
      `sk_prod_${live.slice(8)}`,
      `SK_LIVE_${live.slice(8)}`,
      'task_live_and_sk_test_',
    ].join('\n');
    expect(findAll(text)).toEqual([]);
  });

  it('finds a key split across chunks, at every split point, with the right line', () => {
    const text = `first line\nsecond ${live} tail\n${test}\n`;
    const expected = findAll(text);
    expect(expected).toHaveLength(2);
    for (const size of [1, 2, 3, 7, 13, 55, 56, 57, 64, 100]) {
      expect(findAll(text, size), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('finds keys at the very start and end of the input, and back to back on one line', () => {
    expect(findAll(live).map((found) => found.column)).toEqual([1]);
    const pair = `${live} ${test}`;
    expect(findAll(pair).map((found) => found.column)).toEqual([1, 58]);
  });
});
