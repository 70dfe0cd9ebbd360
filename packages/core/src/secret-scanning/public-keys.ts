// The public keys that GitHub signs secret-scanning alerts with: fetched from GitHub's published
// list (or given), imported once, and refetched when an alert names a key the list lacked.
import { importEcdsaP256PublicKey } from './signature.js';

/** One entry of GitHub's key list (`https://api.github.com/meta/public_keys/secret_scanning`). */
export interface SecretScanningPublicKey {
  readonly key_identifier: string;
  /** PEM `PUBLIC KEY` (ECDSA P-256). */
  readonly key: string;
  readonly is_current?: boolean;
}

/** GitHub's key list, as its endpoint answers. */
export interface SecretScanningKeyList {
  readonly public_keys: readonly SecretScanningPublicKey[];
}

/** Loads the current key list; called at the first alert and when an unknown key id arrives. */
export type PublicKeyProvider = () => Promise<SecretScanningKeyList | unknown>;

/** Where GitHub publishes the keys that sign its secret-scanning alerts. */
export const GITHUB_SECRET_SCANNING_KEYS_URL =
  'https://api.github.com/meta/public_keys/secret_scanning';

/** Options of {@link fetchPublicKeys}. */
export interface FetchPublicKeysOptions {
  /** Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Extra request headers, such as `authorization` with a GitHub token (higher rate limits). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up on a fetch after this long (default 10,000 ms). */
  readonly timeoutMs?: number;
}

/**
 * A provider that GETs a key list in GitHub's format from `url` (default GitHub's own).
 *
 * @example
 * ```ts
 * const publicKeys = fetchPublicKeys(GITHUB_SECRET_SCANNING_KEYS_URL, {
 *   headers: { authorization: `Bearer ${process.env.GITHUB_TOKEN}` },
 * });
 * ```
 */
export function fetchPublicKeys(
  url: string | URL = GITHUB_SECRET_SCANNING_KEYS_URL,
  options: FetchPublicKeysOptions = {},
): PublicKeyProvider {
  const target = new URL(url);
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== 'function') {
    throw new TypeError('@keygate/core: fetchPublicKeys needs a fetch function');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async () => {
    const response = await fetchFunction(target, {
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      throw new Error(`@keygate/core: ${target.href} answered ${response.status}`);
    }
    return response.json();
  };
}

/**
 * Checks that `value` is a key list in GitHub's format; throws a `TypeError` saying what is wrong.
 *
 * @example
 * ```ts
 * const list = parseSecretScanningKeyList(JSON.parse(await readFile('keys.json', 'utf8')));
 * ```
 */
export function parseSecretScanningKeyList(value: unknown): SecretScanningKeyList {
  const entries = (value as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(entries)) {
    throw new TypeError('@keygate/core: a secret-scanning key list needs a public_keys array');
  }
  for (const entry of entries) {
    const { key_identifier: identifier, key } = (entry ?? {}) as Record<string, unknown>;
    if (typeof identifier !== 'string' || identifier === '' || typeof key !== 'string') {
      throw new TypeError(
        '@keygate/core: each secret-scanning public key needs a key_identifier and a key',
      );
    }
  }
  return { public_keys: entries as SecretScanningPublicKey[] };
}

/** The answer of {@link PublicKeyRing.find}. */
export type PublicKeyLookup =
  | { readonly found: true; readonly key: CryptoKey }
  | { readonly found: false };

/**
 * The imported keys by identifier. Loads the list on first use; an unknown identifier refetches
 * it once (at most once per `minRefreshIntervalMs`, so that made-up identifiers cannot make the
 * server hammer GitHub, whose unauthenticated limit is 60 requests an hour). Concurrent alerts
 * share one fetch. A failed fetch rejects (the caller answers 503, and GitHub retries).
 */
export class PublicKeyRing {
  readonly #provider: PublicKeyProvider | undefined;
  readonly #minRefreshIntervalMs: number;
  #keys = new Map<string, Promise<CryptoKey | undefined>>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | undefined;

  constructor(source: PublicKeyProvider | SecretScanningKeyList, minRefreshIntervalMs: number) {
    this.#minRefreshIntervalMs = minRefreshIntervalMs;
    if (typeof source === 'function') {
      this.#provider = source;
    } else {
      this.#install(parseSecretScanningKeyList(source));
      this.#loadedAt = Number.POSITIVE_INFINITY;
    }
  }

  /** The key with this identifier, after at most one refetch of the list. */
  async find(identifier: string): Promise<PublicKeyLookup> {
    if (this.#provider !== undefined && this.#loadedAt === Number.NEGATIVE_INFINITY) {
      await this.#reload();
    } else if (!this.#keys.has(identifier) && this.#mayRefresh()) {
      await this.#reload();
    }
    const key = await this.#keys.get(identifier);
    return key === undefined ? { found: false } : { found: true, key };
  }

  #mayRefresh(): boolean {
    if (this.#provider === undefined) return false;
    return this.#loading !== undefined || Date.now() - this.#loadedAt >= this.#minRefreshIntervalMs;
  }

  #reload(): Promise<void> {
    this.#loading ??= (async () => {
      try {
        this.#install(parseSecretScanningKeyList(await this.#provider!()));
        this.#loadedAt = Date.now();
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }

  // Each key is imported once, when it first appears; one that does not import is as good as absent (an alert
  // naming it is refused), and does not spoil the others.
  #install(list: SecretScanningKeyList): void {
    const keys = new Map<string, Promise<CryptoKey | undefined>>();
    for (const entry of list.public_keys) {
      const known = this.#keys.get(entry.key_identifier);
      keys.set(
        entry.key_identifier,
        known ?? importEcdsaP256PublicKey(entry.key).catch(() => undefined),
      );
    }
    this.#keys = keys;
  }
}
