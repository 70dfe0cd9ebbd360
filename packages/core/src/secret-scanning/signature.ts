// GitHub signs each alert with ECDSA P-256 over SHA-256 of the raw body; verified here with
// WebCrypto, so that core needs no `node:crypto` (it runs on Node, Bun, Deno and workers).
import { derToP1363 } from './der-signature.js';

const P256_COORDINATE_BYTES = 32;
// A DER P-256 signature is at most 72 bytes; its base64 at most 96 characters.
const MAX_SIGNATURE_BASE64 = 128;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----/;

/**
 * Imports a PEM `PUBLIC KEY` (SPKI) as an ECDSA P-256 verification key. Rejects with a
 * `TypeError` when the text is not such a key.
 *
 * @example
 * ```ts
 * const key = await importEcdsaP256PublicKey(entry.key);
 * ```
 */
export async function importEcdsaP256PublicKey(pem: string): Promise<CryptoKey> {
  const body = typeof pem === 'string' ? PEM_PUBLIC_KEY.exec(pem)?.[1] : undefined;
  const der = body === undefined ? null : decodeBase64(body.replace(/\s+/g, ''));
  if (der === null) {
    throw new TypeError('@keygate/core: a secret-scanning public key must be a PEM PUBLIC KEY');
  }
  try {
    return await subtle().importKey('spki', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'verify',
    ]);
  } catch (error) {
    throw new TypeError('@keygate/core: a secret-scanning public key is not an ECDSA P-256 key', {
      cause: error,
    });
  }
}

/**
 * True when `signature` (base64 of a DER ECDSA signature, as in `Github-Public-Key-Signature`)
 * signs `body` under `key`. Answers `false` for any signature that is not well formed; never
 * throws for bad input.
 *
 * @example
 * ```ts
 * const ok = await verifyEcdsaP256Signature(key, request.headers.get('github-public-key-signature'), body);
 * ```
 */
export async function verifyEcdsaP256Signature(
  key: CryptoKey,
  signature: string | null,
  body: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (typeof signature !== 'string' || signature.length > MAX_SIGNATURE_BASE64) return false;
  const der = decodeBase64(signature.trim());
  if (der === null) return false;
  const raw = derToP1363(der, P256_COORDINATE_BYTES);
  if (raw === null) return false;
  try {
    return await subtle().verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, body);
  } catch {
    return false;
  }
}

/** Standard base64 (with padding) to bytes, or `null` when it is not base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function subtle(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new TypeError(
      '@keygate/core: secret scanning needs WebCrypto (globalThis.crypto.subtle)',
    );
  }
  return subtle;
}
