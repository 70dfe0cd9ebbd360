// A key's shape (docs/design.md, "Key format"): `<type>_<environment>_<48 base64url chars>`.
import { CRC32_INITIAL, crc32UpdateAscii } from './crc32.js';

/** Options for the key format; both default to the reference platform's `sk` and `live`/`test`. */
export interface KeyFormatOptions {
  /** The key type: 2–10 lowercase letters. Default `sk`. */
  readonly type?: string;
  /** The environments keys can be issued for: lowercase words. Default `['live', 'test']`. */
  readonly environments?: readonly string[];
}

/** A resolved, frozen key format. Build one with {@link createKeyFormat}. */
export interface KeyFormat {
  readonly type: string;
  readonly environments: readonly string[];
  /** Per environment: the full prefix (`sk_live_`) and the CRC state after it. */
  readonly prefixes: readonly EnvironmentPrefix[];
  /** Matches a key of this format anywhere in a text (for secret scanners). */
  readonly pattern: RegExp;
}

/** One environment's prefix, precomputed so that parsing does no string building. */
export interface EnvironmentPrefix {
  readonly environment: string;
  readonly prefix: string;
  readonly crcState: number;
}

/** Random bytes in a key. */
export const KEY_RANDOM_BYTES = 32;
/** Length of the base64url body: 32 random bytes and a 4-byte CRC-32 make 36 bytes, 48 characters. */
export const KEY_BODY_LENGTH = 48;
/** Characters of the body shown after the environment prefix in a display prefix. */
export const DISPLAY_BODY_CHARACTERS = 6;
/** The display prefix of a default key is its first 14 characters (`sk_live_` and 6 more). */
export const DISPLAY_PREFIX_LENGTH = 8 + DISPLAY_BODY_CHARACTERS;
/** Longest header value that is even looked at. */
export const MAX_API_KEY_LENGTH = 256;

const TYPE_PATTERN = /^[a-z]{2,10}$/;
const ENVIRONMENT_PATTERN = /^[a-z]+$/;

/**
 * Resolves and checks format options once. Throws a `TypeError` naming `@keygate/core` when they
 * are wrong, so misuse shows at start-up, never as a refusal at request time.
 *
 * @example
 * ```ts
 * const format = createKeyFormat({ type: 'pk', environments: ['prod', 'dev'] });
 * ```
 */
export function createKeyFormat(options: KeyFormatOptions = {}): KeyFormat {
  const type = options.type ?? 'sk';
  const environments = options.environments ?? ['live', 'test'];
  if (typeof type !== 'string' || !TYPE_PATTERN.test(type)) {
    throw new TypeError(
      `@keygate/core: key type must be 2–10 lowercase letters, got ${JSON.stringify(type)}`,
    );
  }
  if (!Array.isArray(environments) || environments.length === 0) {
    throw new TypeError('@keygate/core: environments must be a non-empty array of lowercase words');
  }
  for (const environment of environments) {
    if (typeof environment !== 'string' || !ENVIRONMENT_PATTERN.test(environment)) {
      throw new TypeError(
        `@keygate/core: an environment must be a lowercase word, got ${JSON.stringify(environment)}`,
      );
    }
  }
  if (new Set(environments).size !== environments.length) {
    throw new TypeError('@keygate/core: environments must not repeat');
  }
  const prefixes = environments.map((environment) => {
    const prefix = `${type}_${environment}_`;
    return Object.freeze({
      environment,
      prefix,
      crcState: crc32UpdateAscii(CRC32_INITIAL, prefix),
    });
  });
  return Object.freeze({
    type,
    environments: Object.freeze([...environments]),
    prefixes: Object.freeze(prefixes),
    pattern: new RegExp(
      `(?<![A-Za-z0-9_-])${type}_(?:${environments.join('|')})_[A-Za-z0-9_-]{${KEY_BODY_LENGTH}}(?![A-Za-z0-9_-])`,
    ),
  });
}

/** The default format: `sk_live_…` and `sk_test_…`. */
export const defaultKeyFormat: KeyFormat = /* @__PURE__ */ createKeyFormat();

/**
 * Matches a default-format key (`sk_live_` or `sk_test_` and 48 base64url characters) anywhere in
 * a text. Not global: for every match use `new RegExp(keyPattern.source, 'g')`.
 *
 * @example
 * ```ts
 * if (keyPattern.test(commitDiff)) throw new Error('an API key is about to be committed');
 * ```
 */
export const keyPattern: RegExp = defaultKeyFormat.pattern;

/**
 * The display prefix of a key: its environment prefix and the first 6 body characters
 * (`sk_live_AbCdEf`). Built from a 6-character copy, never sliced from the key: V8 makes a slice
 * of 13 or more characters a view that keeps the whole key alive in whatever holds the prefix.
 */
export function displayPrefix(environmentPrefix: string, body: string): string {
  return environmentPrefix + body.slice(0, DISPLAY_BODY_CHARACTERS);
}
