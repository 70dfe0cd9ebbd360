// Key parsing by position, never by splitting on `_` (base64url contains `_` and `-`). Never throws.
import { decodeBase64urlQuad } from './base64url.js';
import { crc32Finish, crc32UpdateByte } from './crc32.js';
import {
  defaultKeyFormat,
  displayPrefix,
  type EnvironmentPrefix,
  KEY_BODY_LENGTH,
  KEY_RANDOM_BYTES,
  type KeyFormat,
  MAX_API_KEY_LENGTH,
} from './key-format.js';

/** Why a value is not a key. */
export type ParseFailureReason =
  | 'missing'
  | 'not_a_string'
  | 'too_long'
  | 'wrong_prefix'
  | 'unknown_environment'
  | 'bad_length'
  | 'bad_alphabet'
  | 'bad_checksum';

/** A value that is a well-formed key with a matching checksum. */
export interface ParsedApiKey {
  readonly ok: true;
  readonly key: string;
  readonly environment: string;
  /** The display prefix: the first 14 characters. */
  readonly prefix: string;
}

/** A value that is not a key, and why. */
export interface ParseFailure {
  readonly ok: false;
  readonly reason: ParseFailureReason;
}

/** The result of {@link parseApiKey}. */
export type ParseResult = ParsedApiKey | ParseFailure;

const FAILURES: { readonly [R in ParseFailureReason]: ParseFailure } = Object.freeze({
  missing: Object.freeze({ ok: false, reason: 'missing' }),
  not_a_string: Object.freeze({ ok: false, reason: 'not_a_string' }),
  too_long: Object.freeze({ ok: false, reason: 'too_long' }),
  wrong_prefix: Object.freeze({ ok: false, reason: 'wrong_prefix' }),
  unknown_environment: Object.freeze({ ok: false, reason: 'unknown_environment' }),
  bad_length: Object.freeze({ ok: false, reason: 'bad_length' }),
  bad_alphabet: Object.freeze({ ok: false, reason: 'bad_alphabet' }),
  bad_checksum: Object.freeze({ ok: false, reason: 'bad_checksum' }),
});

/**
 * Checks that `input` is a key of `format`: a known prefix, then exactly 48 base64url characters
 * whose last 4 bytes are the CRC-32 of the prefix and the first 32. Accepts anything, throws
 * nothing, touches no store.
 *
 * @example
 * ```ts
 * const parsed = parseApiKey(request.headers['x-api-key']);
 * if (!parsed.ok) console.log(parsed.reason); // 'bad_checksum', 'wrong_prefix', …
 * ```
 */
export function parseApiKey(input: unknown, format: KeyFormat = defaultKeyFormat): ParseResult {
  const checked = checkApiKey(input, format);
  if ('reason' in checked) return checked;
  const key = input as string;
  return {
    ok: true,
    key,
    environment: checked.environment,
    prefix: displayPrefix(checked.prefix, key.slice(checked.prefix.length)),
  };
}

/**
 * Checks `input` against `format` and answers the prefix it carries, or why it is not a key.
 * The verifier calls this on every request, so it allocates nothing.
 */
export function checkApiKey(input: unknown, format: KeyFormat): EnvironmentPrefix | ParseFailure {
  if (input === undefined || input === null || input === '') return FAILURES.missing;
  if (typeof input !== 'string') return FAILURES.not_a_string;
  if (input.length > MAX_API_KEY_LENGTH) return FAILURES.too_long;
  const entry = prefixOf(input, format);
  if (entry === undefined) {
    return unknownEnvironment(input, format) ? FAILURES.unknown_environment : FAILURES.wrong_prefix;
  }
  const start = entry.prefix.length;
  if (input.length !== start + KEY_BODY_LENGTH) return FAILURES.bad_length;
  return checkBody(input, start, entry.crcState) ?? entry;
}

// Decodes the body three bytes at a time straight into the CRC: the key's decoded bytes never sit
// in a buffer that outlives the request (docs/design.md, "Storage"). The first 32 bytes feed the
// CRC; the last 4 are the checksum, big-endian. A character outside the alphabet anywhere is
// `bad_alphabet`, whatever the checksum.
function checkBody(input: string, start: number, crcState: number): ParseFailure | undefined {
  let crc = crcState;
  let checksum = 0;
  let offset = 0;
  for (let at = start; at < start + KEY_BODY_LENGTH; at += 4) {
    const triple = decodeBase64urlQuad(input, at);
    if (triple < 0) return FAILURES.bad_alphabet;
    for (let shift = 16; shift >= 0; shift -= 8) {
      const byte = (triple >>> shift) & 0xff;
      if (offset++ < KEY_RANDOM_BYTES) crc = crc32UpdateByte(crc, byte);
      else checksum = (checksum << 8) | byte;
    }
  }
  return checksum >>> 0 === crc32Finish(crc) ? undefined : FAILURES.bad_checksum;
}

function prefixOf(input: string, format: KeyFormat): EnvironmentPrefix | undefined {
  // An indexed loop: `for…of` over the frozen array costs twice as much on this path.
  const prefixes = format.prefixes;
  for (let index = 0; index < prefixes.length; index++) {
    const entry = prefixes[index]!;
    if (input.startsWith(entry.prefix)) return entry;
  }
  return undefined;
}

// `sk_staging_…` is a key of the right type but an environment this format does not know.
function unknownEnvironment(input: string, format: KeyFormat): boolean {
  const typePrefix = format.type + '_';
  if (!input.startsWith(typePrefix)) return false;
  const end = input.indexOf('_', typePrefix.length);
  return end > typePrefix.length && /^[a-z]+$/.test(input.slice(typePrefix.length, end));
}
