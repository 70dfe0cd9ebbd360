// Base64url without padding (RFC 4648 section 5), written out because core must not need Buffer.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code → 6-bit value, or -1 for a character outside the alphabet. */
const DECODE = /* @__PURE__ */ (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Encodes bytes as base64url without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      ALPHABET[n >>> 18]! +
      ALPHABET[(n >>> 12) & 63]! +
      ALPHABET[(n >>> 6) & 63]! +
      ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

/**
 * Decodes `text[start..start+length)`, a multiple of 4 characters, into `into` (which must hold
 * length / 4 * 3 bytes). Returns false, leaving `into` partly written, on a character outside the
 * alphabet. Decoding into a caller's buffer keeps the verification path free of allocation.
 */
export function decodeBase64urlInto(
  text: string,
  start: number,
  length: number,
  into: Uint8Array,
): boolean {
  let o = 0;
  for (let i = start; i < start + length; i += 4) {
    const n = decodeBase64urlQuad(text, i);
    if (n < 0) return false;
    into[o++] = n >>> 16;
    into[o++] = (n >>> 8) & 0xff;
    into[o++] = n & 0xff;
  }
  return true;
}

/**
 * The three bytes that the four characters at `text[at..at+4)` encode, as one 24-bit number, or
 * -1 when one of them is outside the alphabet.
 */
export function decodeBase64urlQuad(text: string, at: number): number {
  const a = sextet(text.charCodeAt(at));
  const b = sextet(text.charCodeAt(at + 1));
  const c = sextet(text.charCodeAt(at + 2));
  const d = sextet(text.charCodeAt(at + 3));
  return (a | b | c | d) < 0 ? -1 : (a << 18) | (b << 12) | (c << 6) | d;
}

function sextet(code: number): number {
  return code < 128 ? DECODE[code]! : -1;
}
