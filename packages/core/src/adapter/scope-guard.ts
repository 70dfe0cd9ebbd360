// The body of every adapter's `requireScopes()`: check the scopes once, then per request find the
// verifier that built the context and decide pass, refuse (core's 403) or misuse (a 500).
import type { AuthContext } from '../auth-context.js';
import type { Problem } from '../problem.js';
import { missingScopeError } from '../scopes.js';
import { verifierOf } from '../verifier.js';
import { checkScopes } from './adapter-options.js';

/**
 * What a scope guard decides for one request: `undefined` lets it through, a {@link Problem} is
 * the 403 to send, an `Error` means the guard runs without `apiKeyAuth` before it (answer 500).
 */
export type ScopeGuardDecision = Problem | Error | undefined;

/** Decides one request from its auth context (`undefined`/`null` when there is none). */
export type ScopeGuard = (context: AuthContext | null | undefined) => ScopeGuardDecision;

/**
 * Builds the scope check of a framework's `requireScopes`. Throws a `TypeError` naming
 * `packageName` for bad scopes, at start-up; `authName` says what must run before the guard.
 *
 * @example
 * ```ts
 * const guard = createScopeGuard(scopes, '@keygate/express', 'apiKeyAuth()');
 * const decision = guard(req.apiKey);
 * if (decision === undefined) next();
 * else if (decision instanceof Error) next(decision);
 * else sendProblem(res, decision);
 * ```
 */
export function createScopeGuard(
  scopes: readonly string[],
  packageName: string,
  authName: string,
): ScopeGuard {
  const required = checkScopes(scopes, 'requireScopes', packageName);
  const misuse = `${packageName}: requireScopes() runs only after ${authName}`;
  return (context) => {
    const verifier = context === null || context === undefined ? undefined : verifierOf(context);
    if (context === null || context === undefined || verifier === undefined) {
      return new Error(misuse);
    }
    const error = missingScopeError(context, required);
    return error === undefined ? undefined : verifier.problem(error);
  };
}
