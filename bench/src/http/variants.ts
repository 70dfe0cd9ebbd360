// The HTTP variants: each framework bare, with the minimal hook (SHA-256 of the key and one Map
// lookup, the floor of any hashing verifier), with keygate accepting the key, with keygate refusing
// it, and on Fastify the peer @fastify/bearer-auth. Every variant gets the same request.

export type Framework = 'fastify' | 'koa' | 'express';
export type VariantKind = 'bare' | 'minimal-hook' | 'keygate' | 'keygate-refusing' | 'bearer-auth';

/** One server to measure. */
export interface Variant {
  readonly framework: Framework;
  readonly kind: VariantKind;
  /** The adapter package it needs (skipped when it cannot be loaded). */
  readonly needs: string | undefined;
}

export const FRAMEWORKS: readonly Framework[] = ['fastify', 'koa', 'express'];

/** Every variant, in the order a round runs them (rotated round by round). */
export const VARIANTS: readonly Variant[] = FRAMEWORKS.flatMap((framework): Variant[] => [
  { framework, kind: 'bare', needs: undefined },
  { framework, kind: 'minimal-hook', needs: undefined },
  { framework, kind: 'keygate', needs: `@keygate/${framework}` },
  { framework, kind: 'keygate-refusing', needs: `@keygate/${framework}` },
  ...(framework === 'fastify'
    ? [{ framework, kind: 'bearer-auth', needs: '@fastify/bearer-auth' } as const]
    : []),
]);

/** `fastify/keygate`. */
export function variantName(variant: Variant): string {
  return `${variant.framework}/${variant.kind}`;
}

/** The status each variant must answer the bench request with. */
export function expectedStatus(variant: Variant): number {
  return variant.kind === 'keygate-refusing' ? 401 : 200;
}

/** The one request every variant gets: the key in `x-api-key` and, for the peer, as a bearer. */
export function benchHeaders(key: string): Record<string, string> {
  return { 'x-api-key': key, authorization: `Bearer ${key}`, accept: 'application/json' };
}
