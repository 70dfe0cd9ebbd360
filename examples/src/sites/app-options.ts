// What every framework's app builder takes: keygate (or a verifier), the sites, an error sink.
import type { Keygate, Verifier } from '@keygate/core';
import type { SitesRepository } from './sites-repository.js';

/** Options shared by `buildExpressApp`, `buildKoaApp` and `buildFastifyApp`. */
export interface SitesAppOptions {
  /** From `createKeygate`; or pass `verifier`. */
  readonly keygate?: Pick<Keygate, 'verifier'>;
  readonly verifier?: Verifier;
  readonly sites: SitesRepository;
  /** Told about errors answered with a 500 (default: `console.error`). */
  readonly onError?: (error: unknown) => void;
}

/** The adapter options for `apiKeyAuth`, from the app options. */
export function authOptions(
  options: SitesAppOptions,
): { readonly keygate: Pick<Keygate, 'verifier'> } | { readonly verifier: Verifier } {
  if (options.keygate !== undefined) return { keygate: options.keygate };
  if (options.verifier !== undefined) return { verifier: options.verifier };
  throw new TypeError('sites example: pass keygate or verifier');
}

/** Where a 500's cause goes. */
export function errorSink(options: SitesAppOptions): (error: unknown) => void {
  return options.onError ?? ((error) => console.error('sites example: unexpected error', error));
}
