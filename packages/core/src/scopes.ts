// The scope check shared by the verifier and the adapters' `requireScopes` guards.
import type { AuthContext } from './auth-context.js';
import { InsufficientScopeError } from './errors.js';

/**
 * The refusal for a context that lacks any of `required`, or `undefined` when it has them all.
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
  if (required.length === 0) return undefined;
  const missing = required.filter((scope) => !context.scopes.includes(scope));
  return missing.length === 0 ? undefined : new InsufficientScopeError(missing);
}
