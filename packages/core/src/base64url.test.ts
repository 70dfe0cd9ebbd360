import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64urlInto, encodeBase64url } from './base64url.js';

describe('base64url', () => {
  it('encodes like Buffer does, without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(encodeBase64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes what it encodes (multiples of 3 bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 3 * 20 }), (raw) => {
        const bytes = raw.subarray(0, raw.length - (raw.length % 3));
        const text = encodeBase64url(bytes);
        const out = new Uint8Array(bytes.length);
        expect(decodeBase64urlInto(text, 0, text.length, out)).toBe(true);
        expect(out).toEqual(bytes);
      }),
    );
  });

  it('refuses characters outside the alphabet, including padding and non-ASCII', () => {
    const out = new Uint8Array(3);
    for (const text of ['AAA=', 'AA+A', 'AA/A', 'AAé1', 'AA A', 'AA\0A']) {
      expect(decodeBase64urlInto(text, 0, 4, out)).toBe(false);
    }
  });
});
