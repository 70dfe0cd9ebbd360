import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToP1363 } from './der-signature.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function der(...bytes: number[]): Uint8Array {
  return Uint8Array.from(bytes);
}

// SEQUENCE { INTEGER r, INTEGER s } from the integers' content bytes, as a signer writes it.
function encode(r: number[], s: number[]): Uint8Array {
  const content = [0x02, r.length, ...r, 0x02, s.length, ...s];
  return der(0x30, content.length, ...content);
}

const ONE = [0x01];
const FULL = Array.from({ length: 32 }, (_, index) => index + 1);

describe('derToP1363', () => {
  it('converts what node signs: every signature verifies as r||s, short and 33-byte integers included', () => {
    const lengths = new Set<number>();
    for (let round = 0; round < 1500; round++) {
      const data = Buffer.from(`alert ${round}`);
      const signature = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      lengths.add(signature[3]!).add(signature[5 + signature[3]!]!);
      const raw = derToP1363(signature, 32);
      expect(raw).not.toBeNull();
      expect(raw).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw!)).toBe(
        true,
      );
    }
    // The run met integers with a sign byte (33) and plain ones (32); shorter ones are rarer
    // (1 in 256 per integer) and covered below by construction.
    expect(lengths.has(33)).toBe(true);
    expect(lengths.has(32)).toBe(true);
  });

  it('left-pads short integers and drops the sign byte of a high one', () => {
    const high = [0x00, 0x80, ...FULL.slice(1)];
    const raw = derToP1363(encode(ONE, high), 32)!;
    expect(raw.subarray(0, 31).every((byte) => byte === 0)).toBe(true);
    expect(raw[31]).toBe(1);
    expect([...raw.subarray(32)]).toEqual([0x80, ...FULL.slice(1)]);
    const short = [0x7f, 0xff, 0x01];
    const padded = derToP1363(encode(short, FULL), 32)!;
    expect([...padded.subarray(0, 32)]).toEqual([...new Array(29).fill(0), 0x7f, 0xff, 0x01]);
    expect([...padded.subarray(32)]).toEqual(FULL);
  });

  it('refuses what is not strict DER of two positive integers that fit', () => {
    const refused: [string, Uint8Array][] = [
      ['empty', der()],
      ['not a sequence', der(0x31, 6, 0x02, 1, 1, 0x02, 1, 1)],
      ['sequence length too long', der(0x30, 7, 0x02, 1, 1, 0x02, 1, 1)],
      ['sequence length too short', der(0x30, 5, 0x02, 1, 1, 0x02, 1, 1)],
      ['trailing byte', der(0x30, 6, 0x02, 1, 1, 0x02, 1, 1, 0x00)],
      ['one integer', der(0x30, 3, 0x02, 1, 1, 0, 0, 0)],
      ['integer tag wrong', der(0x30, 6, 0x04, 1, 1, 0x02, 1, 1)],
      ['empty integer', der(0x30, 6, 0x02, 0, 0x02, 2, 1, 1)],
      ['zero', encode([0x00], ONE)],
      ['negative', encode([0x80, 1], ONE)],
      ['needless zero byte', encode([0x00, 0x01], ONE)],
      ['integer too long', encode([0x01, ...FULL], ONE)],
      ['33 bytes without sign byte', encode([0x01, ...FULL], FULL)],
      ['integer past the end', der(0x30, 6, 0x02, 1, 1, 0x02, 9, 1)],
      ['long-form length for a short one', der(0x30, 0x81, 6, 0x02, 1, 1, 0x02, 1, 1)],
    ];
    for (const [name, bytes] of refused) {
      expect(derToP1363(bytes, 32), name).toBeNull();
    }
  });

  it('accepts the long-form sequence length that P-521 signatures need', () => {
    const r = [0x01, ...new Array(65).fill(7)];
    const content = [0x02, r.length, ...r, 0x02, r.length, ...r];
    const raw = derToP1363(der(0x30, 0x81, content.length, ...content), 66);
    expect(raw).toHaveLength(132);
    expect([raw![0], raw![66]]).toEqual([0x01, 0x01]);
  });

  it('never throws, whatever it is given', () => {
    for (let round = 0; round < 2000; round++) {
      const bytes = Uint8Array.from({ length: round % 80 }, () => Math.floor(Math.random() * 256));
      if (round % 3 === 0) bytes[0] = 0x30;
      expect(() => derToP1363(bytes, 32)).not.toThrow();
    }
  });
});
