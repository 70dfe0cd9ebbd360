// The typing of `ctx.state.apiKey`, for every Koa application and for typed middleware.
import type { AuthContext } from '@keygate/core';

declare module 'koa' {
  interface DefaultState {
    /** The calling key and organisation, set by `apiKeyAuth()`; `undefined` before it ran. */
    apiKey?: AuthContext;
  }
}

/**
 * The state `apiKeyAuth()` adds, for applications that type their own state.
 *
 * @example
 * ```ts
 * const app = new Koa<ApiKeyState & { requestId: string }>();
 * ```
 */
export interface ApiKeyState {
  /** The calling key and organisation, set by `apiKeyAuth()`. */
  apiKey?: AuthContext;
}
