// What every framework's app builder takes (keygate or a verifier, the sites, an error sink) and
// what it gets from the sites module, in one object: the builders differ only in framework code.
import type { Keygate, Verifier } from '@keygate/core';
import {
  createSitesApi,
  INTERNAL_ERROR,
  NOT_FOUND,
  SITES_PATH,
  type SitesApi,
  type SitesApiResponse,
} from './sites-api.js';
import type { SitesRepository } from './sites-repository.js';

/** Options shared by `buildExpressApp`, `buildKoaApp`, `buildFastifyApp` and `buildHonoApp`. */
export interface SitesAppOptions {
  /** From `createKeygate`; or pass `verifier`. */
  readonly keygate?: Pick<Keygate, 'verifier'>;
  readonly verifier?: Verifier;
  readonly sites: SitesRepository;
  /** Told about errors answered with a 500 (default: `console.error`). */
  readonly onError?: (error: unknown) => void;
}

/** What a framework's app builder wires up. */
export interface SitesApp {
  /** The adapter options for `apiKeyAuth`. */
  readonly auth: { readonly keygate: Pick<Keygate, 'verifier'> } | { readonly verifier: Verifier };
  /** Answers requests to {@link SitesApp.path}. */
  readonly api: SitesApi;
  /** Where a 500's cause goes. */
  readonly onError: (error: unknown) => void;
  /** The one path the API serves. */
  readonly path: typeof SITES_PATH;
  /** The answer to any other path. */
  readonly notFound: SitesApiResponse;
  /** The answer to an unexpected error. */
  readonly internalError: SitesApiResponse;
}

/** The sites API and its wiring; throws when the options give neither keygate nor verifier. */
export function sitesApp(options: SitesAppOptions): SitesApp {
  return {
    auth: authOptions(options),
    api: createSitesApi(options.sites),
    onError:
      options.onError ?? ((error) => console.error('sites example: unexpected error', error)),
    path: SITES_PATH,
    notFound: NOT_FOUND,
    internalError: INTERNAL_ERROR,
  };
}

function authOptions(options: SitesAppOptions): SitesApp['auth'] {
  if (options.keygate !== undefined) return { keygate: options.keygate };
  if (options.verifier !== undefined) return { verifier: options.verifier };
  throw new TypeError('sites example: pass keygate or verifier');
}
