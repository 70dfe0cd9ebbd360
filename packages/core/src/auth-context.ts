// What a successful verification hands the route: the key's identity and its organisation.

/**
 * Augment this interface to type the organisation that `resolveOrganisation` returns, once for
 * the whole application.
 *
 * @example
 * ```ts
 * declare module '@keygate/core' {
 *   interface Register { organisation: { id: string; name: string; plan: 'free' | 'pro' } }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging
export interface Register {}

/** The organisation shape used when {@link Register} is not augmented. */
export interface DefaultOrganisation {
  readonly id: string;
}

/** The organisation type of this application (see {@link Register}). */
export type Organisation = Register extends { organisation: infer O } ? O : DefaultOrganisation;

/** The calling key and organisation, attached to the request by every adapter. */
export interface AuthContext {
  readonly keyId: string;
  readonly organisationId: string;
  readonly name: string;
  /** The key's display prefix (`sk_live_AbCdEf`): safe to log. */
  readonly prefix: string;
  readonly environment: string;
  readonly scopes: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly expiresAt: Date | null;
  /** What `resolveOrganisation` returned for `organisationId`. */
  readonly organisation: Organisation;
}
