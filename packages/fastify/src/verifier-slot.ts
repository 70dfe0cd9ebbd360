// The hidden instance slot where the plugin leaves its verifier for requireScopes().
import type { Verifier } from '@keygate/core';

/** A symbol, so the decoration never collides with an application's own. */
export const VERIFIER_SLOT: unique symbol = Symbol('@keygate/fastify verifier');

/** A Fastify instance as the guards see it. */
export interface InstanceSlots {
  [VERIFIER_SLOT]?: Verifier;
}
