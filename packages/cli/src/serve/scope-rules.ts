// The scope rules of keygate.serve.json, compiled for the request path: the most specific rule
// (longest path, then one that names the method) decides which scopes a request needs.
import type { VerifyOptions } from '@keygate/core';
import type { ServeRoute } from './serve-config.js';

/** What `verify` gets for one request: without and with an `Authorization` header. */
export interface RuleOptions {
  readonly plain: VerifyOptions;
  readonly withAuthorization: VerifyOptions;
}

/** Finds the verify options for a method and canonical path. */
export type ScopeRules = (method: string, path: string) => RuleOptions;

const NO_SCOPES: RuleOptions = Object.freeze({
  plain: Object.freeze({}),
  withAuthorization: Object.freeze({ hasAuthorizationHeader: true }),
});

/**
 * Compiles rules once; each request then costs a short scan and no allocation.
 *
 * @example
 * ```ts
 * const rules = compileScopeRules(config.routes);
 * verifier.verify(value, rules('POST', '/api/sites').plain);
 * ```
 */
export function compileScopeRules(routes: readonly ServeRoute[]): ScopeRules {
  if (routes.length === 0) return () => NO_SCOPES;
  const compiled = [...routes]
    .sort(
      (a, b) =>
        b.path.length - a.path.length ||
        Number(b.methods !== undefined) - Number(a.methods !== undefined),
    )
    .map((route) => {
      const requiredScopes = Object.freeze([...route.scopes]);
      return {
        path: route.path,
        // "/" covers every path; "/api" covers "/api" and "/api/…", never "/apiary".
        under: route.path === '/' ? '/' : `${route.path}/`,
        methods: route.methods,
        options: Object.freeze({
          plain: Object.freeze({ requiredScopes }),
          withAuthorization: Object.freeze({ requiredScopes, hasAuthorizationHeader: true }),
        }),
      };
    });
  return (method, path) => {
    for (const rule of compiled) {
      if (rule.methods !== undefined && !allows(rule.methods, method)) continue;
      if (path === rule.path || path.startsWith(rule.under)) return rule.options;
    }
    return NO_SCOPES;
  };
}

// A rule for GET also covers HEAD: a HEAD request reads what a GET would (RFC 9110 section 9.3.2).
function allows(methods: readonly string[], method: string): boolean {
  return methods.includes(method) || (method === 'HEAD' && methods.includes('GET'));
}
