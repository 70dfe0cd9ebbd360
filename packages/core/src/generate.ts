// Key generation: 32 CSPRNG bytes and a CRC-32 over prefix and bytes, base64url (docs/design.md,
// "Key format").
import { encodeBase64url } from './base64url.js';
import { crc32Finish, crc32Update } from './crc32.js';
import { defaultKeyFormat, displayPrefix, KEY_RANDOM_BYTES, type KeyFormat } from './key-format.js';

/** A freshly generated key. `key` is the secret: show it once, store only `prefix` and a digest. */
export interface GeneratedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly environment: string;
}

/** Options for {@link generateApiKey}. */
export interface GenerateApiKeyOptions {
  /** One of the format's environments; default the first (`live`). */
  readonly environment?: string;
  /** Default: `sk` with `live` and `test`. */
  readonly format?: KeyFormat;
}

/**
 * Generates a new key with 256 bits of entropy from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * const { key, prefix } = generateApiKey({ environment: 'test' });
 * // key: 'sk_test_…' (56 characters), prefix: 'sk_test_AbCdEf'
 * ```
 */
export function generateApiKey(options: GenerateApiKeyOptions = {}): GeneratedApiKey {
  const format = options.format ?? defaultKeyFormat;
  const environment = options.environment ?? format.environments[0]!;
  const entry = format.prefixes.find((candidate) => candidate.environment === environment);
  if (entry === undefined) {
    throw new TypeError(
      `@keygate/core: unknown environment ${JSON.stringify(environment)}; expected one of ${format.environments.join(', ')}`,
    );
  }
  const bytes = new Uint8Array(KEY_RANDOM_BYTES + 4);
  globalThis.crypto.getRandomValues(bytes.subarray(0, KEY_RANDOM_BYTES));
  const checksum = crc32Finish(crc32Update(entry.crcState, bytes, 0, KEY_RANDOM_BYTES));
  new DataView(bytes.buffer).setUint32(KEY_RANDOM_BYTES, checksum, false);
  const body = encodeBase64url(bytes);
  const key = entry.prefix + body;
  return { key, prefix: displayPrefix(entry.prefix, body), environment };
}
