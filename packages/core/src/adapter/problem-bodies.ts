// A refusal's body, encoded once per problem for adapters that send bytes: core builds each
// fixed refusal once per verifier, so encoding its JSON per request would be wasted work.
import type { Problem } from '../problem.js';

/**
 * Returns a function that gives `encode(problem.json)`, computed on the first call for each
 * problem and remembered as long as the problem lives.
 *
 * @example
 * ```ts
 * const bodyOf = problemBodies((json) => Buffer.from(json));
 * res.end(bodyOf(problem));
 * ```
 */
export function problemBodies<T>(encode: (json: string) => T): (problem: Problem) => T {
  const bodies = new WeakMap<Problem, T>();
  return (problem) => {
    let body = bodies.get(problem);
    if (body === undefined) {
      body = encode(problem.json);
      bodies.set(problem, body);
    }
    return body;
  };
}
