// Hands a framework's own logger to a verifier built without one, so keygate's warnings land in
// the application's log (docs/observability.md, "Logger"). A logger given to the verifier wins.
import type { KeygateLogger } from '../logger.js';
import type { Verifier } from '../verifier.js';

/**
 * Makes `logger` the verifier's logger when the verifier was built without one; otherwise does
 * nothing. Returns whether it did.
 *
 * @example
 * ```ts
 * adoptHostLogger(verifier, fastify.log); // in the Fastify plugin
 * ```
 */
export function adoptHostLogger(verifier: Verifier, logger: KeygateLogger): boolean {
  // Matched by shape, not instanceof: the verifier may come from another copy of core.
  const current = verifier.options.logger as Partial<{ adopt: (next: KeygateLogger) => void }>;
  if (typeof current?.adopt !== 'function') return false;
  current.adopt(logger);
  return true;
}
