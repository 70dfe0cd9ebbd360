// What verify() answers and what it takes per request: shared by the verifier's modules.
import type { AuthContext } from './auth-context.js';
import type { VerifyFailure } from './refusals.js';

/** An accepted verification. */
export interface VerifySuccess {
  readonly ok: true;
  readonly context: AuthContext;
}

/** The answer of `Verifier.verify`. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** Per-request options of `Verifier.verify`. */
export interface VerifyOptions {
  /** Scopes the route needs; a key without all of them is refused with `insufficient_scope`. */
  readonly requiredScopes?: readonly string[];
  /** The request has an `Authorization` header: a missing key's message then says where to put it. */
  readonly hasAuthorizationHeader?: boolean;
}
