// The keyed BLAKE3 of blake3-keyed.ts and the cache tag built on it, against BLAKE3's published
// keyed_hash test vectors and against @noble/hashes' blake3 on random inputs and secrets.
import { blake3 } from '@noble/hashes/blake3.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLAKE3_CHUNK_LENGTH, keyedBlake3Chunk } from './blake3-keyed.js';
import { createCacheTagger } from './cache-tag.js';
import { generateApiKey } from './generate.js';

// test_vectors/test_vectors.json of the BLAKE3 repository: the key is this 32-byte ASCII string,
// the input of length n is the bytes i % 251 for i < n, and these are the first 32 bytes of each
// case's keyed_hash output (every case that fits in one chunk).
const VECTOR_KEY = new TextEncoder().encode('whats the Elvish word for friend');
const KEYED_HASH_VECTORS: ReadonlyArray<readonly [number, string]> = [
  [0, '92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26'],
  [1, '6d7878dfff2f485635d39013278ae14f1454b8c0a3a2d34bc1ab38228a80c95b'],
  [3, '39e67b76b5a007d4921969779fe666da67b5213b096084ab674742f0d5ec62b9'],
  [4, '7671dde590c95d5ac9616651ff5aa0a27bee5913a348e053b8aa9108917fe070'],
  [5, '73ac69eecf286894d8102018a6fc729f4b1f4247d3703f69bdc6a5fe3e0c8461'],
  [6, '82d3199d0013035682cc7f2a399d4c212544376a839aa863a0f4c91220ca7a6d'],
  [7, 'af0a7ec382aedc0cfd626e49e7628bc7a353a4cb108855541a5651bf64fbb28a'],
  [8, 'be2f5495c61cba1bb348a34948c004045e3bd4dae8f0fe82bf44d0da245a0600'],
  [63, 'bb1eb5d4afa793c1ebdd9fb08def6c36d10096986ae0cfe148cd101170ce37ae'],
  [64, 'ba8ced36f327700d213f120b1a207a3b8c04330528586f414d09f2f7d9ccb7e6'],
  [65, 'c0a4edefa2d2accb9277c371ac12fcdbb52988a86edc54f0716e1591b4326e72'],
  [127, 'c64200ae7dfaf35577ac5a9521c47863fb71514a3bcad18819218b818de85818'],
  [128, 'b04fe15577457267ff3b6f3c947d93be581e7e3a4b018679125eaf86f6a628ec'],
  [129, 'd4a64dae6cdccbac1e5287f54f17c5f985105457c1a2ec1878ebd4b57e20d38f'],
  [1023, 'c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e'],
  [1024, '75c46f6f3d9eb4f55ecaaee480db732e6c2105546f1e675003687c31719c7ba4'],
];

const vectorInput = (length: number) => Uint8Array.from({ length }, (_, index) => index % 251);

const wordsOf = (bytes: Uint8Array) => {
  const words = new Uint32Array(bytes.length / 4);
  new Uint8Array(words.buffer).set(bytes);
  return words;
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// The tag's 8 UTF-16 code units back to its 16 bytes (little-endian, as BLAKE3 outputs them).
const tagBytes = (tag: string) => {
  expect(tag).toHaveLength(8);
  const bytes = new Uint8Array(16);
  for (let index = 0; index < 8; index++) {
    const unit = tag.charCodeAt(index);
    bytes[index * 2] = unit & 0xff;
    bytes[index * 2 + 1] = unit >>> 8;
  }
  return bytes;
};

describe('keyedBlake3Chunk', () => {
  it.each(KEYED_HASH_VECTORS)('gives the official keyed_hash of %i bytes', (length, expected) => {
    const out = new Uint32Array(8);
    const block = new Uint32Array(16);
    keyedBlake3Chunk(wordsOf(VECTOR_KEY), vectorInput(length), block, out);
    expect(hex(new Uint8Array(out.buffer))).toBe(expected);
    expect(block.every((word) => word === 0)).toBe(true);
  });

  it('refuses more than one chunk', () => {
    const input = new Uint8Array(BLAKE3_CHUNK_LENGTH + 1);
    expect(() =>
      keyedBlake3Chunk(new Uint32Array(8), input, new Uint32Array(16), new Uint32Array(8)),
    ).toThrow(RangeError);
  });
});

describe('createCacheTagger', () => {
  it.each(KEYED_HASH_VECTORS.filter(([length]) => length <= 128))(
    'tags an ASCII string of %i characters with the first 128 bits of the official keyed_hash',
    (length, expected) => {
      const tag = createCacheTagger(VECTOR_KEY);
      const text = String.fromCharCode(...vectorInput(length));
      expect(hex(tagBytes(tag(text)))).toBe(expected.slice(0, 32));
    },
  );

  const agreesWithNoble = (secret: Uint8Array, text: string) =>
    hex(tagBytes(createCacheTagger(secret)(text))) ===
    hex(blake3(new TextEncoder().encode(text), { key: secret, dkLen: 16 }));
  const secrets = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('agrees with @noble/hashes blake3 on 100,000 random strings and secrets', () => {
    // Up to 64 ASCII characters take the one-block path; longer or non-ASCII strings, the general.
    const input = fc.oneof(
      fc.string({ unit: 'binary-ascii', maxLength: 64 }),
      fc.string({ unit: 'binary-ascii', minLength: 50, maxLength: 70 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constant(null).map(() => generateApiKey().key),
    );
    fc.assert(fc.property(secrets, input, agreesWithNoble), { numRuns: 100_000 });
  }, 180_000);

  it('agrees with @noble/hashes blake3 past one chunk (1,024 bytes)', () => {
    const input = fc.string({ unit: 'binary', minLength: 300, maxLength: 1500 });
    fc.assert(fc.property(secrets, input, agreesWithNoble), { numRuns: 500 });
  }, 60_000);

  it('gives one key the same tag every time and two keys different tags', () => {
    const tag = createCacheTagger();
    const { key } = generateApiKey();
    const { key: other } = generateApiKey();
    expect(tag(key)).toBe(tag(`${key}`));
    expect(tag(key)).not.toBe(tag(other));
  });

  it('draws a fresh secret for every tagger, so tags mean nothing to another process', () => {
    const { key } = generateApiKey();
    expect(createCacheTagger()(key)).not.toBe(createCacheTagger()(key));
  });

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => createCacheTagger(new Uint8Array(16))).toThrow(TypeError);
  });

  it("keeps its own copy of the secret (clearing the caller's array changes nothing)", () => {
    const secret = VECTOR_KEY.slice();
    const tag = createCacheTagger(secret);
    const long = 'x'.repeat(2000);
    const before = [tag('sk_live_abc'), tag(long)];
    secret.fill(0);
    expect([tag('sk_live_abc'), tag(long)]).toEqual(before);
  });
});
