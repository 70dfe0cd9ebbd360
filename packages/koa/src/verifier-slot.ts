// The hidden per-request slot where apiKeyAuth() leaves its verifier for requireScopes().
import type { Verifier } from '@keygate/core';

/** A symbol, so the slot never shows up in `Object.keys(ctx)` or a logged context. */
export const VERIFIER_SLOT: unique symbol = Symbol('@keygate/koa verifier');

/** A Koa context as the middleware and guards see it. */
export interface ContextSlots {
  [VERIFIER_SLOT]?: Verifier;
}
