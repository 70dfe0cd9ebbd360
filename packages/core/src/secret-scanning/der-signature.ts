// ECDSA signatures come DER-encoded from GitHub (`SEQUENCE { INTEGER r, INTEGER s }`), but
// WebCrypto verifies only the IEEE P1363 form (r and s as fixed-size big-endian halves).

/**
 * Converts a DER ECDSA signature to IEEE P1363 (`r || s`, each `size` bytes: 32 for P-256), or
 * answers `null` when `der` is not a strict DER encoding of two positive integers that fit.
 * Never throws.
 *
 * DER integers are minimal and signed: a value whose top bit is set carries one leading zero
 * byte (so `r` may take 33 bytes), and a small value takes fewer than 32 bytes; both are
 * normalised here. Anything else (extra zero bytes, negative numbers, trailing data, lengths that
 * disagree) is refused rather than repaired: a signature that is not exactly what a signer
 * produces does not verify.
 *
 * @example
 * ```ts
 * const raw = derToP1363(derBytes, 32);
 * if (raw !== null) await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, body);
 * ```
 */
export function derToP1363(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | null {
  if (der.length < 8 || der[0] !== 0x30) return null;
  const sequence = readLength(der, 1);
  if (sequence === null || sequence.start + sequence.length !== der.length) return null;
  const out = new Uint8Array(size * 2);
  const r = readInteger(der, sequence.start, size, out, 0);
  if (r === null) return null;
  const s = readInteger(der, r, size, out, size);
  if (s === null || s !== der.length) return null;
  return out;
}

interface Length {
  readonly length: number;
  /** Where the content starts. */
  readonly start: number;
}

// A DER length: one byte below 0x80, else 0x81/0x82 and that many bytes, minimal either way.
function readLength(der: Uint8Array, at: number): Length | null {
  const first = der[at];
  if (first === undefined) return null;
  if (first < 0x80) return { length: first, start: at + 1 };
  const bytes = first & 0x7f;
  if (bytes === 0 || bytes > 2 || at + 1 + bytes > der.length) return null;
  let length = 0;
  for (let index = 0; index < bytes; index++) length = (length << 8) | der[at + 1 + index]!;
  // Long form for a length that fits the short form, or with a leading zero byte, is not DER.
  if (length < 0x80 || (bytes === 2 && length < 0x100)) return null;
  return { length, start: at + 1 + bytes };
}

// Reads `INTEGER` at `at` into `out[offset..offset+size]`, right-aligned; answers where the
// next element starts.
function readInteger(
  der: Uint8Array,
  at: number,
  size: number,
  out: Uint8Array,
  offset: number,
): number | null {
  if (der[at] !== 0x02) return null;
  const header = readLength(der, at + 1);
  if (header === null || header.length === 0) return null;
  const end = header.start + header.length;
  if (end > der.length) return null;
  let start = header.start;
  const first = der[start]!;
  if (first & 0x80) return null; // negative: never a valid r or s
  if (first === 0x00) {
    // One zero byte is allowed only to keep a value with its top bit set positive.
    if (header.length === 1) return null; // zero itself is not a valid r or s
    if ((der[start + 1]! & 0x80) === 0) return null;
    start++;
  }
  const length = end - start;
  if (length > size) return null;
  out.set(der.subarray(start, end), offset + size - length);
  return end;
}
