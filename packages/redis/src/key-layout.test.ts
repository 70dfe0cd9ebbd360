// The key names and the listing order, without a Redis.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyLayout, LISTING_ID_OFFSET, listingEntry } from './key-layout.js';

describe('KeyLayout', () => {
  it('puts every key of a namespace under one hash tag', () => {
    const keys = new KeyLayout('billing');
    expect(keys.recordKey('id1')).toBe('{billing}:key:id1');
    expect(keys.digestKey('abc')).toBe('{billing}:digest:abc');
    expect(keys.organisationKey('org_1')).toBe('{billing}:org:org_1');
  });

  it('builds the bases that Lua completes with the client’s keyPrefix in front', () => {
    const keys = new KeyLayout('keygate', 'app:');
    expect(keys.recordBase + 'id1').toBe(`app:${keys.recordKey('id1')}`);
    expect(keys.digestBase + 'abc').toBe(`app:${keys.digestKey('abc')}`);
    expect(keys.organisationBase + 'o').toBe(`app:${keys.organisationKey('o')}`);
  });
});

describe('listingEntry', () => {
  it('keeps the id where Lua cuts it out', () => {
    const entry = listingEntry(Date.UTC(2026, 0, 1), 'the-id');
    expect(entry.slice(LISTING_ID_OFFSET - 1)).toBe('the-id');
    expect(listingEntry(-5, 'x').slice(LISTING_ID_OFFSET - 1)).toBe('x');
  });

  it('sorts by bytes exactly as newest-first order needs, before and after 1970', () => {
    const time = fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 });
    const id = fc.stringMatching(/^[0-9a-f-]{1,12}$/);
    fc.assert(
      fc.property(time, id, time, id, (timeA, idA, timeB, idB) => {
        const a = listingEntry(timeA, idA);
        const b = listingEntry(timeB, idB);
        const expected = timeA - timeB || (idA < idB ? -1 : idA > idB ? 1 : 0);
        const actual = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect(Math.sign(actual)).toBe(Math.sign(expected));
      }),
    );
  });

  it('refuses a time that is no date', () => {
    expect(() => listingEntry(Number.NaN, 'x')).toThrow(RangeError);
    expect(() => listingEntry(8.64e15 + 1, 'x')).toThrow(RangeError);
  });
});
