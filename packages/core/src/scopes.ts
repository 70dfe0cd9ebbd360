// Scopes, in one place for the key manager, the verifier and every adapter's requireScopes: what
// a scope may be, and which scopes a key's scopes grant, wildcards included (the core package README, "Scopes").
import type { AuthContext } from './auth-context.js';
import { InsufficientScopeError } from './errors.js';

/** The longest scope, in characters. */
export const MAX_SCOPE_LENGTH = 100;

// Segments of letters, digits and . _ / - joined by ":", optionally ending in ":*"; or "*" alone.
const SCOPE = /^(?:\*|[A-Za-z0-9._/-]+(?::[A-Za-z0-9._/-]+)*(?::\*)?)$/;

/** The rule {@link isScope} applies, in words (for error messages). */
export const SCOPE_SYNTAX =
  'a scope is words of letters, digits, ".", "_", "/" or "-" joined by ":" (such as "sites:read"), at most 100 characters; "resource:*" and "*" are wildcards';

/**
 * True when `value` is a scope a key can hold: `sites:read`, `sites:*` (every scope that starts
 * with `sites:`) or `*` (every scope).
 *
 * @example
 * ```ts
 * isScope('sites:read'); // true
 * isScope('sites:*'); // true
 * isScope('si*es'); // false: a wildcard is a whole last segment
 * ```
 */
export function isScope(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_SCOPE_LENGTH && SCOPE.test(value);
}

/**
 * True when `value` is a scope a route may require: a scope without a wildcard (a route needs
 * one permission; a key's `sites:*` grants it).
 *
 * @example
 * ```ts
 * isRequirableScope('sites:write'); // true
 * isRequirableScope('sites:*'); // false
 * ```
 */
export function isRequirableScope(value: unknown): value is string {
  return isScope(value) && !value.endsWith('*');
}

/**
 * True when a key holding `granted` may do what `required` names: the same scope, `*`, or a
 * `resource:*` whose `resource:` starts `required`.
 *
 * @example
 * ```ts
 * grantsScope('sites:*', 'sites:write'); // true
 * grantsScope('sites:*', 'sites'); // false
 * grantsScope('sites:read', 'sites:write'); // false
 * ```
 */
export function grantsScope(granted: string, required: string): boolean {
  if (granted === required || granted === '*') return true;
  // "sites:*" grants "sites:…" at any depth: the wildcard stands for the rest of the scope.
  return (
    granted.endsWith(':*') &&
    required.length > granted.length - 1 &&
    required.startsWith(granted.slice(0, -1))
  );
}

/**
 * True when any of `granted` grants `required`.
 *
 * @example
 * ```ts
 * hasScope(['sites:*'], 'sites:read'); // true
 * ```
 */
export function hasScope(granted: readonly string[], required: string): boolean {
  for (const scope of granted) if (grantsScope(scope, required)) return true;
  return false;
}

/**
 * The refusal for a context that lacks any of `required`, or `undefined` when it has them all.
 * Allocates nothing when the key has every scope (it runs on the verifier's cache-hit path).
 *
 * @example
 * ```ts
 * const error = missingScopeError(context, ['sites:write']);
 * if (error) return send(verifier.problem(error));
 * ```
 */
export function missingScopeError(
  context: Pick<AuthContext, 'scopes'>,
  required: readonly string[],
): InsufficientScopeError | undefined {
  for (const scope of required) {
    if (!hasScope(context.scopes, scope)) {
      return new InsufficientScopeError(required.filter((each) => !hasScope(context.scopes, each)));
    }
  }
  return undefined;
}
