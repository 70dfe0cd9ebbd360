// Finds keygate keys in bytes fed a chunk at a time: the key pattern's boundaries, then the
// checksum, so that only real keys are reported. A key split across two chunks is still found.
import {
  defaultKeyFormat,
  KEY_BODY_LENGTH,
  type KeyFormat,
  type ParsedApiKey,
  parseApiKey,
} from '@keygate/core';

/** One key found: where it starts, and the key (for digesting only: never print it). */
export interface FoundKey {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column, in bytes from the start of the line (as grep and ripgrep count). */
  readonly column: number;
  /** The display prefix (`sk_live_AbCdEf`): all that may be shown. */
  readonly prefix: string;
  readonly environment: string;
  /** The key itself: to look it up by digest, never to show. */
  readonly key: string;
}

const NEWLINE = 0x0a;
// base64url, the characters that may surround a key only if they are not part of it.
const KEY_CHARACTER = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256);
  for (const character of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-') {
    table[character.charCodeAt(0)] = 1;
  }
  return table;
})();

/**
 * Scans a stream of bytes for keys of `format`. Call {@link KeyFinder.push} with each chunk in
 * order and {@link KeyFinder.end} after the last; each returns the keys completed so far.
 *
 * Each environment's prefix is searched for with `Buffer.indexOf`, which skips text that cannot
 * hold a key at memmem speed; only a hit with key boundaries around it is decoded and checksummed.
 */
export class KeyFinder {
  readonly #format: KeyFormat;
  readonly #prefixes: readonly { readonly bytes: Buffer; readonly length: number }[];
  // Bytes a match may need past its start: the longest prefix, the body and one boundary byte.
  readonly #window: number;
  // The unscanned tail of the previous chunk (with one byte before it, for the boundary check).
  #pending: Buffer = Buffer.alloc(0);
  // Absolute offset of #pending[0], and whether #pending[0] is a lookbehind byte only.
  #pendingOffset = 0;
  #hasLookbehind = false;
  // Line bookkeeping up to #countedTo (absolute): the line number there and where it started.
  #line = 1;
  #lineStart = 0;
  #countedTo = 0;

  constructor(format: KeyFormat = defaultKeyFormat) {
    this.#format = format;
    this.#prefixes = format.prefixes.map((entry) => ({
      bytes: Buffer.from(entry.prefix, 'latin1'),
      length: entry.prefix.length,
    }));
    this.#window = Math.max(...this.#prefixes.map((entry) => entry.length)) + KEY_BODY_LENGTH + 1;
  }

  /** Scans the next chunk; answers the keys that start in the part that is complete. */
  push(chunk: Uint8Array): FoundKey[] {
    const data =
      this.#pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.#pending, chunk]);
    return this.#scan(data, false);
  }

  /** Scans what is left after the last chunk. */
  end(): FoundKey[] {
    const found = this.#scan(this.#pending, true);
    this.#pending = Buffer.alloc(0);
    return found;
  }

  #scan(data: Buffer, final: boolean): FoundKey[] {
    const base = this.#pendingOffset;
    const first = this.#hasLookbehind ? 1 : 0;
    // Matches starting at or past `limit` may run past the data: they wait for the next chunk.
    const limit = final ? data.length : Math.max(first, data.length - this.#window);
    // One search per full prefix (`sk_live_`, `sk_test_`): text that merely contains `sk_`
    // (`task_`, `desk_`) costs nothing, and each search runs at memmem speed.
    const hits: { at: number; key: ParsedApiKey }[] = [];
    for (const prefix of this.#prefixes) {
      let at = data.indexOf(prefix.bytes, first);
      while (at !== -1 && at < limit) {
        const key = this.#keyAt(data, at, prefix.length);
        if (key !== undefined) hits.push({ at, key });
        at = data.indexOf(prefix.bytes, at + 1);
      }
    }
    if (hits.length > 1) hits.sort((a, b) => a.at - b.at);
    const found: FoundKey[] = [];
    for (const { at, key } of hits) {
      this.#countLines(data, base, at);
      found.push({
        line: this.#line,
        column: base + at - this.#lineStart + 1,
        prefix: key.prefix,
        environment: key.environment,
        key: key.key,
      });
    }
    this.#countLines(data, base, limit);
    if (!final) {
      // Keep the unscanned tail, and the byte before it for the boundary check.
      const keepFrom = limit === 0 ? 0 : limit - 1;
      this.#pending = Buffer.from(data.subarray(keepFrom));
      this.#pendingOffset = base + keepFrom;
      this.#hasLookbehind = limit !== 0;
    }
    return found;
  }

  // The key of `prefixLength` + 48 characters at `at`, if it has key boundaries on both sides
  // and its checksum matches.
  #keyAt(data: Buffer, at: number, prefixLength: number): ParsedApiKey | undefined {
    if (at > 0 && KEY_CHARACTER[data[at - 1]!] === 1) return undefined;
    const end = at + prefixLength + KEY_BODY_LENGTH;
    if (end > data.length) return undefined;
    if (end < data.length && KEY_CHARACTER[data[end]!] === 1) return undefined;
    const parsed = parseApiKey(data.toString('latin1', at, end), this.#format);
    return parsed.ok ? parsed : undefined;
  }

  // Advances the line count to `to` (relative to `data`, whose first byte is at `base`).
  #countLines(data: Buffer, base: number, to: number): void {
    let from = Math.max(this.#countedTo - base, 0);
    while (from < to) {
      const newline = data.indexOf(NEWLINE, from);
      if (newline === -1 || newline >= to) break;
      this.#line++;
      this.#lineStart = base + newline + 1;
      from = newline + 1;
    }
    if (base + to > this.#countedTo) this.#countedTo = base + to;
  }
}
