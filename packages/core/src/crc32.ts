// CRC-32 (IEEE 802.3, reflected, as zlib computes it) in plain JS, so core needs no Node API.

const TABLE = /* @__PURE__ */ (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** The running CRC state before any byte (pass to {@link crc32Update}). */
export const CRC32_INITIAL = 0xffffffff;

/** Feeds `bytes[start..end)` into a running CRC state and returns the new state. */
export function crc32Update(
  state: number,
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
): number {
  let c = state;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** Feeds one byte into a running CRC state and returns the new state. */
export function crc32UpdateByte(state: number, byte: number): number {
  return TABLE[(state ^ byte) & 0xff]! ^ (state >>> 8);
}

/** Feeds the character codes of an ASCII string into a running CRC state. */
export function crc32UpdateAscii(state: number, text: string): number {
  let c = state;
  for (let i = 0; i < text.length; i++) c = TABLE[(c ^ text.charCodeAt(i)) & 0xff]! ^ (c >>> 8);
  return c;
}

/** Turns a running state into the final CRC-32, an unsigned 32-bit number. */
export function crc32Finish(state: number): number {
  return (state ^ 0xffffffff) >>> 0;
}

/** The CRC-32 of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  return crc32Finish(crc32Update(CRC32_INITIAL, bytes));
}
