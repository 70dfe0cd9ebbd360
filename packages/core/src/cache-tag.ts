// The in-process cache's key for an API key: a 128-bit keyed BLAKE3 tag under a secret drawn from
// the CSPRNG when the process starts and kept nowhere else (docs/design.md, "Caching and
// invalidation"). Reading the process's memory gives the secret and the tags, but a key that hits
// the cache then needs a BLAKE3 preimage; without the secret, a forger must guess a 128-bit tag.
import { blake3 } from '@noble/hashes/blake3.js';
import {
  BLAKE3_BLOCK_LENGTH,
  BLAKE3_CHUNK_LENGTH,
  compress,
  keyedBlake3Chunk,
  SINGLE_BLOCK_KEYED_FLAGS,
} from './blake3-keyed.js';

/** Bytes in the tagger's secret (a BLAKE3 key). */
export const CACHE_TAG_SECRET_BYTES = 32;

/** Tags keys: the same key gives the same string; the string says nothing of the key. */
export type CacheTagger = (key: string) => string;

/**
 * Builds a tagger under `secret` (32 bytes; default: fresh CSPRNG bytes, which is what the
 * verifier uses — a tag means nothing outside the process that made it). The tag is the first
 * 128 bits of keyed BLAKE3 over the key's UTF-8 bytes, as a string of 8 UTF-16 code units, the
 * cheapest form a `Map` can be keyed by.
 *
 * A key of at most 64 ASCII characters (every default key: 56) costs one compression read straight
 * from the string; longer or non-ASCII input takes the general path and gives the same tag.
 *
 * @example
 * ```ts
 * const tag = createCacheTagger();
 * cache.get(tag(key));
 * ```
 */
export function createCacheTagger(
  secret: Uint8Array = globalThis.crypto.getRandomValues(new Uint8Array(CACHE_TAG_SECRET_BYTES)),
): CacheTagger {
  if (!(secret instanceof Uint8Array) || secret.length !== CACHE_TAG_SECRET_BYTES) {
    throw new TypeError('@keygate/core: a cache tag secret is 32 bytes');
  }
  const keyWords = new Uint32Array(8);
  for (let index = 0; index < CACHE_TAG_SECRET_BYTES; index++) {
    keyWords[index >> 2] = keyWords[index >> 2]! | (secret[index]! << ((index & 3) << 3));
  }
  // Copied, so that clearing or reusing the caller's array changes nothing here.
  const keyBytes = secret.slice();
  // Tagging is synchronous, so one block and one output serve every call. The block holds the
  // key's characters only while its tag is computed and is zeroed before the tagger returns.
  const block = new Uint32Array(16);
  const out = new Uint32Array(8);

  const general = (key: string): string => {
    const bytes = new TextEncoder().encode(key);
    let tag: string;
    if (bytes.length > BLAKE3_CHUNK_LENGTH) {
      // Never for a key the verifier accepts (at most 256 ASCII characters); kept for any input.
      const full = blake3(bytes, { key: keyBytes, dkLen: 16 });
      const view = new DataView(full.buffer, full.byteOffset, 16);
      tag = tagString(
        view.getUint32(0, true),
        view.getUint32(4, true),
        view.getUint32(8, true),
        view.getUint32(12, true),
      );
    } else {
      keyedBlake3Chunk(keyWords, bytes, block, out);
      tag = tagString(out[0]!, out[1]!, out[2]!, out[3]!);
    }
    bytes.fill(0);
    return tag;
  };

  return (key) => {
    const length = key.length;
    if (length > BLAKE3_BLOCK_LENGTH) return general(key);
    for (let index = 0; index < length; index += 4) {
      const word = asciiWord(key, index, length);
      if (word < 0) {
        clear(block);
        return general(key);
      }
      block[index >> 2] = word;
    }
    compress(keyWords, block, length, SINGLE_BLOCK_KEYED_FLAGS, out);
    clear(block);
    return tagString(out[0]!, out[1]!, out[2]!, out[3]!);
  };
}

// Four characters from `index` as a little-endian word (0 past the end), or -1 when one of them is
// not ASCII (such a key is hashed as UTF-8 on the general path).
function asciiWord(key: string, index: number, length: number): number {
  if (index + 3 < length) {
    const a = key.charCodeAt(index);
    const b = key.charCodeAt(index + 1);
    const c = key.charCodeAt(index + 2);
    const d = key.charCodeAt(index + 3);
    return (a | b | c | d) > 0x7f ? -1 : a | (b << 8) | (c << 16) | (d << 24);
  }
  let word = 0;
  for (let offset = 0; offset < 4 && index + offset < length; offset++) {
    const code = key.charCodeAt(index + offset);
    if (code > 0x7f) return -1;
    word |= code << (offset << 3);
  }
  return word;
}

// Zeroes the 16-word block in place: 16 stores where `fill(0)` is a call into a builtin.
function clear(block: Uint32Array): void {
  for (let index = 0; index < 16; index++) block[index] = 0;
}

function tagString(w0: number, w1: number, w2: number, w3: number): string {
  return String.fromCharCode(
    w0 & 0xffff,
    w0 >>> 16,
    w1 & 0xffff,
    w1 >>> 16,
    w2 & 0xffff,
    w2 >>> 16,
    w3 & 0xffff,
    w3 >>> 16,
  );
}
