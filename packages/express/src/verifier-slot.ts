// The hidden per-request slot where apiKeyAuth() leaves its verifier for requireScopes().
import type { AuthContext, Verifier } from '@keygate/core';

/** A symbol, so the slot never shows up in `Object.keys(req)` or a logged request. */
export const VERIFIER_SLOT: unique symbol = Symbol('@keygate/express verifier');

/** A request as the middleware and guards see it. */
export interface ApiKeyRequestSlots {
  apiKey?: AuthContext;
  [VERIFIER_SLOT]?: Verifier;
}
