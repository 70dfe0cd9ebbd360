// Durations typed by people: the spellings accepted, and everything else refused.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1d12h', 129_600_000],
    [' 7D ', 604_800_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '1', '-1d', '1.5h', '1 d', 'd', '1y', '9999999999d'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it('writes the largest units first and round-trips', () => {
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(129_600_000)).toBe('1d12h');
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    for (const ms of [1, 999, 61_000, 86_399_999]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
