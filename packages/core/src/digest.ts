// Key digests (docs/design.md, "Storage"): SHA-256, or HMAC-SHA-256 under a pepper,
// base64url-encoded. @noble/hashes computes them everywhere; where Node's crypto is present it is
// used as a faster path that gives identical digests (digest.test.ts proves it on many keys).
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64url } from './base64url.js';

/** A server secret mixed into every digest, so that a leaked table alone cannot confirm a key. */
export interface Pepper {
  /** Stored in each record's `hashVersion` (`hmac-sha256:<id>`): 1–64 of `[A-Za-z0-9._-]`. */
  readonly id: string;
  /** At least 16 bytes (a string is taken as UTF-8). Kept outside the database. */
  readonly secret: string | Uint8Array;
}

/** Options for {@link createKeyDigester}. */
export interface KeyDigesterOptions {
  /** Newest first: the first pepper digests new keys, the others still verify old ones. */
  readonly peppers?: readonly Pepper[];
  /**
   * With peppers, also accept records made before peppers were configured (plain `sha256`).
   * Default `false`.
   */
  readonly acceptUnpeppered?: boolean;
  /** `auto` (default) uses Node's crypto where present; `noble` forces the portable code. */
  readonly implementation?: 'auto' | 'noble';
}

/** One way of digesting a key, named by the `hashVersion` it writes. */
export interface DigestVersion {
  readonly version: string;
  readonly digest: (key: string) => string;
}

/**
 * Digests keys. `current` makes new records; `versions` lists every accepted way, current first,
 * in the order the verifier tries them.
 */
export interface KeyDigester {
  readonly current: DigestVersion;
  readonly versions: readonly DigestVersion[];
  /** Which code computes digests: `node` (crypto) or `noble`. */
  readonly implementation: 'node' | 'noble';
}

/** The `hashVersion` of a plain SHA-256 digest. */
export const SHA256_VERSION = 'sha256';

const PEPPER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_PEPPER_BYTES = 16;

/**
 * Builds the digest functions once, at start-up.
 *
 * @example
 * ```ts
 * const digester = createKeyDigester({ peppers: [{ id: '2026-11', secret: process.env.PEPPER! }] });
 * digester.current.version; // 'hmac-sha256:2026-11'
 * ```
 */
export function createKeyDigester(options: KeyDigesterOptions = {}): KeyDigester {
  const peppers = options.peppers ?? [];
  if (!Array.isArray(peppers)) throw new TypeError('@keygate/core: peppers must be an array');
  const node = options.implementation === 'noble' ? undefined : nodeCrypto();
  const versions: DigestVersion[] = [];
  const seen = new Set<string>();
  for (const pepper of peppers) {
    const secret = pepperBytes(pepper);
    if (seen.has(pepper.id))
      throw new TypeError(`@keygate/core: pepper id ${pepper.id} is repeated`);
    seen.add(pepper.id);
    versions.push({
      version: `hmac-sha256:${pepper.id}`,
      digest: node ? nodeHmac(node, secret) : nobleHmac(secret),
    });
  }
  if (peppers.length === 0 || options.acceptUnpeppered === true) {
    versions.push({ version: SHA256_VERSION, digest: node ? nodeSha256(node) : nobleSha256 });
  }
  return Object.freeze({
    current: versions[0]!,
    versions: Object.freeze(versions),
    implementation: node ? 'node' : 'noble',
  });
}

function pepperBytes(pepper: Pepper): Uint8Array {
  if (typeof pepper !== 'object' || pepper === null || !PEPPER_ID.test(String(pepper.id))) {
    throw new TypeError('@keygate/core: each pepper needs an id of 1–64 characters [A-Za-z0-9._-]');
  }
  const secret =
    typeof pepper.secret === 'string' ? new TextEncoder().encode(pepper.secret) : pepper.secret;
  if (!(secret instanceof Uint8Array)) {
    throw new TypeError(`@keygate/core: pepper ${pepper.id} needs a string or Uint8Array secret`);
  }
  if (secret.length < MIN_PEPPER_BYTES) {
    throw new RangeError(`@keygate/core: pepper ${pepper.id} must be at least 16 bytes long`);
  }
  return secret;
}

function nobleSha256(key: string): string {
  return encodeBase64url(sha256(utf8(key)));
}

function nobleHmac(secret: Uint8Array): (key: string) => string {
  // Keying HMAC hashes two blocks; do it once and clone the keyed state for every digest.
  const keyed = hmac.create(sha256, secret);
  return (key) => encodeBase64url(keyed.clone().update(utf8(key)).digest());
}

// Keys are ASCII; filling the bytes by hand skips TextEncoder's set-up on the hot path.
function utf8(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return new TextEncoder().encode(text);
    bytes[i] = code;
  }
  return bytes;
}

/** The subset of `node:crypto` used here. */
interface NodeCrypto {
  hash?: (algorithm: string, data: string, encoding: 'base64url') => string;
  createHash: (algorithm: string) => NodeDigestStream;
  createHmac: (algorithm: string, key: Uint8Array) => NodeDigestStream;
}
interface NodeDigestStream {
  update(data: string, encoding: 'utf8'): NodeDigestStream;
  digest(encoding: 'base64url'): string;
}

// `process.getBuiltinModule` (Node ≥ 20.16) reaches crypto without an import, so bundles for
// browsers, Deno and workers never see a `node:` specifier.
function nodeCrypto(): NodeCrypto | undefined {
  const processObject = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  try {
    const crypto = processObject?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
    return typeof crypto?.createHmac === 'function' ? crypto : undefined;
  } catch {
    return undefined;
  }
}

function nodeSha256(crypto: NodeCrypto): (key: string) => string {
  const oneShot = crypto.hash;
  if (typeof oneShot === 'function') return (key) => oneShot('sha256', key, 'base64url');
  return (key) => crypto.createHash('sha256').update(key, 'utf8').digest('base64url');
}

function nodeHmac(crypto: NodeCrypto, secret: Uint8Array): (key: string) => string {
  return (key) => crypto.createHmac('sha256', secret).update(key, 'utf8').digest('base64url');
}
