// The pepper from the environment, read the same way by the CLI and by servers that share its
// store, so that keys made by one verify on the other.
import type { Pepper } from '@keygate/core';

/**
 * `[{ id, secret }]` from `KEYGATE_PEPPER` (the secret, at least 16 bytes) and `KEYGATE_PEPPER_ID`
 * (default `1`), or `undefined` when no pepper is set.
 *
 * @example
 * ```ts
 * const peppers = peppersFromEnvironment(process.env);
 * const keygate = createKeygate({ store, ...(peppers ? { peppers } : {}) });
 * ```
 */
export function peppersFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): readonly Pepper[] | undefined {
  const secret = env.KEYGATE_PEPPER;
  if (secret === undefined || secret === '') return undefined;
  const id =
    env.KEYGATE_PEPPER_ID === undefined || env.KEYGATE_PEPPER_ID === ''
      ? '1'
      : env.KEYGATE_PEPPER_ID;
  return [{ id, secret }];
}
