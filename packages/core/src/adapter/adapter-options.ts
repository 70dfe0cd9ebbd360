// Options shared by every framework adapter's apiKeyAuth(), checked once and resolved into a
// frozen object: misuse throws here, naming the adapter package, never at request time.
import type { Keygate } from '../keygate.js';
import { checkCreditCost } from '../quotas/credits.js';
import { isRequirableScope, SCOPE_SYNTAX } from '../scopes.js';
import type { Verifier, VerifyOptions } from '../verifier.js';

/** Options of every adapter's `apiKeyAuth`: pass a `verifier` or a `keygate`, not both. */
export interface ApiKeyAuthOptions {
  /** The verifier to check keys with (from `createVerifier` or `createKeygate(...).verifier`). */
  readonly verifier?: Verifier;
  /** The object `createKeygate` returned; its verifier is used. */
  readonly keygate?: Pick<Keygate, 'verifier'>;
  /** Scopes every request through this middleware must have (default: none). */
  readonly requiredScopes?: readonly string[];
  /**
   * Remove the key header from the request's headers and raw headers once it is read, so that later
   * logging or proxying cannot leak it (default `true`).
   */
  readonly stripHeader?: boolean;
  /**
   * Usage credits each request through this middleware costs a key that has credits (default 1;
   * 0: free). Mount the middleware per route to give routes different costs.
   */
  readonly cost?: number;
  /**
   * The client address that the refusal budget counts unknown keys against (too many from one
   * address: 429 without a store read). Default: the framework's client IP (`req.ip`,
   * `ctx.ip`, `request.ip`, which follow its trust-proxy setting); `false` turns the budget off.
   */
  readonly clientAddress?: ((request: never) => string | undefined) | false;
}

/** What the middleware works with, resolved once. */
export interface ResolvedApiKeyAuthOptions {
  readonly verifier: Verifier;
  readonly headerName: string;
  readonly stripHeader: boolean;
  /** Passed to `verify` when the request has no `Authorization` header. */
  readonly verifyOptions: VerifyOptions;
  /** Passed to `verify` when it has one, so a missing key's message says where the key goes. */
  readonly verifyOptionsWithAuthorization: VerifyOptions;
}

/**
 * Checks and resolves options; throws a `TypeError` naming `packageName`. Never mutates `options`.
 *
 * @example
 * ```ts
 * const { verifier, headerName } = resolveApiKeyAuthOptions(options, '@keygate/express');
 * ```
 */
export function resolveApiKeyAuthOptions(
  options: ApiKeyAuthOptions,
  packageName: string,
  defaultClientAddress?: (request: never) => string | undefined,
): ResolvedApiKeyAuthOptions {
  const PACKAGE = packageName;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `${PACKAGE}: apiKeyAuth needs an options object with a verifier or keygate`,
    );
  }
  const { verifier: given, keygate } = options;
  if (given !== undefined && keygate !== undefined) {
    throw new TypeError(`${PACKAGE}: pass either verifier or keygate, not both`);
  }
  const verifier = given ?? keygate?.verifier;
  if (!isVerifier(verifier)) {
    throw new TypeError(
      `${PACKAGE}: apiKeyAuth needs { verifier } (from createVerifier) or { keygate } (from createKeygate)`,
    );
  }
  const stripHeader = options.stripHeader ?? true;
  if (typeof stripHeader !== 'boolean') {
    throw new TypeError(`${PACKAGE}: stripHeader must be a boolean`);
  }
  const requiredScopes =
    options.requiredScopes === undefined
      ? undefined
      : checkScopes(options.requiredScopes, 'requiredScopes', packageName);
  const cost =
    options.cost === undefined ? undefined : checkCreditCost(options.cost, 'cost', packageName);
  const clientAddress =
    options.clientAddress === undefined ? defaultClientAddress : options.clientAddress;
  if (
    clientAddress !== undefined &&
    clientAddress !== false &&
    typeof clientAddress !== 'function'
  ) {
    throw new TypeError(`${PACKAGE}: clientAddress must be a function or false`);
  }
  const verifyOptions: VerifyOptions = Object.freeze({
    ...(requiredScopes === undefined ? {} : { requiredScopes }),
    ...(cost === undefined ? {} : { cost }),
    ...(clientAddress === undefined || clientAddress === false
      ? {}
      : { clientAddress: clientAddress as (request: unknown) => string | undefined }),
  });
  return Object.freeze({
    verifier,
    headerName: verifier.headerName,
    stripHeader,
    verifyOptions,
    verifyOptionsWithAuthorization: Object.freeze({
      ...verifyOptions,
      hasAuthorizationHeader: true,
    }),
  });
}

/**
 * The options to verify `value` (what `takeApiKeyHeader` read) with. Whether `Authorization` was
 * sent matters only to the refusal of a missing key, so the header is read only then.
 *
 * @example
 * ```ts
 * const value = takeApiKeyHeader(req, resolved.headerName, resolved.stripHeader);
 * resolved.verifier.verify(value, verifyOptionsFor(resolved, value, req.headers), req);
 * ```
 */
export function verifyOptionsFor(
  resolved: ResolvedApiKeyAuthOptions,
  value: unknown,
  headers: { readonly authorization?: unknown },
): VerifyOptions {
  return (value === undefined || value === '') && headers.authorization !== undefined
    ? resolved.verifyOptionsWithAuthorization
    : resolved.verifyOptions;
}

/**
 * Checks a list of scopes and returns a frozen copy; throws a `TypeError` naming `packageName`.
 *
 * @example
 * ```ts
 * const required = checkScopes(['sites:write'], 'requireScopes', '@keygate/koa');
 * ```
 */
export function checkScopes(scopes: unknown, what: string, packageName: string): readonly string[] {
  const PACKAGE = packageName;
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new TypeError(`${PACKAGE}: ${what} needs at least one scope`);
  }
  for (const scope of scopes) {
    // The same rule as a key's scopes, without wildcards: a route requires one permission.
    if (!isRequirableScope(scope)) {
      throw new TypeError(
        `${PACKAGE}: ${what}: ${JSON.stringify(String(scope))} is not a scope a route can require (${SCOPE_SYNTAX}; a route names one scope, without a wildcard)`,
      );
    }
  }
  return Object.freeze([...(scopes as string[])]);
}

function isVerifier(value: unknown): value is Verifier {
  const candidate = value as Partial<Verifier> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.verify === 'function' &&
    typeof candidate.problem === 'function' &&
    typeof candidate.headerName === 'string'
  );
}
